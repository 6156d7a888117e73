namespace GoSched.Tests.GoPorts;

using System.Runtime.CompilerServices;
using Mutex = GoSched.Mutex;
using Select = GoSched.Select;
using Time = GoSched.Time;

/// <summary>Ports of Go's src/sync/{mutex,rwmutex,waitgroup,cond,once}_test.go.</summary>
[NonParallelizable]
public sealed class SyncPortTests : GoPortTest
{
    private static Task AsTask(WaitAwaitable w) => w.AsValueTask().AsTask();

    /// <summary>Go's <c>select { case &lt;-c: fail; default: }</c>: true when <paramref name="c"/> had a value.</summary>
    private static bool Ready<T>(Channel<T> c) => c.TryReceive(out _);

    // ---- mutex_test.go ------------------------------------------------------------------------------------

    private static void HammerMutex(Mutex m, int loops, Channel<bool> cdone)
    {
        for (int i = 0; i < loops; i++)
        {
            if (i % 3 == 0)
            {
                if (m.TryLock())
                {
                    m.Unlock();
                }
                continue;
            }
            m.Lock();
            m.Unlock();
        }
        cdone.Send(true);
    }

    private static async Task HammerMutexAsync(Mutex m, int loops, Channel<bool> cdone)
    {
        for (int i = 0; i < loops; i++)
        {
            if (i % 3 == 0)
            {
                if (m.TryLock())
                {
                    m.Unlock();
                }
                continue;
            }
            await m.LockAsync();
            m.Unlock();
        }
        await cdone.SendAsync(true);
    }

