namespace GoSched.Tests.GoPorts;

using System.Runtime.CompilerServices;
using GoSched.Core;
using Select = GoSched.Select;
using Time = GoSched.Time;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

/// <summary>Ports of Go's src/runtime/proc_test.go scenarios that apply to GoSched.</summary>
[NonParallelizable]
public sealed class ProcPortTests : GoPortTest
{
    // Ports Go's TestGoroutineParallelism: P goroutines that spin on a shared counter must all be running at
    // once. Go uses P = 4 and 10 tries (3 and 3 with -short); we use P = 4 and 3 tries. Sync goroutines: a spinning
    // goroutine never yields, exactly as in Go (where the GC is disabled so nothing preempts them).
    [Test]
    public void TestGoroutineParallelism()
    {
        if (Runtime.NumCPU() == 1)
        {
            Assert.Ignore("skipping on uniprocessor");
        }
        const int P = 4;
        const int N = 3;
        Runtime.GOMAXPROCS(P);
        for (int attempt = 0; attempt < N; attempt++)
        {
            var done = new Channel<bool>();
            uint x = 0;
            for (int p = 0; p < P; p++)
            {
                int self = p;
                // Test that all P goroutines are scheduled at the same time.
                SpawnSync(() =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        uint expected = (uint)(P * i + self);
                        while (Volatile.Read(ref x) != expected)
                        {
                        }
                        Volatile.Write(ref x, expected + 1);
                    }
                    done.Send(true);
                });
            }
            RunGoroutine(async () =>
            {
                for (int p = 0; p < P; p++)
                {
                    await done.ReceiveAsync();
                }
            });
        }
    }

    // Ports Go's TestYieldProgress: a goroutine looping on a non-blocking select and Gosched must let the sender
    // (sleeping 10 ms, then sending) make progress. Async goroutine form.
    [Test]
    public void TestYieldProgress([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var c = new Channel<bool>();
            var cack = new Channel<bool>();
            Spawn(async () =>
            {
                using Select s = Select.Rent();
                while (true)
                {
                    s.Reset();
                    s.Receive(c);
                    if (s.TryWait() == 0)
                    {
                        await cack.SendAsync(true);
                        return;
                    }
                    await Runtime.GoschedAsync();
                }
            });
            await Time.SleepAsync(TimeSpan.FromMilliseconds(10));
            await c.SendAsync(true);
            await cack.ReceiveAsync();
        });
    }

    // Ports Go's TestYieldProgress with a synchronous goroutine and blocking Gosched.
    [Test]
    public void TestYieldProgress_Sync([Values(1, 2, 8)] int procs) => YieldProgressSync(procs, locked: false);

    // Ports Go's TestYieldLockedProgress: the same with the yielding goroutine locked to its thread.
    [Test]
    public void TestYieldLockedProgress([Values(1, 2, 8)] int procs) => YieldProgressSync(procs, locked: true);

    private void YieldProgressSync(int procs, bool locked)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var c = new Channel<bool>();
            var cack = new Channel<bool>();
            SpawnSync(() =>
            {
                if (locked)
                {
                    Runtime.LockOSThread();
                }
                var s = new Select();
                while (true)
                {
                    s.Reset();
                    s.Receive(c);
                    if (s.TryWait() == 0)
                    {
                        cack.Send(true);
                        return;
                    }
                    Runtime.Gosched();
                }
            });
            await Time.SleepAsync(TimeSpan.FromMilliseconds(10));
            await c.SendAsync(true);
            await cack.ReceiveAsync();
        });
    }

    // Ports Go's TestYieldLocked: a locked goroutine alternating Gosched and Sleep, then exiting still locked.
    [Test]
    public void TestYieldLocked([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int N = 10;
        var c = new Channel<bool>();
        SpawnSync(() =>
        {
            Runtime.LockOSThread();
            for (int i = 0; i < N; i++)
            {
                Runtime.Gosched();
                Time.Sleep(TimeSpan.FromMilliseconds(1));
            }
            c.Send(true);
            // UnlockOSThread is deliberately omitted.
        });
        RunGoroutine(async () => await c.ReceiveAsync());
    }

    // Ports Go's TestBlockLocked: a locked goroutine blocking on channel sends.
    [Test]
    public void TestBlockLocked([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int N = 10;
        var c = new Channel<bool>();
        SpawnSync(() =>
        {
            Runtime.LockOSThread();
            for (int i = 0; i < N; i++)
            {
                c.Send(true);
            }
            Runtime.UnlockOSThread();
        });
        RunGoroutine(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                await c.ReceiveAsync();
            }
        });
    }

    // Ports Go's TestPingPongHog: at GOMAXPROCS 1 two pairs of goroutines ping-pong over channels; one pair does
    // 1e6 increments per turn, the other 1e3. If a woken goroutine inherits its waker's time slice (runnext) the
    // counts stay within a factor of 20 (Go's bound); otherwise the hogs starve the light pair.
    // Go's code is compiled ahead of time; here the scenario first runs twice unmeasured so the JIT has tiered up
    // the goroutine bodies and the runtime's channel paths (in tier-0 code a light turn costs ~20 us instead of
    // ~2 us and the ratio drifts to 11-38).
    [Test]
    public void TestPingPongHog()
    {
        Runtime.GOMAXPROCS(1);
        (long Hog, long Light) counts = default;
        for (int round = 0; round < 3; round++)
        {
            counts = PingPongHogRound();
        }
        var (hogCount, lightCount) = counts;
        const long Factor = 20;
        Assert.That(hogCount / Factor <= lightCount && lightCount / Factor <= hogCount, Is.True,
            $"want hogCount/lightCount in [{1.0 / Factor}, {Factor}]; got {hogCount}/{lightCount} = {(double)hogCount / lightCount}");
    }

    private (long Hog, long Light) PingPongHogRound()
    {
        var done = new Channel<bool>();
        var hogChan = new Channel<bool>();
        var lightChan = new Channel<bool>();
        async Task Run(int limit, StrongBox<long> counter, Channel<bool> wake)
        {
            var s = new Select();
            while (true)
            {
                s.Reset();
                int d = s.Receive(done);
                s.Receive(wake);
                if (await s.WaitAsync() == d)
                {
                    return;
                }
                for (int i = 0; i < limit; i++)
                {
                    counter.Value++;
                }
                await wake.SendAsync(true);
            }
        }
        var hog = new StrongBox<long>();
        var light = new StrongBox<long>();
        // Start two co-scheduled hog goroutines.
        for (int i = 0; i < 2; i++)
        {
            Spawn(() => Run(1_000_000, hog, hogChan));
        }
        // Start two co-scheduled light goroutines.
        for (int i = 0; i < 2; i++)
        {
            Spawn(() => Run(1_000, light, lightChan));
        }
        RunGoroutine(async () =>
        {
            // Start goroutine pairs and wait for a few preemption rounds.
            await hogChan.SendAsync(true);
            await lightChan.SendAsync(true);
            await Time.SleepAsync(TimeSpan.FromMilliseconds(100));
            done.Close();
            await hogChan.ReceiveAsync();
            await lightChan.ReceiveAsync();
        });
        return (hog.Value, light.Value);
    }

    // Ports Go's TestLockOSThreadNesting (via Go's export_test LockOSCounts: the external count is
    // Goroutine.LockedExternal, the internal one LockedInternal).
    [Test]
    public void TestLockOSThreadNesting()
    {
        var done = new Channel<bool>(1);
        SpawnSync(() =>
        {
            try
            {
                Goroutine g = Goroutine.Current!;
                if (g.LockedExternal != 0 || g.LockedInternal != 0)
                {
                    Errorf($"want locked counts 0, 0; got {g.LockedExternal}, {g.LockedInternal}");
                    return;
                }
                Runtime.LockOSThread();
                Runtime.LockOSThread();
                Runtime.UnlockOSThread();
                if (g.LockedExternal != 1 || g.LockedInternal != 0)
                {
                    Errorf($"want locked counts 1, 0; got {g.LockedExternal}, {g.LockedInternal}");
                    return;
                }
                Runtime.UnlockOSThread();
                if (g.LockedExternal != 0 || g.LockedInternal != 0)
                {
                    Errorf($"want locked counts 0, 0; got {g.LockedExternal}, {g.LockedInternal}");
                }
            }
            finally
            {
                done.Send(true);
            }
        });
        RunGoroutine(async () => await done.ReceiveAsync());
    }

    // Ports Go's TestNumGoroutine (the in-process half: NumGoroutine must agree with the number of goroutines in a
    // full traceback, retried up to 10 times as the check is racy). Go's first half runs testprog NumGoroutine in
    // a child process (expecting "1"); the test-program project has no such scenario, so that half is not ported.
    [Test]
    public void TestNumGoroutine()
    {
        RunGoroutine(async () =>
        {
            for (int i = 0; ; i++)
            {
                // Give goroutines about to exit a chance to exit.
                await Runtime.GoschedAsync();
                int n = Runtime.NumGoroutine();
                // Go counts "goroutine " after removing "in goroutine"; GoSched's traceback also writes
                // "goroutine running on other thread", so count the "goroutine N [status]:" headers instead.
                string output = RuntimeScheduler.Default.DumpAllGoroutines();
                int nstk = System.Text.RegularExpressions.Regex.Count(output, @"^goroutine \d+ \[", System.Text.RegularExpressions.RegexOptions.Multiline);
                if (n == nstk)
                {
                    break;
                }
                if (i >= 10)
                {
                    Assert.Fail($"NumGoroutine={n}, but found {nstk} goroutines in stack dump: {output}");
                }
            }
        });
    }

    // Ports Go's TestTimerFairness: two goroutines keep a channel busy; the timer channel (time.After, here a
    // capacity-1 channel filled by Time.AfterFunc exactly as Go's time.After is) must still be selected.
    [Test]
    public void TestTimerFairness([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var done = new Channel<bool>();
        var c = new Channel<bool>();
        for (int i = 0; i < 2; i++)
        {
            Spawn(async () =>
            {
                var s = new Select();
                while (true)
                {
                    s.Reset();
                    s.Send(c, true);
                    int d = s.Receive(done);
                    if (await s.WaitAsync() == d)
                    {
                        return;
                    }
                }
            });
        }
        RunGoroutine(async () =>
        {
            var timer = After(TimeSpan.FromMilliseconds(20));
            var s = new Select();
            while (true)
            {
                s.Reset();
                s.Receive(c);
                int t = s.Receive(timer);
                if (await s.WaitAsync() == t)
                {
                    done.Close();
                    return;
                }
            }
        }, TimeSpan.FromSeconds(10));
    }

    // Ports Go's TestTimerFairness2: two goroutines ping-pong on one channel while each also waits for its own
    // timer; both timers must fire.
    [Test]
    public void TestTimerFairness2([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var done = new Channel<bool>();
        var c = new Channel<bool>();
        for (int i = 0; i < 2; i++)
        {
            Spawn(async () =>
            {
                var timer = After(TimeSpan.FromMilliseconds(20));
                var s = new Select();
                while (true)
                {
                    s.Reset();
                    s.Send(c, true);
                    s.Receive(c);
                    int t = s.Receive(timer);
                    if (await s.WaitAsync() == t)
                    {
                        await done.SendAsync(true);
                        return;
                    }
                }
            });
        }
        RunGoroutine(async () =>
        {
            await done.ReceiveAsync();
            await done.ReceiveAsync();
        }, TimeSpan.FromSeconds(10));
    }

    // Ports Go's TestPreemption: two goroutines take turns on a shared word, each spinning (calling a function)
    // until it is its turn (Go's N = 5). At GOMAXPROCS 1 this needs the spinning goroutine to lose its P: GoSched
    // has no asynchronous preemption, but sysmon retakes the P from a goroutine that runs too long.
    [Test]
    public void TestPreemption([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int N = 5;
        var c = new Channel<bool>();
        uint x = 0;
        for (int g = 0; g < 2; g++)
        {
            uint self = (uint)g;
            SpawnSync(() =>
            {
                for (int i = 0; i < N; i++)
                {
                    while (Volatile.Read(ref x) != self)
                    {
                        Preempt();
                    }
                    Volatile.Write(ref x, 1 - self);
                }
                c.Send(true);
            });
        }
        RunGoroutine(async () =>
        {
            await c.ReceiveAsync();
            await c.ReceiveAsync();
        }, TimeSpan.FromSeconds(20));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Preempt()
    {
    }
}
