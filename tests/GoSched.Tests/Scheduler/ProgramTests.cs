using System.Text.RegularExpressions;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

/// <summary>Whole programs in a child process: exit codes and stderr as Go prints them.</summary>
[TestFixture]
public partial class ProgramTests
{
    [Test]
    public void Runnext_GoABCThenGosched_RunsCAB()
    {
        var r = ChildProcess.Run("runnext-order", new Dictionary<string, string> { ["GOMAXPROCS"] = "1" });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        string[] rounds = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rounds, Has.Length.EqualTo(5));
        // A time slice stretched past 10 ms by a loaded machine is preempted (as in Go), which can reorder one
        // round; the runnext rule must hold in the others.
        Assert.That(rounds.Count(x => x == "C,A,B"), Is.GreaterThanOrEqualTo(4), r.Stdout);
    }

    [TestCase("3", "3")]
    [TestCase("1", "1")]
    [TestCase("0", null)]
    [TestCase("-2", null)]
    [TestCase("abc", null)]
    [TestCase("", null)]
    public void GOMAXPROCS_Environment_HonouredOrIgnoredAsGo(string value, string? expected)
    {
        var r = ChildProcess.Run("gomaxprocs", new Dictionary<string, string> { ["GOMAXPROCS"] = value });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(r.Stdout.Trim(), Is.EqualTo(expected ?? Environment.ProcessorCount.ToString()));
    }

    [Test]
    public void Panic_Unrecovered_PrintsGoReportAndExits2()
    {
        var r = ChildProcess.Run("panic");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr, Does.StartWith("panic: boom\n\ngoroutine 1 [running]:\n"));
        Assert.That(r.Stderr, Does.Contain("Program.cs:"));
    }

    [Test]
    public void Panic_ExceptionEscapesGoroutine_IsUnrecoveredPanic()
    {
        var r = ChildProcess.Run("panic-exception");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr, Does.StartWith("panic: System.InvalidOperationException: bad state\n\ngoroutine "));
        Assert.That(r.Stderr, Does.Match(@"created by .* in goroutine 1\n"));
    }

    [Test]
    public void Goexit_FromMain_OthersFinishThenNoGoroutinesFatal()
    {
        var r = ChildProcess.Run("goexit-main");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stdout, Is.EqualTo("main deferred\nother done\n"));
        Assert.That(r.Stderr, Is.EqualTo("fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"));
    }

    [Test]
    public void SchedTrace_PrintsGoSummaryLines()
    {
        var r = ChildProcess.Run("schedtrace", new Dictionary<string, string>
        {
            ["GODEBUG"] = "schedtrace=100",
            ["GOMAXPROCS"] = "2",
        });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines[0], Does.StartWith("SCHED 0ms: gomaxprocs=2 "));
        foreach (string line in lines)
        {
            Assert.That(SchedLine().IsMatch(line), Is.True, line);
        }
    }

    [Test]
    public void SchedDetail_PrintsPerPMAndGLines()
    {
        var r = ChildProcess.Run("schedtrace", new Dictionary<string, string>
        {
            ["GODEBUG"] = "schedtrace=100,scheddetail=1",
            ["GOMAXPROCS"] = "2",
        });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(r.Stderr, Does.Match(@"SCHED \d+ms: gomaxprocs=2 idleprocs=\d+ threads=\d+ spinningthreads=\d+ needspinning=\d idlethreads=\d+ runqueue=\d+ gcwaiting=false nmidlelocked=\d+ stopwait=0 sysmonwait=false\n"));
        Assert.That(r.Stderr, Does.Match(@"  P0: status=\d schedtick=\d+ syscalltick=\d+ m=(\d+|nil) runqsize=\d+ gfreecnt=0 timerslen=\d+\n"));
        Assert.That(r.Stderr, Does.Match(@"  M\d+: p=(\d+|nil) curg=(\d+|nil) mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=(true|false) blocked=(true|false) lockedg=(\d+|nil)\n"));
        Assert.That(r.Stderr, Does.Match(@"  G1: status=\d\(.*\) m=(\d+|nil) lockedm=(\d+|nil)\n"));
    }

    [Test]
    public void Sleep_AllGoroutinesAsleepOnTimers_IsNotADeadlock()
    {
        var r = ChildProcess.Run("sleep-main");
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(r.Stdout, Is.EqualTo("woke\n"));
    }

    [Test]
    public void AsyncPreemptOff_StuckGoroutineKeepsItsP()
    {
        // With retaking on, the other goroutine stalls about 10 ms; with GODEBUG=asyncpreemptoff=1 it waits out
        // the whole 300 ms block, as a Go program without asynchronous preemption would for a tight loop.
        var on = ChildProcess.Run("stuck-handoff", new Dictionary<string, string> { ["GOMAXPROCS"] = "1" });
        var off = ChildProcess.Run("stuck-handoff", new Dictionary<string, string>
        {
            ["GOMAXPROCS"] = "1",
            ["GODEBUG"] = "asyncpreemptoff=1",
        });
        Assert.That(on.ExitCode, Is.Zero, on.Stderr);
        Assert.That(off.ExitCode, Is.Zero, off.Stderr);
        int stallOn = int.Parse(on.Stdout.Trim());
        int stallOff = int.Parse(off.Stdout.Trim());
        TestContext.Out.WriteLine($"longest stall: retake on {stallOn} ms, off {stallOff} ms");
        Assert.That(stallOn, Is.LessThan(200));
        Assert.That(stallOff, Is.GreaterThanOrEqualTo(250));
    }

    [Test]
    public void Ready_IntoRunNextWhileReadierKeepsRunning_AnotherPRunsItWithinSysmonPeriod()
    {
        // The wake-up of an idle P is deferred for a ready into an empty runnext; sysmon must still deliver it
        // while the readier computes (retaking is off here, so nothing else would).
        var r = ChildProcess.Run("deferred-wake", new Dictionary<string, string>
        {
            ["GOMAXPROCS"] = "2",
            ["GODEBUG"] = "asyncpreemptoff=1",
        });
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        int waited = int.Parse(r.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"readied goroutine ran after {waited} ms");
        Assert.That(waited, Is.LessThan(200));
    }

    [Test]
    public void Deadlock_MainBlockedOnChannel_FatalWithGoroutineAndExit2()
    {
        var r = ChildProcess.Run("deadlock-main");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr, Does.StartWith(
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"));
        Assert.That(r.Stderr, Does.Contain("Program.cs:"));
    }

    [Test]
    public void Deadlock_ManyGoroutines_EachListedWithItsWaitReason()
    {
        var r = ChildProcess.Run("deadlock-many");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.StartWith("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [sync.WaitGroup.Wait]:\n"));
        foreach (string reason in new[] { "chan send", "sync.Mutex.Lock", "sync.WaitGroup.Wait", "select", "chan receive (nil chan)" })
        {
            Assert.That(r.Stderr, Does.Match(@"\ngoroutine \d+ \[" + Regex.Escape(reason) + @"\]:\n"), reason);
        }
        Assert.That(Regex.Matches(r.Stderr, @"created by .* in goroutine 1\n").Count, Is.EqualTo(5));
        Assert.That(r.Stderr, Does.Not.EndWith("\n\n"));
    }

    [Test]
    public void Deadlock_SynchronousMainBlockedOnItsThread_IsDetected()
    {
        var r = ChildProcess.Run("deadlock-sync-main");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr, Does.StartWith("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan send]:\n"));
    }

    [Test]
    public void Deadlock_NotReportedWhileAForeignAwaitIsPending()
    {
        var r = ChildProcess.Run("no-deadlock-foreign-await");
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        Assert.That(r.Stdout, Is.EqualTo("7\n"));
    }

    [Test]
    public void Deadlock_EmbeddingOption_ThrowsWithTheSameReport()
    {
        var r = ChildProcess.Run("deadlock-throw");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.Stderr);
        Assert.That(r.Stdout, Does.StartWith("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"));
        Assert.That(r.Stderr, Is.Empty);
    }

    [Test]
    public void ReadmeExample_PrintsTheTenSquares()
    {
        var r = ChildProcess.Run("readme");
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        var squares = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).OrderBy(x => x);
        Assert.That(squares, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i * i)));
    }

    [Test]
    public void IdleRuntime_BurnsNoCpu()
    {
        var r = ChildProcess.Run("idle-cpu");
        Assert.That(r.ExitCode, Is.Zero, r.Stderr);
        double cpuMs = double.Parse(r.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"CPU used over 1 s of idling: {cpuMs} ms");
        Assert.That(cpuMs, Is.LessThan(50));
    }

    [GeneratedRegex(@"^SCHED \d+ms: gomaxprocs=\d+ idleprocs=\d+ threads=\d+ spinningthreads=\d+ needspinning=[01] idlethreads=\d+ runqueue=\d+ \[\d+( \d+)*\]$")]
    private static partial Regex SchedLine();
}