    // Ports Go's TestMutex: TryLock on a locked/unlocked mutex, then 10 goroutines hammering Lock/TryLock/Unlock
    // (here 5 synchronous and 5 async goroutines).
    [Test]
    public void TestMutex([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var m = new Mutex();
        m.Lock();
        Assert.That(m.TryLock(), Is.False, "TryLock succeeded with mutex locked");
        m.Unlock();
        Assert.That(m.TryLock(), Is.True, "TryLock failed with mutex unlocked");
        m.Unlock();

        var c = new Channel<bool>();
        for (int i = 0; i < 10; i++)
        {
            if (i % 2 == 0)
            {
                SpawnSync(() => HammerMutex(m, 1000, c));
            }
            else
            {
                Spawn(() => HammerMutexAsync(m, 1000, c));
            }
        }
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                await c.ReceiveAsync();
            }
        });
    }

    // Ports Go's TestMutexFairness: a goroutine that holds the mutex almost all the time (re-locking it at once)
    // must not starve another goroutine that wants it 10 times (starvation mode); bounded by 10 s as in Go.
    [Test]
    public void TestMutexFairness([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var mu = new Mutex();
        var stop = new Channel<bool>();
        try
        {
            Spawn(async () =>
            {
                while (true)
                {
                    await mu.LockAsync();
                    await Time.SleepAsync(TimeSpan.FromTicks(1000)); // 100 µs
                    mu.Unlock();
                    if (stop.TryReceive(out _, out _) || stop.IsClosed)
                    {
                        return;
                    }
                }
            });
            var done = new Channel<bool>(1);
            Spawn(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    await Time.SleepAsync(TimeSpan.FromTicks(1000));
                    await mu.LockAsync();
                    mu.Unlock();
                }
                await done.SendAsync(true);
            });
            RunGoroutine(async () =>
            {
                using Select s = Select.Rent();
                int d = s.Receive(done);
                s.Receive(After(TimeSpan.FromSeconds(10)));
                if (await s.WaitAsync() != d)
                {
                    Assert.Fail("can't acquire Mutex in 10 seconds");
                }
            }, TimeSpan.FromSeconds(20));
        }
        finally
        {
            stop.Close();
        }
    }

    // ---- rwmutex_test.go ----------------------------------------------------------------------------------

    private static void ParallelReader(RWMutex m, Channel<bool> clocked, Channel<bool> cunlock, Channel<bool> cdone)
    {
        m.RLock();
        clocked.Send(true);
        cunlock.Receive();
        m.RUnlock();
        cdone.Send(true);
    }

    private void DoTestParallelReaders(int numReaders, int gomaxprocs)
    {
        Runtime.GOMAXPROCS(gomaxprocs);
        var m = new RWMutex();
        var clocked = new Channel<bool>();
        var cunlock = new Channel<bool>();
        var cdone = new Channel<bool>();
        for (int i = 0; i < numReaders; i++)
        {
            SpawnSync(() => ParallelReader(m, clocked, cunlock, cdone));
        }
        RunGoroutine(async () =>
        {
            // Wait for all parallel RLock()s to succeed.
            for (int i = 0; i < numReaders; i++)
            {
                await clocked.ReceiveAsync();
            }
            for (int i = 0; i < numReaders; i++)
            {
                await cunlock.SendAsync(true);
            }
            // Wait for the goroutines to finish.
            for (int i = 0; i < numReaders; i++)
            {
                await cdone.ReceiveAsync();
            }
        });
    }

    // Ports Go's TestParallelReaders: every reader holds the read lock at the same time.
    [Test]
    public void TestParallelReaders()
    {
        DoTestParallelReaders(1, 4);
        DoTestParallelReaders(3, 4);
        DoTestParallelReaders(4, 2);
    }

    private static void Reader(RWMutex rwm, int iterations, StrongBox<int> activity, Channel<bool> cdone)
    {
        for (int i = 0; i < iterations; i++)
        {
            rwm.RLock();
            int n = Interlocked.Increment(ref activity.Value);
            if (n < 1 || n >= 10000)
            {
                rwm.RUnlock();
                Runtime.Panic($"wlock({n})");
            }
            for (int j = 0; j < 100; j++)
            {
            }
            Interlocked.Decrement(ref activity.Value);
            rwm.RUnlock();
        }
        cdone.Send(true);
    }

    private static async Task ReaderAsync(RWMutex rwm, int iterations, StrongBox<int> activity, Channel<bool> cdone)
    {
        for (int i = 0; i < iterations; i++)
        {
            await rwm.RLockAsync();
            int n = Interlocked.Increment(ref activity.Value);
            if (n < 1 || n >= 10000)
            {
                rwm.RUnlock();
                Runtime.Panic($"wlock({n})");
            }
            Interlocked.Decrement(ref activity.Value);
            rwm.RUnlock();
        }
        await cdone.SendAsync(true);
    }

    private static void Writer(RWMutex rwm, int iterations, StrongBox<int> activity, Channel<bool> cdone)
    {
        for (int i = 0; i < iterations; i++)
        {
            rwm.Lock();
            int n = Interlocked.Add(ref activity.Value, 10000);
            if (n != 10000)
            {
                rwm.Unlock();
                Runtime.Panic($"wlock({n})");
            }
            for (int j = 0; j < 100; j++)
            {
            }
            Interlocked.Add(ref activity.Value, -10000);
            rwm.Unlock();
        }
        cdone.Send(true);
    }

    private static async Task WriterAsync(RWMutex rwm, int iterations, StrongBox<int> activity, Channel<bool> cdone)
    {
        for (int i = 0; i < iterations; i++)
        {
            await rwm.LockAsync();
            int n = Interlocked.Add(ref activity.Value, 10000);
            if (n != 10000)
            {
                rwm.Unlock();
                Runtime.Panic($"wlock({n})");
            }
            Interlocked.Add(ref activity.Value, -10000);
            rwm.Unlock();
        }
        await cdone.SendAsync(true);
    }

    private void HammerRWMutex(int gomaxprocs, int numReaders, int iterations)
    {
        Runtime.GOMAXPROCS(gomaxprocs);
        // Number of active readers + 10000 * number of active writers.
        var activity = new StrongBox<int>();
        var rwm = new RWMutex();
        var cdone = new Channel<bool>();
        SpawnSync(() => Writer(rwm, iterations, activity, cdone));
        int i;
        for (i = 0; i < numReaders / 2; i++)
        {
            SpawnSync(() => Reader(rwm, iterations, activity, cdone));
        }
        Spawn(() => WriterAsync(rwm, iterations, activity, cdone));
        for (; i < numReaders; i++)
        {
            Spawn(() => ReaderAsync(rwm, iterations, activity, cdone));
        }
        // Wait for the 2 writers and all readers to finish.
        RunGoroutine(async () =>
        {
            for (int k = 0; k < 2 + numReaders; k++)
            {
                await cdone.ReceiveAsync();
            }
        });
    }

    // Ports Go's TestRWMutex (the hammer part; GoSched's RWMutex has no TryLock/TryRLock): 1000 iterations, as in
    // Go. Half the readers and one writer are async goroutines.
    [Test]
    public void TestRWMutex()
    {
        const int N = 1000;
        HammerRWMutex(1, 1, N);
        HammerRWMutex(1, 3, N);
        HammerRWMutex(1, 10, N);
        HammerRWMutex(4, 1, N);
        HammerRWMutex(4, 3, N);
        HammerRWMutex(4, 10, N);
        HammerRWMutex(10, 1, N);
        HammerRWMutex(10, 3, N);
        HammerRWMutex(10, 10, N);
        HammerRWMutex(10, 5, N);
    }

    // Ports Go's TestRLocker: RLocker read-locks (recursively), and a pending writer waits for both read locks and
    // then excludes readers.
    [Test]
    public void TestRLocker([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var wl = new RWMutex();
        ILocker rl = wl.RLocker();
        var wlocked = new Channel<bool>(1);
        var rlocked = new Channel<bool>(1);
        const int n = 10;
        SpawnSync(() =>
        {
            for (int i = 0; i < n; i++)
            {
                rl.Lock();
                rl.Lock();
                rlocked.Send(true);
                wl.Lock();
                wlocked.Send(true);
            }
        });
        RunGoroutine(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                await rlocked.ReceiveAsync();
                rl.Unlock();
                Assert.That(Ready(wlocked), Is.False, "RLocker() didn't read-lock it");
                rl.Unlock();
                await wlocked.ReceiveAsync();
                Assert.That(Ready(rlocked), Is.False, "RLocker() didn't respect the write lock");
                wl.Unlock();
            }
        });
    }

    // ---- waitgroup_test.go --------------------------------------------------------------------------------

    private async Task TestWaitGroupOnce(WaitGroup wg1, WaitGroup wg2)
    {
        const int n = 16;
        wg1.Add(n);
        wg2.Add(n);
        var exited = new Channel<bool>(n);
        for (int i = 0; i != n; i++)
        {
            if (i % 2 == 0)
            {
                Spawn(async () =>
                {
                    wg1.Done();
                    await wg2.WaitAsync();
                    await exited.SendAsync(true);
                });
            }
            else
            {
                SpawnSync(() =>
                {
                    wg1.Done();
                    wg2.Wait();
                    exited.Send(true);
                });
            }
        }
        await wg1.WaitAsync();
        for (int i = 0; i != n; i++)
        {
            Assert.That(Ready(exited), Is.False, "WaitGroup released group too soon");
            wg2.Done();
        }
        for (int i = 0; i != n; i++)
        {
            await exited.ReceiveAsync(); // Will block if barrier fails to unlock someone.
        }
    }

    // Ports Go's TestWaitGroup: the same two WaitGroups reused 8 times as barriers.
    [Test]
    public void TestWaitGroup([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var wg1 = new WaitGroup();
        var wg2 = new WaitGroup();
        RunGoroutine(async () =>
        {
            // Run the same test a few times to ensure barrier is in a proper state.
            for (int i = 0; i != 8; i++)
            {
                await TestWaitGroupOnce(wg1, wg2);
            }
        });
    }

    // Ports Go's TestWaitGroupMisuse: a negative counter panics "sync: negative WaitGroup counter".
    [Test]
    public void TestWaitGroupMisuse()
    {
        RunGoroutine(() =>
        {
            var wg = new WaitGroup();
            wg.Add(1);
            wg.Done();
            var e = Assert.Throws<PanicException>(() => wg.Done(), "Should panic");
            Assert.That(e!.Value, Is.EqualTo("sync: negative WaitGroup counter"));
            return Task.CompletedTask;
        });
    }

    // Ports Go's TestWaitGroupRace: Wait must not return before both Done calls (no spurious wakeup).
    [Test]
    public void TestWaitGroupRace([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                var wg = new WaitGroup();
                int n = 0;
                // spawn goroutine 1
                wg.Add(1);
                Spawn(() =>
                {
                    Interlocked.Increment(ref n);
                    wg.Done();
                    return Task.CompletedTask;
                });
                // spawn goroutine 2
                wg.Add(1);
                SpawnSync(() =>
                {
                    Interlocked.Increment(ref n);
                    wg.Done();
                });
                // Wait for goroutine 1 and 2
                await wg.WaitAsync();
                if (Volatile.Read(ref n) != 2)
                {
                    Assert.Fail("Spurious wakeup from Wait");
                }
            }
        });
    }

    // ---- cond_test.go -------------------------------------------------------------------------------------

    // Ports Go's TestCondSignal: each Signal wakes exactly one of the waiters.
    [Test]
    public void TestCondSignal([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var m = new Mutex();
        var c = new Cond(m);
        int n = 2;
        var running = new Channel<bool>(n);
        var awake = new Channel<bool>(n);
        for (int i = 0; i < n; i++)
        {
            SpawnSync(() =>
            {
                m.Lock();
                running.Send(true);
                c.Wait();
                awake.Send(true);
                m.Unlock();
            });
        }
        RunGoroutine(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                await running.ReceiveAsync(); // Wait for everyone to run.
            }
            while (n > 0)
            {
                Assert.That(Ready(awake), Is.False, "goroutine not asleep");
                await m.LockAsync();
                c.Signal();
                m.Unlock();
                await awake.ReceiveAsync(); // Will deadlock if no goroutine wakes up
                Assert.That(Ready(awake), Is.False, "too many goroutines awake");
                n--;
            }
            c.Signal();
        });
    }

    // Ports Go's TestCondSignalGenerations: Signal wakes the waiters in the order they started waiting.
    [Test]
    public void TestCondSignalGenerations([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var m = new Mutex();
        var c = new Cond(m);
        const int n = 100;
        var running = new Channel<bool>(n);
        var awake = new Channel<int>(n);
        RunGoroutine(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                int id = i;
                Spawn(async () =>
                {
                    await m.LockAsync();
                    await running.SendAsync(true);
                    await c.WaitAsync();
                    await awake.SendAsync(id);
                    m.Unlock();
                });
                if (i > 0)
                {
                    int a = await awake.ReceiveAsync();
                    Assert.That(a, Is.EqualTo(i - 1), $"wrong goroutine woke up: want {i - 1}, got {a}");
                }
                await running.ReceiveAsync();
                await m.LockAsync();
                c.Signal();
                m.Unlock();
            }
        });
    }

    // Ports Go's TestCondBroadcast: 200 waiters, 200 rounds; every Broadcast wakes each waiter exactly once.
    [Test]
    public void TestCondBroadcast([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var m = new Mutex();
        var c = new Cond(m);
        const int n = 200;
        var running = new Channel<int>(n);
        var awake = new Channel<int>(n);
        bool exit = false;
        for (int i = 0; i < n; i++)
        {
            int g = i;
            Spawn(async () =>
            {
                await m.LockAsync();
                while (!exit)
                {
                    await running.SendAsync(g);
                    await c.WaitAsync();
                    await awake.SendAsync(g);
                }
                m.Unlock();
            });
        }
        RunGoroutine(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    await running.ReceiveAsync(); // Will deadlock unless n are running.
                }
                if (i == n - 1)
                {
                    await m.LockAsync();
                    exit = true;
                    m.Unlock();
                }
                Assert.That(Ready(awake), Is.False, "goroutine not asleep");
                await m.LockAsync();
                c.Broadcast();
                m.Unlock();
                var seen = new bool[n];
                for (int j = 0; j < n; j++)
                {
                    int g = await awake.ReceiveAsync();
                    Assert.That(seen[g], Is.False, "goroutine woke up twice");
                    seen[g] = true;
                }
            }
            Assert.That(Ready(running), Is.False, "goroutine did not exit");
            c.Broadcast();
        });
    }

    // Ports Go's TestRace (cond_test.go): three goroutines hand a value along with Wait/Signal under Cond.L.
    [Test]
    public void TestCondRace([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int x = 0;
        var c = new Cond(new Mutex());
        var done = new Channel<bool>();
        SpawnSync(() =>
        {
            c.L.Lock();
            x = 1;
            c.Wait();
            if (x != 2)
            {
                Errorf("want 2");
            }
            x = 3;
            c.Signal();
            c.L.Unlock();
            done.Send(true);
        });
        SpawnSync(() =>
        {
            c.L.Lock();
            while (true)
            {
                if (x == 1)
                {
                    x = 2;
                    c.Signal();
                    break;
                }
                c.L.Unlock();
                Runtime.Gosched();
                c.L.Lock();
            }
            c.L.Unlock();
            done.Send(true);
        });
        SpawnSync(() =>
        {
            c.L.Lock();
            while (true)
            {
                if (x == 2)
                {
                    c.Wait();
                    if (x != 3)
                    {
                        Errorf("want 3");
                    }
                    break;
                }
                if (x == 3)
                {
                    break;
                }
                c.L.Unlock();
                Runtime.Gosched();
                c.L.Lock();
            }
            c.L.Unlock();
            done.Send(true);
        });
        RunGoroutine(async () =>
        {
            await done.ReceiveAsync();
            await done.ReceiveAsync();
            await done.ReceiveAsync();
        });
    }

    // Ports Go's TestCondSignalStealing: a Broadcast racing with a new Wait must still wake the old waiter.
    // Go runs 1000 iterations; so do we.
    [Test]
    public void TestCondSignalStealing([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            for (int iters = 0; iters < 1000; iters++)
            {
                var m = new Mutex();
                var cond = new Cond(m);
                // Start a waiter.
                var ch = new Channel<bool>();
                Spawn(async () =>
                {
                    await m.LockAsync();
                    await ch.SendAsync(true);
                    await cond.WaitAsync();
                    m.Unlock();
                    await ch.SendAsync(true);
                });
                await ch.ReceiveAsync();
                await m.LockAsync();
                m.Unlock();
                // The waiter is in cond.Wait. Start two goroutines that race: one broadcasts, the other waits.
                // The new waiter may or may not get notified, but the old one has to be.
                bool done = false;
                Spawn(() =>
                {
                    cond.Broadcast();
                    return Task.CompletedTask;
                });
                Spawn(async () =>
                {
                    await m.LockAsync();
                    while (!done)
                    {
                        await cond.WaitAsync();
                    }
                    m.Unlock();
                });
                // Check that the first waiter does get signaled.
                using (Select s = Select.Rent())
                {
                    int first = s.Receive(ch);
                    s.Receive(After(TimeSpan.FromSeconds(2)));
                    if (await s.WaitAsync() != first)
                    {
                        Assert.Fail("First waiter didn't get broadcast.");
                    }
                }
                // Release the second waiter in case it didn't get the broadcast.
                await m.LockAsync();
                done = true;
                m.Unlock();
                cond.Broadcast();
            }
        }, TimeSpan.FromSeconds(60));
    }

    // ---- once_test.go -------------------------------------------------------------------------------------

    // Ports Go's TestOnce: ten goroutines call Do; the function runs once and every caller sees its effect.
    [Test]
    public void TestOnce([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int o = 0;
        var once = new Once();
        var c = new Channel<bool>();
        const int N = 10;
        for (int i = 0; i < N; i++)
        {
            SpawnSync(() =>
            {
                once.Do(() => Interlocked.Increment(ref o));
                int v = Volatile.Read(ref o);
                if (v != 1)
                {
                    Errorf($"once failed inside run: {v} is not 1");
                }
                c.Send(true);
            });
        }
        RunGoroutine(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                await c.ReceiveAsync();
            }
        });
        Assert.That(o, Is.EqualTo(1), $"once failed outside run: {o} is not 1");
    }

    // Ports Go's TestOncePanic: a panicking function counts as done; a second Do does not call its function.
    [Test]
    public void TestOncePanic()
    {
        RunGoroutine(() =>
        {
            var once = new Once();
            Assert.Throws<PanicException>(() => once.Do(() => Runtime.Panic("failed")), "Once.Do did not panic");
            once.Do(() => Assert.Fail("Once.Do called twice"));
            return Task.CompletedTask;
        });
    }
}
