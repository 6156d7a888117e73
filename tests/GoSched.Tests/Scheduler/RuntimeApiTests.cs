using System.Diagnostics;
using GoSched.Core;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

[TestFixture]
[NonParallelizable]
public class RuntimeApiTests : GoroutineTest
{
    [Test]
    public void GOMAXPROCS_ReturnsPreviousAndQueriesBelowOne()
    {
        Runtime.GOMAXPROCS(3);
        Assert.That(Runtime.GOMAXPROCS(0), Is.EqualTo(3));
        Assert.That(Runtime.GOMAXPROCS(-5), Is.EqualTo(3));
        Assert.That(Runtime.GOMAXPROCS(5), Is.EqualTo(3));
        Assert.That(Runtime.GOMAXPROCS(2), Is.EqualTo(5));
        Assert.That(Runtime.GOMAXPROCS(0), Is.EqualTo(2));
    }

    [Test]
    public void ReadSchedStats_CountsSpawnsYieldsAndParks()
    {
        GoSched.Profiling.SchedStats before = Runtime.ReadSchedStats();
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                Go.Run(() => { });
                await Runtime.GoschedAsync();
            }
            var c = new Channel<int>();
            Go.Run(async () =>
            {
                await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(20));
                await c.SendAsync(1);
            });
            await c.ReceiveAsync(); // parks: the sender sleeps first
        });
        GoSched.Profiling.SchedStats after = Runtime.ReadSchedStats();
        Assert.That(after.Spawned - before.Spawned, Is.GreaterThanOrEqualTo(11));
        Assert.That(after.Yields - before.Yields, Is.GreaterThanOrEqualTo(10));
        Assert.That(after.Parks - before.Parks, Is.GreaterThanOrEqualTo(1));
        Assert.That(after.ThreadsCreated, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void Constants_MatchGoSpelling()
    {
        Assert.That(Runtime.Compiler, Is.EqualTo("gc"));
        Assert.That(Runtime.GOOS, Is.EqualTo(OperatingSystem.IsLinux() ? "linux" : Runtime.GOOS));
        Assert.That(Runtime.GOARCH, Is.AnyOf("amd64", "arm64", "386", "arm"));
        Assert.That(Runtime.NumCPU(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(Runtime.Version(), Does.StartWith("go1."));
        Assert.That(Runtime.GOROOT(), Is.EqualTo(Environment.GetEnvironmentVariable("GOROOT") ?? ""));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void NumGoroutine_After10000SpawnsAndJoins_IsExact(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int baseline = WaitForQuiescence();
        const int n = 10_000;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new Countdown(n);
        var finished = new Countdown(n);
        for (int i = 0; i < n; i++)
        {
            Go.Run(async () =>
            {
                started.Signal();
                await gate.Task;
                finished.Signal();
            });
        }
        WaitOrDump(started.Task);
        Assert.That(Runtime.NumGoroutine(), Is.EqualTo(baseline + n));
        gate.SetResult();
        WaitOrDump(finished.Task);
        WaitUntil(() => Runtime.NumGoroutine() == baseline, "NumGoroutine to drop back");
        Assert.That(Runtime.NumGoroutine(), Is.EqualTo(baseline));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void ForeignAwait_ResumesOnSchedulerAsSameGoroutine(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            Goroutine self = Goroutine.Current!;
            self.Locals["key"] = 42;
            for (int i = 0; i < 20; i++)
            {
                await Task.Delay(1);
                Assert.That(Goroutine.Current, Is.SameAs(self));
                Assert.That(Thread.CurrentThread.Name, Does.StartWith("GoSched M"));
                await Task.Yield();
                Assert.That(Goroutine.Current, Is.SameAs(self));
                await Runtime.GoschedAsync();
                Assert.That(Goroutine.Current, Is.SameAs(self));
            }
            Assert.That(self.Locals["key"], Is.EqualTo(42));
        });
    }

    [Test]
    public void ForeignAwait_GoroutineShowsIOWaitAndCounts()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Goroutine? waiting = null;
        var done = new Countdown(1);
        Go.Run(async () =>
        {
            waiting = Goroutine.Current;
            await gate.Task;
            done.Signal();
        });
        WaitUntil(() => waiting is { Status: GoroutineStatus.Waiting }, "the goroutine to park");
        Assert.That(waiting!.WaitReason, Is.EqualTo(WaitReason.IOWait));
        Assert.That(Runtime.NumGoroutine(), Is.GreaterThanOrEqualTo(1));
        gate.SetResult();
        WaitOrDump(done.Task);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Goexit_RunsFinallyAndEndsOnlyThatGoroutine(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var log = new List<string>();
        var done = new Countdown(2);
        Go.Run(async () =>
        {
            try
            {
                await Runtime.GoschedAsync();
                Runtime.Goexit();
                log.Add("after goexit");
            }
            catch (PanicException)
            {
                log.Add("recovered");
            }
            finally
            {
                lock (log)
                {
                    log.Add("finally");
                }
                done.Signal();
            }
        });
        Go.Run(() =>
        {
            lock (log)
            {
                log.Add("other");
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
        Assert.That(log, Does.Contain("finally").And.Contain("other").And.Not.Contain("after goexit")
            .And.Not.Contain("recovered"));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void LockOSThread_KeepsThreadAcross1000Awaits_AndNoOtherGoroutineRunsThere(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int lockedThread = -1;
        bool lockedPhase = true;
        var intruders = 0;
        var stop = false;
        var others = new Countdown(4);
        for (int i = 0; i < 4; i++)
        {
            Go.Run(async () =>
            {
                while (!Volatile.Read(ref stop))
                {
                    if (Volatile.Read(ref lockedPhase) && Environment.CurrentManagedThreadId == Volatile.Read(ref lockedThread))
                    {
                        Interlocked.Increment(ref intruders);
                    }
                    await Runtime.GoschedAsync();
                }
                others.Signal();
            });
        }
        RunGoroutine(async () =>
        {
            Runtime.LockOSThread();
            Volatile.Write(ref lockedThread, Environment.CurrentManagedThreadId);
            for (int i = 0; i < 1000; i++)
            {
                switch (i % 4)
                {
                    case 0: await Runtime.GoschedAsync(); break;
                    case 1: await Task.Yield(); break;
                    case 2: await Task.Delay(i % 40 == 2 ? 1 : 0); break;
                    default: await Runtime.GoschedAsync(); break;
                }
                Assert.That(Environment.CurrentManagedThreadId, Is.EqualTo(lockedThread), $"after await {i}");
            }
            Volatile.Write(ref lockedPhase, false);
            Runtime.UnlockOSThread();
        });
        Volatile.Write(ref stop, true);
        WaitOrDump(others.Task);
        Assert.That(intruders, Is.Zero, "another goroutine ran on the locked thread");
    }

    [Test]
    public void LockOSThread_Nesting_NeedsMatchingUnlocks()
    {
        RunGoroutine(async () =>
        {
            Goroutine g = Goroutine.Current!;
            Runtime.LockOSThread();
            Runtime.LockOSThread();
            Runtime.UnlockOSThread();
            Assert.That(g.LockedExternal, Is.EqualTo(1));
            int thread = Environment.CurrentManagedThreadId;
            await Runtime.GoschedAsync();
            Assert.That(Environment.CurrentManagedThreadId, Is.EqualTo(thread));
            Runtime.UnlockOSThread();
            Assert.That(g.LockedExternal, Is.Zero);
            Runtime.UnlockOSThread(); // no-op when not locked
            Assert.That(g.LockedExternal, Is.Zero);
        });
    }

    [Test]
    public void LockOSThread_GoroutineExitsLocked_ThreadEnds()
    {
        Thread? lockedThread = null;
        RunGoroutine(() =>
        {
            Runtime.LockOSThread();
            lockedThread = Thread.CurrentThread;
            return Task.CompletedTask;
        });
        WaitUntil(() => !lockedThread!.IsAlive, "the locked thread to exit");
        Assert.That(lockedThread!.IsAlive, Is.False);
        RunGoroutine(async () => await Runtime.GoschedAsync()); // the runtime still runs goroutines
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void SynchronousGoroutine_BlockingGosched_LetsOthersRun(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int progress = 0;
        var done = new Countdown(2);
        Go.Run(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                Runtime.Gosched();
            }
            done.Signal();
        });
        Go.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                Interlocked.Increment(ref progress);
                await Runtime.GoschedAsync();
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
        Assert.That(progress, Is.EqualTo(100));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void SynchronousAndAsyncGoroutines_WakeEachOther(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int rounds = 500;
        var ping = new Baton();
        var pong = new Baton();
        var done = new Countdown(2);
        Go.Run(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                ping.Signal();
                pong.Wait();
            }
            done.Signal();
        });
        Go.Run(async () =>
        {
            for (int i = 0; i < rounds; i++)
            {
                await ping.WaitAsync();
                pong.Signal();
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
    }

    [Test]
    public void StuckGoroutine_WithOneP_DoesNotStopOthersFor200ms()
    {
        Runtime.GOMAXPROCS(1);
        // Warm up so that JIT time does not count as a stall.
        RunGoroutine(async () => await Runtime.GoschedAsync());
        var stamps = new List<long>();
        var done = new Countdown(2);
        bool sleeperStarted = false;
        Go.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 1500)
            {
                lock (stamps)
                {
                    stamps.Add(Stopwatch.GetTimestamp());
                }
                await Runtime.GoschedAsync();
                if (!Volatile.Read(ref sleeperStarted) && sw.ElapsedMilliseconds > 100)
                {
                    Volatile.Write(ref sleeperStarted, true);
                    Go.Run(() =>
                    {
                        Thread.Sleep(1000); // blocking code the runtime cannot see
                        done.Signal();
                    });
                }
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
        long maxGap = 0;
        for (int i = 1; i < stamps.Count; i++)
        {
            maxGap = Math.Max(maxGap, stamps[i] - stamps[i - 1]);
        }
        double maxGapMs = maxGap * 1000.0 / Stopwatch.Frequency;
        TestContext.Out.WriteLine($"hand-off latency (largest gap in the other goroutine's progress): {maxGapMs:F1} ms");
        Assert.That(maxGapMs, Is.LessThan(200));
    }
}

[TestFixture]
[NonParallelizable]
public class ForeignAwaitEdgeTests : GoroutineTest
{
    [Test]
    public void ConfigureAwaitFalse_BodyFinishesOffScheduler_GoroutineStillExits()
    {
        int baseline = WaitForQuiescence();
        var done = new Countdown(1);
        Go.Run(async () =>
        {
            await Task.Delay(5).ConfigureAwait(false);
            done.Signal();
        });
        WaitOrDump(done.Task);
        WaitUntil(() => Runtime.NumGoroutine() == baseline, "the goroutine to exit");
    }

    [Test]
    public void TaskYield_InGoroutine_LetsOthersRunFirst()
    {
        Runtime.GOMAXPROCS(1);
        RunGoroutine(async () =>
        {
            bool otherRan = false;
            Go.Run(() => otherRan = true);
            // One schedule in 61 takes the global queue first (Go's fairness rule), and a time slice that JIT
            // compilation stretched past 10 ms is preempted; either can put the yielder first once.
            for (int i = 0; i < 4 && !otherRan; i++)
            {
                await Task.Yield();
            }
            Assert.That(otherRan, Is.True);
        });
    }
}

[TestFixture]
[NonParallelizable]
public class PanicHandlerTests
{
    [Test]
    public void UnrecoveredPanicHandler_ReceivesTheGoroutineAndException_AndTheRuntimeGoesOn()
    {
        var previous = Go.UnrecoveredPanicHandler;
        var seen = new TaskCompletionSource<(long Id, Exception Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.UnrecoveredPanicHandler = (g, e) =>
        {
            seen.TrySetResult((g.Id, e));
            return true;
        };
        try
        {
            long id = 0;
            Go.Run(async () =>
            {
                id = GoSched.Core.Goroutine.Current!.Id;
                await Runtime.GoschedAsync();
                Runtime.Panic("handled elsewhere");
            });
            Assert.That(seen.Task.Wait(TimeSpan.FromSeconds(20)), Is.True);
            Assert.That(seen.Task.Result.Id, Is.EqualTo(id));
            Assert.That(seen.Task.Result.Error, Is.TypeOf<PanicException>().With.Message.EqualTo("handled elsewhere"));
            var after = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Go.Run(() => after.SetResult());
            Assert.That(after.Task.Wait(TimeSpan.FromSeconds(20)), Is.True);
        }
        finally
        {
            Go.UnrecoveredPanicHandler = previous;
        }
    }
}
