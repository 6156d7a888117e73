using System.Collections.Concurrent;
using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Tests.Sync;

using GoTime = GoSched.Time;
using Mutex = GoSched.Mutex;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

public sealed class MutexTests
{
    [Test]
    public void Lock_ManySyncAndAsyncGoroutines_MutualExclusion([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var mu = new Mutex();
        int counter = 0;
        int inside = 0;
        const int PerGoroutine = 2000;
        var tasks = new List<Task>();
        for (int g = 0; g < 8; g++)
        {
            if (g % 2 == 0)
            {
                tasks.Add(GoTest.Start(async () =>
                {
                    for (int i = 0; i < PerGoroutine; i++)
                    {
                        await mu.LockAsync();
                        Assert.That(Interlocked.Increment(ref inside), Is.EqualTo(1));
                        counter++;
                        if (i % 100 == 0)
                        {
                            await Runtime.GoschedAsync();
                        }
                        Interlocked.Decrement(ref inside);
                        mu.Unlock();
                    }
                }));
            }
            else
            {
                tasks.Add(GoTest.StartSync(() =>
                {
                    for (int i = 0; i < PerGoroutine; i++)
                    {
                        mu.Lock();
                        Assert.That(Interlocked.Increment(ref inside), Is.EqualTo(1));
                        counter++;
                        Interlocked.Decrement(ref inside);
                        mu.Unlock();
                    }
                }));
            }
        }
        GoTest.Wait([.. tasks]);
        Assert.That(counter, Is.EqualTo(8 * PerGoroutine));
        Assert.That(mu.IsLocked, Is.False);
    }

    [Test]
    public void TryLock_Held_ReturnsFalse()
    {
        var mu = new Mutex();
        Assert.That(mu.TryLock(), Is.True);
        Assert.That(mu.TryLock(), Is.False);
        mu.Unlock();
        Assert.That(mu.TryLock(), Is.True);
        mu.Unlock();
    }

    [Test]
    public void Lock_HotLoopHolder_WaiterGetsLockViaStarvationMode([Values(2, 8)] int procs)
    {
        // Go's TestMutexFairness: a goroutine that keeps re-locking must not starve another one.
        using var procsScope = GoTest.MaxProcs(procs);
        var mu = new Mutex();
        bool stop = false;
        bool sawStarving = false;
        Task hog = GoTest.StartSync(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                mu.Lock();
                Thread.SpinWait(2000); // hold ~tens of microseconds
                if (mu.IsStarving)
                {
                    Volatile.Write(ref sawStarving, true);
                }
                mu.Unlock();
            }
        });
        Task waiter = GoTest.StartSync(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                Thread.Sleep(2);
                mu.Lock();
                mu.Unlock();
            }
            Volatile.Write(ref stop, true);
        });
        GoTest.Wait(waiter, hog);
        TestContext.Out.WriteLine($"starvation mode observed: {sawStarving}");
    }

    [Test]
    public void Lock_WaiterWaitsOverOneMillisecondAndLosesRace_SwitchesToStarvation()
    {
        using var procsScope = GoTest.MaxProcs(2);
        var mu = new Mutex();
        mu.Lock();
        bool acquired = false;
        Task waiter = GoTest.StartSync(() =>
        {
            mu.Lock();
            Volatile.Write(ref acquired, true);
            mu.Unlock();
        });
        GoTest.WaitUntil(() => Dump().Contains("[sync.Mutex.Lock"), "waiter parked");
        Thread.Sleep(5);
        // Unlock and immediately re-lock: the woken waiter (waited > 1 ms) loses and sets starvation mode.
        bool starving = false;
        for (int i = 0; i < 200 && !starving; i++)
        {
            mu.Unlock();
            if (!mu.TryLock())
            {
                // The waiter got it (or starvation mode already hands it over); wait for it to finish.
                break;
            }
            Thread.Sleep(3);
            starving = mu.IsStarving;
        }
        if (starving)
        {
            Assert.That(mu.TryLock(), Is.False, "starvation mode: arrivals do not take the lock");
            mu.Unlock(); // hands the lock directly to the waiter
        }
        GoTest.Wait(waiter);
        Assert.That(acquired, Is.True);
        Assert.That(mu.IsStarving, Is.False, "the last waiter switches back to normal mode");
        TestContext.Out.WriteLine($"starvation observed: {starving}");
    }

    [Test]
    public void Unlock_Unlocked_IsFatal()
    {
        bool previous = RuntimeFatal.ThrowInsteadOfExit;
        RuntimeFatal.ThrowInsteadOfExit = true;
        try
        {
            var e = Assert.Throws<FatalErrorException>(() => new Mutex().Unlock());
            Assert.That(e!.Message, Does.Contain("sync: unlock of unlocked mutex"));
            var r = Assert.Throws<FatalErrorException>(() => new RWMutex().RUnlock());
            Assert.That(r!.Message, Does.Contain("sync: RUnlock of unlocked RWMutex"));
            var w = Assert.Throws<FatalErrorException>(() => new RWMutex().Unlock());
            Assert.That(w!.Message, Does.Contain("sync: Unlock of unlocked RWMutex"));
        }
        finally
        {
            RuntimeFatal.ThrowInsteadOfExit = previous;
        }
    }

    [Test]
    public void LockUnlock_SteadyStateInGoroutine_AllocatesNothing()
    {
        GoTest.RequireRelease();
        using var procsScope = GoTest.MaxProcs(1);
        var mu = new Mutex();
        long allocated = -1;
        GoTest.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await mu.LockAsync();
                mu.Unlock();
                mu.Lock();
                mu.Unlock();
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100_000; i++)
            {
                await mu.LockAsync();
                mu.Unlock();
                mu.Lock();
                mu.Unlock();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        TestContext.Out.WriteLine($"allocated {allocated} bytes over 200,000 lock/unlock pairs");
        Assert.That(allocated, Is.EqualTo(0));
    }

    [Test]
    public void LockAsync_Contended_SteadyStateAllocatesLittle()
    {
        using var procsScope = GoTest.MaxProcs(1);
        var mu = new Mutex();
        long allocated = -1;
        bool sameThread = false;
        int rounds = 0;
        Task other = GoTest.Start(async () =>
        {
            while (Volatile.Read(ref rounds) >= 0)
            {
                await mu.LockAsync();
                await Runtime.GoschedAsync();
                mu.Unlock();
                await Runtime.GoschedAsync();
            }
        });
        GoTest.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                await mu.LockAsync();
                await Runtime.GoschedAsync();
                mu.Unlock();
            }
            int thread = Environment.CurrentManagedThreadId;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                await mu.LockAsync();
                await Runtime.GoschedAsync();
                mu.Unlock();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            sameThread = thread == Environment.CurrentManagedThreadId;
            Volatile.Write(ref rounds, -1);
        });
        GoTest.Wait(other);
        TestContext.Out.WriteLine(sameThread
            ? $"allocated {allocated} bytes over 10,000 contended locks"
            : "contended allocation not measured: the goroutine moved threads");
    }

    /// <summary>
    /// Go's semrelease1 with handoff (Unlock in starvation mode) readies the waiter into runnext and calls goyield:
    /// the waiter runs at once on the releaser's P, and the releaser waits at the tail of the local run queue, not
    /// on the global queue. With one P the order of events shows it.
    /// </summary>
    [Test]
    public void Unlock_StarvationMode_HandsOffAndWaiterRunsBeforeUnlockReturns(
        [Values] bool asyncReleaser, [Values] bool asyncWaiter)
    {
        using var procsScope = GoTest.MaxProcs(1);
        var mu = new Mutex();
        var order = new ConcurrentQueue<string>();
        Goroutine? releaser = null;
        Goroutine? waiter = null;
        bool releaserOnGlobalQueue = true;
        bool starvingBeforeUnlock = false;

        void WaiterHasLock()
        {
            order.Enqueue("waiter");
            Volatile.Write(ref releaserOnGlobalQueue, RuntimeScheduler.Default.GlobalQueue.Snapshot().Contains(releaser!));
        }

        void StartWaiter()
        {
            if (asyncWaiter)
            {
                Go.Run(async () =>
                {
                    Volatile.Write(ref waiter, Goroutine.Current);
                    await mu.LockAsync();
                    WaiterHasLock();
                    mu.Unlock();
                });
            }
            else
            {
                Go.Run(() =>
                {
                    Volatile.Write(ref waiter, Goroutine.Current);
                    mu.Lock();
                    WaiterHasLock();
                    mu.Unlock();
                });
            }
        }

        // The releaser holds the lock while the waiter parks and waits over 1 ms, then unlocks and at once locks
        // again, winning the race against the woken waiter, which then switches the mutex to starvation mode.
        Task done = asyncReleaser
            ? GoTest.Start(async () =>
            {
                releaser = Goroutine.Current;
                await mu.LockAsync();
                StartWaiter();
                for (int i = 0; i < 1000 && !GoTest.IsParked(Volatile.Read(ref waiter), WaitReason.SyncMutexLock); i++)
                {
                    await GoTime.SleepAsync(TimeSpan.FromMilliseconds(1));
                }
                await GoTime.SleepAsync(TimeSpan.FromMilliseconds(3)); // the waiter has waited over 1 ms
                mu.Unlock();
                await mu.LockAsync();
                for (int i = 0; i < 1000 && !mu.IsStarving; i++)
                {
                    await Runtime.GoschedAsync();
                }
                starvingBeforeUnlock = mu.IsStarving;
                mu.Unlock();
                order.Enqueue("releaser");
            })
            : GoTest.StartSync(() =>
            {
                releaser = Goroutine.Current;
                mu.Lock();
                StartWaiter();
                for (int i = 0; i < 1000 && !GoTest.IsParked(Volatile.Read(ref waiter), WaitReason.SyncMutexLock); i++)
                {
                    GoTime.Sleep(TimeSpan.FromMilliseconds(1));
                }
                GoTime.Sleep(TimeSpan.FromMilliseconds(3)); // the waiter has waited over 1 ms
                mu.Unlock();
                mu.Lock();
                for (int i = 0; i < 1000 && !mu.IsStarving; i++)
                {
                    Runtime.Gosched();
                }
                starvingBeforeUnlock = mu.IsStarving;
                mu.Unlock();
                order.Enqueue("releaser");
            });
        GoTest.Wait(done);
        GoTest.WaitUntil(() => order.Count == 2, "the waiter to take the lock");

        Assert.That(starvingBeforeUnlock, Is.True, "precondition: the mutex is in starvation mode");
        Assert.That(order, Is.EqualTo(new[] { "waiter", "releaser" }), "the waiter runs before Unlock returns");
        Assert.That(releaserOnGlobalQueue, Is.False, "goyield puts the releaser on the local queue, not the global one");
        Assert.That(mu.IsLocked || mu.IsStarving, Is.False);
    }

    [Test]
    public void Unlock_NormalMode_ReleaserKeepsRunning()
    {
        using var procsScope = GoTest.MaxProcs(1);
        var mu = new Mutex();
        var order = new ConcurrentQueue<string>();
        GoTest.RunSync(() =>
        {
            mu.Lock();
            Go.Run(() =>
            {
                mu.Lock();
                order.Enqueue("waiter");
                mu.Unlock();
            });
            Runtime.Gosched(); // the waiter runs and parks in Lock
            mu.Unlock(); // normal mode: wakes the waiter without yielding
            order.Enqueue("releaser");
        });
        GoTest.WaitUntil(() => order.Count == 2, "the waiter to take the lock");
        Assert.That(order, Is.EqualTo(new[] { "releaser", "waiter" }));
    }

    [TestCase(0, 2, 2, 0, 0, true, ExpectedResult = true)]
    [TestCase(3, 8, 8, 0, 0, true, ExpectedResult = true)]
    [TestCase(4, 8, 8, 0, 0, true, ExpectedResult = false)] // active_spin = 4
    [TestCase(0, 1, 8, 0, 0, true, ExpectedResult = false)] // single CPU
    [TestCase(0, 8, 1, 0, 0, true, ExpectedResult = false)] // GOMAXPROCS 1
    [TestCase(0, 8, 4, 3, 0, true, ExpectedResult = false)] // every other P idle
    [TestCase(0, 8, 4, 2, 1, true, ExpectedResult = false)] // the other Ps idle or spinning
    [TestCase(0, 8, 4, 2, 0, true, ExpectedResult = true)] // one other P running
    [TestCase(0, 8, 4, 0, 0, false, ExpectedResult = false)] // work waits in the local run queue
    public bool CanSpin_Inputs_FollowsGoRules(int iteration, int ncpu, int gomaxprocs, int idle, int spinning,
        bool runqEmpty) => RuntimeScheduler.CanSpin(iteration, ncpu, gomaxprocs, idle, spinning, runqEmpty);

    [Test]
    public void CanSpin_OutsideGoroutine_ReturnsFalse()
    {
        Assert.That(RuntimeScheduler.Default.CanSpin(0), Is.False, "no P: nothing to spin for");
    }

    /// <summary>With one P nobody else can be about to unlock: Go's canSpin refuses, whatever the CPU count.</summary>
    [Test]
    public void Lock_ContendedWithGomaxprocsOne_DoesNotSpin([Values] bool async)
    {
        using var procsScope = GoTest.MaxProcs(1);
        var mu = new Mutex();
        long rounds = -1;
        Task holder = GoTest.StartSync(() =>
        {
            mu.Lock();
            if (async)
            {
                Go.Run(async () =>
                {
                    long before = Mutex.SpinRoundsOnThisThread;
                    WaitAwaitable locking = mu.LockAsync(); // spins, if at all, before it first suspends
                    Volatile.Write(ref rounds, Mutex.SpinRoundsOnThisThread - before);
                    await locking;
                    mu.Unlock();
                });
            }
            else
            {
                Go.Run(() =>
                {
                    long before = Mutex.SpinRoundsOnThisThread;
                    mu.Lock(); // a synchronous goroutine keeps its thread across the park
                    Volatile.Write(ref rounds, Mutex.SpinRoundsOnThisThread - before);
                    mu.Unlock();
                });
            }
            GoTime.Sleep(TimeSpan.FromMilliseconds(10)); // parks holding the lock: the other goroutine contends
            mu.Unlock();
        });
        GoTest.Wait(holder);
        GoTest.WaitUntil(() => Volatile.Read(ref rounds) >= 0, "the contender to lock");
        Assert.That(rounds, Is.EqualTo(0));
    }

    /// <summary>Another P runs (the holder) and the local run queue is empty: Go spins exactly active_spin rounds
    /// before parking. Scheduling noise (a retaken P going idle) can only lower the count, so a few attempts are
    /// allowed to reach it.</summary>
    [Test]
    public void Lock_ContendedWhileOtherPRuns_SpinsFourRoundsThenParks()
    {
        Assume.That(Environment.ProcessorCount, Is.GreaterThan(1), "spinning needs a multicore machine");
        using var procsScope = GoTest.MaxProcs(2);
        var seen = new List<long>();
        for (int attempt = 0; attempt < 5 && !seen.Contains(4); attempt++)
        {
            seen.Add(SpinRoundsOfContendedLock(queueWorkFirst: false));
        }
        Assert.That(seen, Has.All.LessThanOrEqualTo(4), "more than active_spin rounds");
        Assert.That(seen, Does.Contain(4L), "never spun the full active_spin rounds: " + string.Join(", ", seen));
    }

    /// <summary>Work waits in the locker's local run queue: Go does not spin (the queued goroutine would wait for
    /// the spinning too). If the holder's P is retaken meanwhile, an idle P can steal the queued goroutine and make
    /// spinning legitimate again, so a few attempts are allowed to see the rule apply.</summary>
    [Test]
    public void Lock_LocalRunQueueNotEmpty_DoesNotSpin()
    {
        Assume.That(Environment.ProcessorCount, Is.GreaterThan(1), "spinning needs a multicore machine");
        using var procsScope = GoTest.MaxProcs(2);
        var seen = new List<long>();
        for (int attempt = 0; attempt < 5 && !seen.Contains(0); attempt++)
        {
            seen.Add(SpinRoundsOfContendedLock(queueWorkFirst: true));
        }
        Assert.That(seen, Does.Contain(0L), "spun with work in the local run queue");
    }

    /// <summary>
    /// One goroutine holds the lock and keeps running (on its own P) until the other has parked in Lock; returns
    /// the spinning rounds the other made. With <paramref name="queueWorkFirst"/> the locker first starts a
    /// goroutine, which waits in its P's runnext. Both park while they wait for each other, and the holder starts
    /// running only once the locker is about to lock, so that no step lasts long enough for sysmon to retake a P.
    /// </summary>
    private static long SpinRoundsOfContendedLock(bool queueWorkFirst)
    {
        // A retaken P goes idle, which makes spinning pointless by Go's rule: on a loaded machine a step can last
        // 10 ms, so switch retaking off (GODEBUG=asyncpreemptoff=1) for the measurement.
        Scheduling.SchedulerOptions options = RuntimeScheduler.Default.Options;
        bool retake = options.RetakeLongRunning;
        options.RetakeLongRunning = false;
        try
        {
            return MeasureSpinRounds(queueWorkFirst);
        }
        finally
        {
            options.RetakeLongRunning = retake;
        }
    }

    private static long MeasureSpinRounds(bool queueWorkFirst)
    {
        var mu = new Mutex();
        bool held = false, lockerReady = false, holderRunning = false;
        Goroutine? locker = null;
        long rounds = -1;
        Task holder = GoTest.StartSync(() =>
        {
            mu.Lock();
            Volatile.Write(ref held, true);
            while (!Volatile.Read(ref lockerReady))
            {
                GoTime.Sleep(TimeSpan.FromMilliseconds(1));
            }
            Volatile.Write(ref holderRunning, true);
            var sw = Stopwatch.StartNew();
            while (!GoTest.IsParked(Volatile.Read(ref locker), WaitReason.SyncMutexLock) && sw.Elapsed < GoTest.DefaultTimeout)
            {
                Thread.SpinWait(20);
            }
            mu.Unlock();
        });
        Task contender = GoTest.StartSync(() =>
        {
            while (!Volatile.Read(ref held))
            {
                GoTime.Sleep(TimeSpan.FromMilliseconds(1));
            }
            Volatile.Write(ref lockerReady, true);
            var sw = Stopwatch.StartNew();
            while (!Volatile.Read(ref holderRunning) && sw.Elapsed < GoTest.DefaultTimeout)
            {
                Thread.SpinWait(20);
            }
            if (queueWorkFirst)
            {
                Go.Run(() => { });
            }
            long before = Mutex.SpinRoundsOnThisThread;
            Volatile.Write(ref locker, Goroutine.Current);
            mu.Lock();
            rounds = Mutex.SpinRoundsOnThisThread - before;
            mu.Unlock();
        });
        GoTest.Wait(holder, contender);
        return rounds;
    }

    private static string Dump() => Scheduling.Scheduler.Default.DumpAllGoroutines();
}
