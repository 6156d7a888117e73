using GoSched.Core;

namespace GoSched.Tests.Sync;

using Mutex = GoSched.Mutex;

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

    private static string Dump() => Scheduling.Scheduler.Default.DumpAllGoroutines();
}
