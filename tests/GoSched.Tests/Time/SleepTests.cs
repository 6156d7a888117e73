using System.Diagnostics;
using GoSched.Core;
using GoSched.Tests.Support;

namespace GoSched.Tests.Time;

[TestFixture]
[NonParallelizable]
public class SleepTests : GoroutineTest
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void SleepAsync_ParksForAtLeastTheDuration(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 5; i++)
            {
                var sw = Stopwatch.StartNew();
                await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(20));
                Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(19.9)));
            }
        });
    }

    [Test]
    public void SleepAsync_ShowsSleepWaitReasonAndCallSite()
    {
        Goroutine? sleeper = null;
        var done = new Countdown(1);
        Go.Run(async () =>
        {
            sleeper = Goroutine.Current;
            await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(300));
            done.Signal();
        });
        WaitUntil(() => sleeper is { Status: GoroutineStatus.Waiting }, "the goroutine to sleep");
        Assert.That(sleeper!.WaitReason, Is.EqualTo(WaitReason.Sleep));
        Assert.That(sleeper.WaitSite.File, Does.EndWith("SleepTests.cs"));
        WaitOrDump(done.Task);
    }

    [Test]
    public void Sleep_Zero_DoesNotYield()
    {
        Runtime.GOMAXPROCS(1);
        RunGoroutine(async () =>
        {
            bool ran = false;
            Go.Run(() => ran = true);
            await GoSched.Time.SleepAsync(TimeSpan.Zero);
            GoSched.Time.Sleep(TimeSpan.Zero);
            Assert.That(ran, Is.False, "Sleep(0) yielded");
            // One schedule in 61 takes the global queue (where Gosched puts us) first, and a JIT-stretched time
            // slice may be preempted: allow a few yields for the other goroutine to get its turn.
            for (int i = 0; i < 4 && !ran; i++)
            {
                await Runtime.GoschedAsync();
            }
            Assert.That(ran, Is.True);
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Sleep_Blocking_InSynchronousGoroutine_OthersKeepRunning(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int progress = 0;
        var done = new Countdown(2);
        Go.Run(() =>
        {
            GoSched.Time.Sleep(TimeSpan.FromMilliseconds(100));
            done.Signal();
        });
        Go.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                Interlocked.Increment(ref progress);
                await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(1));
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
        Assert.That(progress, Is.EqualTo(50));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void SleepAsync_ManyGoroutines_AllWakeUp(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int n = 10_000;
        var done = new Countdown(n);
        for (int i = 0; i < n; i++)
        {
            int ms = i % 7;
            Go.Run(async () =>
            {
                for (int k = 0; k < 3; k++)
                {
                    await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(ms + 1));
                }
                done.Signal();
            });
        }
        WaitOrDump(done.Task);
    }

    [Test]
    public void AfterFunc_RunsInNewGoroutine_StopPreventsIt()
    {
        var ran = new Countdown(1);
        long caller = -1;
        GoSched.Time.AfterFunc(TimeSpan.FromMilliseconds(5), () =>
        {
            caller = Goroutine.Current!.Id;
            ran.Signal();
        });
        WaitOrDump(ran.Task);
        Assert.That(caller, Is.GreaterThan(1));

        bool stoppedRan = false;
        FuncTimer t = GoSched.Time.AfterFunc(TimeSpan.FromMilliseconds(50), () => stoppedRan = true);
        Assert.That(t.Stop(), Is.True);
        Assert.That(t.Stop(), Is.False);
        Thread.Sleep(100);
        Assert.That(stoppedRan, Is.False);

        var reset = new Countdown(1);
        FuncTimer r = GoSched.Time.AfterFunc(TimeSpan.FromHours(1), () => reset.Signal());
        Assert.That(r.Reset(TimeSpan.FromMilliseconds(1)), Is.True);
        WaitOrDump(reset.Task);
        Assert.That(r.Stop(), Is.False);
    }
}
