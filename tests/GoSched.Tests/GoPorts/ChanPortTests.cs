namespace GoSched.Tests.GoPorts;

using System.Runtime.CompilerServices;
using GoSched.Tests.Support;
using Mutex = GoSched.Mutex;
using Select = GoSched.Select;
using Time = GoSched.Time;

/// <summary>Ports of Go's src/runtime/chan_test.go (channel and select scenarios).</summary>
[NonParallelizable]
public sealed class ChanPortTests : GoPortTest
{
    private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);

    // Ports Go's TestChan (runtime/chan_test.go): every capacity 0..199 (Go's N = 200), at GOMAXPROCS 1, 2 and 8
    // (Go's test uses 4).
    [Test]
    public void TestChan_AllCapacities_GoSemantics([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int[] caps = [.. Enumerable.Range(0, 200)];
        RunGoroutine(async () =>
        {
            foreach (int chanCap in caps)
            {
                await OneCapacity(chanCap);
            }
        }, TimeSpan.FromSeconds(60));
    }

    private async Task OneCapacity(int chanCap)
    {
        {
            // Ensure that receive from empty chan blocks.
            var c = new Channel<int>(chanCap);
            int recv1 = 0, recv2 = 0;
            Spawn(async () =>
            {
                await c.ReceiveAsync();
                Volatile.Write(ref recv1, 1);
            });
            Spawn(async () =>
            {
                await c.ReceiveWithOkAsync();
                Volatile.Write(ref recv2, 1);
            });
            await Time.SleepAsync(OneMs);
            if (Volatile.Read(ref recv1) != 0 || Volatile.Read(ref recv2) != 0)
            {
                Errorf($"chan[{chanCap}]: receive from empty chan");
                return;
            }
            // Ensure that non-blocking receive does not block.
            using (Select s = Select.Rent())
            {
                s.Receive(c);
                if (s.TryWait() != -1)
                {
                    Errorf($"chan[{chanCap}]: receive from empty chan");
                    return;
                }
            }
            await c.SendAsync(0);
            await c.SendAsync(0);
        }

        {
            // Ensure that send to full chan blocks.
            var c = new Channel<int>(chanCap);
            for (int i = 0; i < chanCap; i++)
            {
                await c.SendAsync(i);
            }
            int sent = 0;
            Spawn(async () =>
            {
                await c.SendAsync(0);
                Volatile.Write(ref sent, 1);
            });
            await Time.SleepAsync(OneMs);
            if (Volatile.Read(ref sent) != 0)
            {
                Errorf($"chan[{chanCap}]: send to full chan");
                return;
            }
            // Ensure that non-blocking send does not block.
            using (Select s = Select.Rent())
            {
                s.Send(c, 0);
                if (s.TryWait() != -1)
                {
                    Errorf($"chan[{chanCap}]: send to full chan");
                    return;
                }
            }
            await c.ReceiveAsync();
        }

        {
            // Ensure that we receive 0 from closed chan.
            var c = new Channel<int>(chanCap);
            for (int i = 0; i < chanCap; i++)
            {
                await c.SendAsync(i);
            }
            c.Close();
            for (int i = 0; i < chanCap; i++)
            {
                int v = await c.ReceiveAsync();
                if (v != i)
                {
                    Errorf($"chan[{chanCap}]: received {v}, expected {i}");
                    return;
                }
            }
            if (await c.ReceiveAsync() != 0)
            {
                Errorf($"chan[{chanCap}]: received non-zero from closed chan");
                return;
            }
            var (v2, ok) = await c.ReceiveWithOkAsync();
            if (v2 != 0 || ok)
            {
                Errorf($"chan[{chanCap}]: received {v2}/{ok}, expected 0/false from closed chan");
                return;
            }
        }

        {
            // Ensure that close unblocks receive.
            var c = new Channel<int>(chanCap);
            var done = new Channel<bool>();
            Spawn(async () =>
            {
                var (v, ok) = await c.ReceiveWithOkAsync();
                await done.SendAsync(v == 0 && !ok);
            });
            await Time.SleepAsync(OneMs);
            c.Close();
            if (!await done.ReceiveAsync())
            {
                Errorf($"chan[{chanCap}]: received non zero from closed chan");
                return;
            }
        }

        {
            // Send 100 integers, ensure that we receive them non-corrupted in FIFO order.
            var c = new Channel<int>(chanCap);
            Spawn(async () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    await c.SendAsync(i);
                }
            });
            for (int i = 0; i < 100; i++)
            {
                int v = await c.ReceiveAsync();
                if (v != i)
                {
                    Errorf($"chan[{chanCap}]: received {v}, expected {i}");
                    return;
                }
            }

            // Same, but using recv2.
            Spawn(async () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    await c.SendAsync(i);
                }
            });
            for (int i = 0; i < 100; i++)
            {
                var (v, ok) = await c.ReceiveWithOkAsync();
                if (!ok)
                {
                    Errorf($"chan[{chanCap}]: receive failed, expected {i}");
                    return;
                }
                if (v != i)
                {
                    Errorf($"chan[{chanCap}]: received {v}, expected {i}");
                    return;
                }
            }

            // Send 1000 integers in 4 goroutines, ensure that we receive what we send.
            const int P = 4;
            const int L = 1000;
            for (int p = 0; p < P; p++)
            {
                Spawn(async () =>
                {
                    for (int i = 0; i < L; i++)
                    {
                        await c.SendAsync(i);
                    }
                });
            }
            var done = new Channel<Dictionary<int, int>>();
            for (int p = 0; p < P; p++)
            {
                Spawn(async () =>
                {
                    var recv = new Dictionary<int, int>();
                    for (int i = 0; i < L; i++)
                    {
                        int v = await c.ReceiveAsync();
                        recv[v] = recv.GetValueOrDefault(v) + 1;
                    }
                    await done.SendAsync(recv);
                });
            }
            var all = new Dictionary<int, int>();
            for (int p = 0; p < P; p++)
            {
                foreach (var (k, v) in await done.ReceiveAsync())
                {
                    all[k] = all.GetValueOrDefault(k) + v;
                }
            }
            if (all.Count != L)
            {
                Errorf($"chan[{chanCap}]: received {all.Count} values, expected {L}");
            }
            foreach (var (k, v) in all)
            {
                if (v != P)
                {
                    Errorf($"chan[{chanCap}]: received {k} {v} times, expected {P}");
                }
            }
        }

        {
            // Test len/cap.
            var c = new Channel<int>(chanCap);
            if (c.Len != 0 || c.Cap != chanCap)
            {
                Errorf($"chan[{chanCap}]: bad len/cap, expect 0/{chanCap}, got {c.Len}/{c.Cap}");
            }
            for (int i = 0; i < chanCap; i++)
            {
                await c.SendAsync(i);
            }
            if (c.Len != chanCap || c.Cap != chanCap)
            {
                Errorf($"chan[{chanCap}]: bad len/cap, expect {chanCap}/{chanCap}, got {c.Len}/{c.Cap}");
            }
        }
    }

    // Ports Go's TestNonblockRecvRace: 10000 iterations, as in Go.
    [Test]
    public void TestNonblockRecvRace([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int N = 10_000;
        var finished = new Countdown(N);
        RunGoroutine(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                var c = new Channel<int>(1);
                await c.SendAsync(1);
                Spawn(() =>
                {
                    using (Select s = Select.Rent())
                    {
                        s.Receive(c);
                        if (s.TryWait() == -1)
                        {
                            Errorf("chan is not ready");
                        }
                    }
                    finished.Signal();
                    return Task.CompletedTask;
                });
                c.Close();
                await c.ReceiveAsync();
                if (Failed)
                {
                    return;
                }
            }
        });
        if (!Failed)
        {
            WaitOrDump(finished.Task);
        }
    }

    // Ports Go's TestNonblockSelectRace: 100000 iterations, as in Go.
    [Test]
    public void TestNonblockSelectRace([Values(1, 2, 8)] int procs) => NonblockSelectRace(procs, closeSecond: false);

    // Ports Go's TestNonblockSelectRace2 (same, closing the second channel instead of sending on it).
    [Test]
    public void TestNonblockSelectRace2([Values(1, 2, 8)] int procs) => NonblockSelectRace(procs, closeSecond: true);

    private void NonblockSelectRace(int procs, bool closeSecond)
    {
        Runtime.GOMAXPROCS(procs);
        const int N = 100_000;
        RunGoroutine(async () =>
        {
            var done = new Channel<bool>(1);
            for (int i = 0; i < N; i++)
            {
                var c1 = new Channel<int>(1);
                var c2 = new Channel<int>(closeSecond ? 0 : 1); // Go's Race2 closes an unbuffered c2
                await c1.SendAsync(1);
                Spawn(async () =>
                {
                    bool ready;
                    using (Select s = Select.Rent())
                    {
                        s.Receive(c1);
                        s.Receive(c2);
                        ready = s.TryWait() != -1;
                    }
                    await done.SendAsync(ready);
                });
                if (closeSecond)
                {
                    c2.Close();
                }
                else
                {
                    await c2.SendAsync(1);
                }
                using (Select s = Select.Rent())
                {
                    s.Receive(c1);
                    s.TryWait();
                }
                if (!await done.ReceiveAsync())
                {
                    Errorf($"no chan is ready (iteration {i})");
                    return;
                }
            }
        });
    }

    // Ports Go's TestSelfSelect: send and receive on the same channel in one select neither crash nor deadlock,
    // and an unbuffered select never receives its own send.
    [Test]
    public void TestSelfSelect([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        foreach (int chanCap in new[] { 0, 10 })
        {
            var wg = new WaitGroup();
            wg.Add(2);
            var c = new Channel<int>(chanCap);
            for (int p = 0; p < 2; p++)
            {
                int self = p;
                Spawn(async () =>
                {
                    try
                    {
                        var s = new Select();
                        for (int i = 0; i < 1000; i++)
                        {
                            s.Reset();
                            int send, recv;
                            if (self == 0 || i % 2 == 0)
                            {
                                send = s.Send(c, self);
                                recv = s.Receive(c);
                            }
                            else
                            {
                                recv = s.Receive(c);
                                send = s.Send(c, self);
                            }
                            int won = await s.WaitAsync();
                            if (won == recv && chanCap == 0 && s.Value<int>(recv) == self)
                            {
                                Errorf("self receive");
                                return;
                            }
                        }
                    }
                    finally
                    {
                        wg.Done();
                    }
                });
            }
            WaitOrDump(wg.WaitAsync().AsValueTask().AsTask());
        }
    }

    // Ports Go's TestSelectStress: 4 senders and 4 receivers per channel plus one select sending to and one select
    // receiving from all four channels (two unbuffered, capacities 2 and 3); N = 1e5, as in Go.
    [Test]
    public void TestSelectStress([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        Channel<int>[] c = [new(0), new(0), new(2), new(3)];
        const int N = 100_000;
        var wg = new WaitGroup();
        wg.Add(10);
        for (int k = 0; k < 4; k++)
        {
            var ch = c[k];
            Spawn(async () =>
            {
                for (int i = 0; i < N; i++)
                {
                    await ch.SendAsync(0);
                }
                wg.Done();
            });
            Spawn(async () =>
            {
                for (int i = 0; i < N; i++)
                {
                    await ch.ReceiveAsync();
                }
                wg.Done();
            });
        }
        Spawn(async () =>
        {
            var n = new int[4];
            var c1 = (Channel<int>?[])c.Clone();
            var s = new Select();
            for (int i = 0; i < 4 * N; i++)
            {
                s.Reset();
                int[] order = [3, 2, 0, 1];
                var idx = new int[4];
                foreach (int k in order)
                {
                    idx[k] = s.Send(c1[k], 0);
                }
                int won = await s.WaitAsync();
                int which = Array.IndexOf(idx, won);
                n[which]++;
                if (n[which] == N)
                {
                    c1[which] = null;
                }
            }
            wg.Done();
        });
        Spawn(async () =>
        {
            var n = new int[4];
            var c1 = (Channel<int>?[])c.Clone();
            var s = new Select();
            for (int i = 0; i < 4 * N; i++)
            {
                s.Reset();
                int[] order = [0, 1, 2, 3];
                var idx = new int[4];
                foreach (int k in order)
                {
                    idx[k] = s.Receive(c1[k]);
                }
                int won = await s.WaitAsync();
                int which = Array.IndexOf(idx, won);
                n[which]++;
                if (n[which] == N)
                {
                    c1[which] = null;
                }
            }
            wg.Done();
        });
        WaitOrDump(wg.WaitAsync().AsValueTask().AsTask(), TimeSpan.FromSeconds(60));
    }

    // Ports Go's TestSelectFairness: a select over two always-ready buffered channels (and two never-ready ones)
    // must pick each ready channel about half the time (within 10 sigma over 10000 trials).
    [Test]
    public void TestSelectFairness([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int Trials = 10000;
        var c1 = new Channel<byte>(Trials + 1);
        var c2 = new Channel<byte>(Trials + 1);
        for (int i = 0; i < Trials + 1; i++)
        {
            c1.Send(1);
            c2.Send(2);
        }
        var c3 = new Channel<byte>();
        var c4 = new Channel<byte>();
        var outc = new Channel<byte>();
        var done = new Channel<byte>();
        var wg = new WaitGroup();
        wg.Add(1);
        Spawn(async () =>
        {
            try
            {
                var s = new Select();
                while (true)
                {
                    s.Reset();
                    s.Receive(c3);
                    s.Receive(c4);
                    s.Receive(c1);
                    s.Receive(c2);
                    int won = await s.WaitAsync();
                    byte b = s.Value<byte>(won);
                    s.Reset();
                    s.Send(outc, b);
                    int d = s.Receive(done);
                    if (await s.WaitAsync() == d)
                    {
                        return;
                    }
                }
            }
            finally
            {
                wg.Done();
            }
        });
        int cnt1 = 0, cnt2 = 0;
        RunGoroutine(async () =>
        {
            for (int i = 0; i < Trials; i++)
            {
                byte b = await outc.ReceiveAsync();
                switch (b)
                {
                    case 1:
                        cnt1++;
                        break;
                    case 2:
                        cnt2++;
                        break;
                    default:
                        Assert.Fail($"unexpected value {b} on channel");
                        break;
                }
            }
        });
        const double Mean = Trials * 0.5;
        const double Variance = Trials * 0.5 * (1 - 0.5);
        double stddev = Math.Sqrt(Variance);
        Assert.That(Math.Abs(cnt1 - Mean), Is.LessThanOrEqualTo(10 * stddev),
            $"unfair select: in {Trials} trials, results were {cnt1}, {cnt2}");
        done.Close();
        WaitOrDump(wg.WaitAsync().AsValueTask().AsTask());
    }

    // Ports Go's TestPseudoRandomSend: a select with two send cases on one channel sends both values.
    [Test]
    public void TestPseudoRandomSend([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int n = 100;
        foreach (int chanCap in new[] { 0, n })
        {
            var c = new Channel<int>(chanCap);
            var l = new int[n];
            var m = new Mutex();
            m.Lock();
            Spawn(async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await Runtime.GoschedAsync();
                    l[i] = await c.ReceiveAsync();
                }
                m.Unlock();
            });
            RunGoroutine(async () =>
            {
                var s = new Select();
                for (int i = 0; i < n; i++)
                {
                    s.Reset();
                    s.Send(c, 1);
                    s.Send(c, 0);
                    await s.WaitAsync();
                }
                await m.LockAsync(); // wait
            });
            int n0 = 0, n1 = 0;
            foreach (int i in l)
            {
                n0 += (i + 1) % 2;
                n1 += i;
            }
            Assert.That(n0 > n / 10 && n1 > n / 10, Is.True,
                $"Want pseudorandom, got {n0} zeros and {n1} ones (chan cap {chanCap})");
        }
    }

    // Ports Go's TestMultiConsumer: 23 workers ranging over one channel, results collected until close; 271828
    // values, as in Go.
    [Test]
    public void TestMultiConsumer([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int Nwork = 23;
        const int Niter = 271_828;
        int[] pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
        var q = new Channel<int>(Nwork * 3);
        var r = new Channel<int>(Nwork * 3);
        var wg = new WaitGroup();
        for (int i = 0; i < Nwork; i++)
        {
            wg.Add(1);
            int w = i;
            Spawn(async () =>
            {
                await foreach (int v in q)
                {
                    // Mess with the fifo-ish nature of range.
                    if (pn[w % pn.Length] == v)
                    {
                        await Runtime.GoschedAsync();
                    }
                    await r.SendAsync(v);
                }
                wg.Done();
            });
        }
        long expect = 0;
        Spawn(async () =>
        {
            for (int i = 0; i < Niter; i++)
            {
                int v = pn[i % pn.Length];
                expect += v;
                await q.SendAsync(v);
            }
            q.Close(); // no more work
            await wg.WaitAsync(); // workers done
            r.Close(); // ... so there can be no more results
        });
        long n = 0, s = 0;
        RunGoroutine(async () =>
        {
            await foreach (int v in r)
            {
                n++;
                s += v;
            }
        }, TimeSpan.FromSeconds(60));
        Assert.That((n, s), Is.EqualTo(((long)Niter, expect)), $"Expected {Niter} values, got {n}; sums {expect} vs {s}");
    }

    // Ports Go's TestChanSendInterface: sends of an interface (reference) value, plain and in selects with default.
    [Test]
    public void TestChanSendInterface()
    {
        RunGoroutine(async () =>
        {
            object m = new();
            var c = new Channel<object>(1);
            await c.SendAsync(m);
            using (Select s = Select.Rent())
            {
                s.Send(c, m);
                Assert.That(s.TryWait(), Is.EqualTo(-1));
            }
            using (Select s = Select.Rent())
            {
                s.Send(c, m);
                s.Send(c, new object());
                Assert.That(s.TryWait(), Is.EqualTo(-1));
            }
            Assert.That(await c.ReceiveAsync(), Is.SameAs(m));
        });
    }

    // Ports Go's TestSelectDuplicateChannel: a goroutine queued twice on one channel by a select must dequeue both
    // entries when another case fires, leaving the channel's receive queue intact for a later receiver.
    [Test]
    public void TestSelectDuplicateChannel([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var c = new Channel<int>();
            var d = new Channel<int>();
            var e = new Channel<int>();
            // goroutine A
            Spawn(async () =>
            {
                using (Select s = Select.Rent())
                {
                    s.Receive(c);
                    s.Receive(c);
                    s.Receive(d);
                    await s.WaitAsync();
                }
                await e.SendAsync(9);
            });
            await Time.SleepAsync(OneMs); // make sure goroutine A gets queued first on c
            // goroutine B
            var bDone = new Channel<int>(1);
            Spawn(async () => await bDone.SendAsync(await c.ReceiveAsync()));
            await Time.SleepAsync(OneMs); // make sure goroutine B gets queued on c
            await d.SendAsync(7); // wake up A, it dequeues itself from c
            Assert.That(await e.ReceiveAsync(), Is.EqualTo(9)); // A tells us it's done
            await c.SendAsync(8); // wake up B
            Assert.That(await bDone.ReceiveAsync(), Is.EqualTo(8));
        });
    }

    // Ports Go's TestSelectStackAdjust without the stack shrinking (GoSched goroutines have no movable stacks):
    // two goroutines block in a select that receives from c (into a variable) and d, one of them with c and d
    // duplicated; closing d wakes both, and the variable bound to the untaken case is left untouched.
    [Test]
    public void TestSelectStackAdjust([Values(1, 2, 8)] int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var c = new Channel<StrongBox<int>>();
        var d = new Channel<StrongBox<int>>();
        var ready1 = new Channel<bool>();
        var ready2 = new Channel<bool>();
        Func<Task> F(Channel<bool> ready, bool dup) => async () =>
        {
            await ready.SendAsync(true);
            var val = new StrongBox<int>(42);
            StrongBox<int> cx = val;
            Channel<StrongBox<int>>? c2 = dup ? c : null;
            Channel<StrongBox<int>>? d2 = dup ? d : null;
            // Receive from d. cx won't be affected.
            using (Select s = Select.Rent())
            {
                int cx0 = s.Receive(c);
                s.Receive(c2);
                s.Receive(d);
                s.Receive(d2);
                int won = await s.WaitAsync();
                if (won == cx0)
                {
                    cx = s.Value<StrongBox<int>>(cx0);
                }
            }
            if (!ReferenceEquals(cx, val))
            {
                Errorf("cx no longer points to val");
            }
            else if (val.Value != 42)
            {
                Errorf("val changed");
            }
            else
            {
                cx.Value = 43;
                if (val.Value != 43)
                {
                    Errorf("changing *cx failed to change val");
                }
            }
            await ready.SendAsync(true);
        };
        Spawn(F(ready1, false));
        Spawn(F(ready2, true));
        RunGoroutine(async () =>
        {
            // Let the goroutines get into the select.
            await ready1.ReceiveAsync();
            await ready2.ReceiveAsync();
            await Time.SleepAsync(TimeSpan.FromMilliseconds(10));
            // Wake selects.
            d.Close();
            await ready1.ReceiveAsync();
            await ready2.ReceiveAsync();
        });
    }

    // Ports Go's TestNoShrinkStackWhileParking: not applicable (it checks stack shrinking by the GC while a
    // goroutine parks on a channel; GoSched goroutines have no movable stacks).
    [Test]
    [Ignore("not applicable: GoSched goroutines have no growable/shrinkable stacks")]
    public void TestNoShrinkStackWhileParking()
    {
    }

    // Ports Go's TestShrinkStackDuringBlockedSend: not applicable (goroutines have no movable stacks).
    [Test]
    [Ignore("not applicable: GoSched goroutines have no growable/shrinkable stacks")]
    public void TestShrinkStackDuringBlockedSend()
    {
    }
}
