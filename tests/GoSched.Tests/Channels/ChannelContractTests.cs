using GoSched.Core;

namespace GoSched.Tests.Channels;

/// <summary>Channel semantics, run for an unbuffered, a small and a large buffered channel.</summary>
[TestFixture(0)]
[TestFixture(1)]
[TestFixture(100)]
public sealed class ChannelContractTests(int capacity)
{
    [Test]
    public void SendReceive_ManyValuesAsync_ArriveInOrder([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ch = new Channel<int>(capacity);
        const int N = 5000;
        Task producer = GoTest.Start(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                await ch.SendAsync(i);
            }
            ch.Close();
        });
        var received = new List<int>();
        Task consumer = GoTest.Start(async () =>
        {
            await foreach (int v in ch)
            {
                received.Add(v);
            }
        });
        GoTest.Wait(producer, consumer);
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, N)));
    }

    [Test]
    public void SendReceive_MixedSyncAndAsyncGoroutines_AllValuesDelivered([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ch = new Channel<int>(capacity);
        var done = new Channel<long>(capacity);
        const int PerProducer = 2000;
        var tasks = new List<Task>
        {
            GoTest.StartSync(() =>
            {
                for (int i = 1; i <= PerProducer; i++)
                {
                    ch.Send(i);
                }
            }),
            GoTest.Start(async () =>
            {
                for (int i = 1; i <= PerProducer; i++)
                {
                    await ch.SendAsync(i);
                }
            }),
            GoTest.StartSync(() =>
            {
                long sum = 0;
                for (int i = 0; i < PerProducer; i++)
                {
                    sum += ch.Receive();
                }
                done.Send(sum);
            }),
            GoTest.Start(async () =>
            {
                long sum = 0;
                for (int i = 0; i < PerProducer; i++)
                {
                    sum += await ch.ReceiveAsync();
                }
                await done.SendAsync(sum);
            }),
        };
        long total = 0;
        Task collector = GoTest.Start(async () => total = await done.ReceiveAsync() + await done.ReceiveAsync());
        tasks.Add(collector);
        GoTest.Wait([.. tasks]);
        Assert.That(total, Is.EqualTo(2L * PerProducer * (PerProducer + 1) / 2));
    }

    [Test]
    public void Send_FromPlainThreadToGoroutine_Works()
    {
        var ch = new Channel<int>(capacity);
        var back = new Channel<int>(capacity);
        Task echo = GoTest.Start(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await back.SendAsync(await ch.ReceiveAsync() * 2);
            }
        });
        for (int i = 0; i < 100; i++)
        {
            ch.Send(i);
            Assert.That(back.Receive(), Is.EqualTo(i * 2));
        }
        GoTest.Wait(echo);
    }

    [Test]
    public void ReceiveAsync_FromPlainThreadPool_ResumesOnThreadPool()
    {
        var ch = new Channel<string>(capacity);
        Task<string> reader = Task.Run(async () => await ch.ReceiveAsync());
        Task writer = GoTest.Start(async () => await ch.SendAsync("hi"));
        GoTest.Wait(reader, writer);
        Assert.That(reader.Result, Is.EqualTo("hi"));
    }

    [Test]
    public void Close_WithBufferedValues_DeliversThemThenZeroFalse()
    {
        var ch = new Channel<int>(capacity);
        GoTest.Run(async () =>
        {
            for (int i = 0; i < capacity; i++)
            {
                await ch.SendAsync(i + 1);
            }
            ch.Close();
            for (int i = 0; i < capacity; i++)
            {
                (int v, bool ok) = await ch.ReceiveWithOkAsync();
                Assert.That((v, ok), Is.EqualTo((i + 1, true)));
            }
            (int zero, bool more) = await ch.ReceiveWithOkAsync();
            Assert.That((zero, more), Is.EqualTo((0, false)));
            Assert.That(ch.TryReceive(out int z, out bool okTry), Is.True);
            Assert.That((z, okTry), Is.EqualTo((0, false)));
        });
    }

    [Test]
    public void Close_WhileReceiversWait_AllGetZeroFalse([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ch = new Channel<int>(capacity);
        int parked = 0;
        var results = new (int, bool)[6];
        var tasks = new List<Task>();
        for (int i = 0; i < 3; i++)
        {
            int k = i;
            tasks.Add(GoTest.Start(async () =>
            {
                Interlocked.Increment(ref parked);
                results[k] = await ch.ReceiveWithOkAsync();
            }));
            tasks.Add(GoTest.StartSync(() =>
            {
                Interlocked.Increment(ref parked);
                results[k + 3] = ch.ReceiveWithOk();
            }));
        }
        GoTest.WaitUntil(() => Volatile.Read(ref parked) == 6, "receivers");
        Thread.Sleep(20);
        ch.Close();
        GoTest.Wait([.. tasks]);
        Assert.That(results, Is.All.EqualTo((0, false)));
    }

    [Test]
    public void Close_WhileSendersWait_SendersPanic([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ch = new Channel<int>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            Assert.That(ch.TrySend(i), Is.True);
        }
        Goroutine? g1 = null, g2 = null;
        Task asyncSender = GoTest.Start(async () =>
        {
            g1 = Goroutine.Current;
            await ch.SendAsync(-1);
        });
        Task syncSender = GoTest.StartSync(() =>
        {
            g2 = Goroutine.Current;
            ch.Send(-2);
        });
        GoTest.WaitUntil(() => GoTest.IsParked(g1, WaitReason.ChanSend) && GoTest.IsParked(g2, WaitReason.ChanSend),
            "senders parked");
        ch.Close();
        foreach (Task t in new[] { asyncSender, syncSender })
        {
            var e = Assert.Throws<RuntimePanicException>(() => GoTest.Wait(t));
            Assert.That(e!.Message, Is.EqualTo("send on closed channel"));
        }
        Assert.That(ch.Len, Is.EqualTo(capacity), "buffered values survive the close");
    }

    [Test]
    public void Unbuffered_SendCompletesOnlyWhenReceiverTakes()
    {
        var ch = new Channel<int>(capacity);
        bool sent = false;
        Goroutine? g = null;
        Task sender = GoTest.Start(async () =>
        {
            g = Goroutine.Current;
            for (int i = 0; i <= capacity; i++)
            {
                await ch.SendAsync(i);
            }
            Volatile.Write(ref sent, true);
        });
        GoTest.WaitUntil(() => GoTest.IsParked(g, WaitReason.ChanSend), "sender parked");
        Assert.That(Volatile.Read(ref sent), Is.False);
        Assert.That(ch.Len, Is.EqualTo(capacity));
        Assert.That(ch.Receive(), Is.EqualTo(0));
        GoTest.Wait(sender);
        Assert.That(Volatile.Read(ref sent), Is.True);
    }

    [Test]
    public void TrySendTryReceive_NonBlocking_FollowBufferState()
    {
        var ch = new Channel<int>(capacity);
        Assert.That(ch.TryReceive(out _), Is.False);
        for (int i = 0; i < capacity; i++)
        {
            Assert.That(ch.TrySend(i), Is.True);
        }
        Assert.That(ch.TrySend(99), Is.False, "full (or unbuffered with no receiver)");
        Assert.That((ch.Len, ch.Cap), Is.EqualTo((capacity, capacity)));
        for (int i = 0; i < capacity; i++)
        {
            Assert.That(ch.TryReceive(out int v, out bool ok), Is.True);
            Assert.That((v, ok), Is.EqualTo((i, true)));
        }
        Assert.That(ch.TryReceive(out _), Is.False);
    }

    [Test]
    public void Range_SyncGoroutine_ReceivesUntilClosed()
    {
        var ch = new Channel<int>(capacity);
        var got = new List<int>();
        Task consumer = GoTest.StartSync(() =>
        {
            foreach (int v in ch.Range())
            {
                got.Add(v);
            }
        });
        GoTest.RunSync(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                ch.Send(i);
            }
            ch.Close();
        });
        GoTest.Wait(consumer);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 500)));
    }

    [Test]
    public void WaitingReceivers_AreServedFifo()
    {
        var ch = new Channel<int>(capacity);
        var order = new Channel<int>(10);
        var tasks = new List<Task>();
        var gs = new Goroutine?[5];
        for (int i = 0; i < 5; i++)
        {
            int id = i;
            tasks.Add(GoTest.Start(async () =>
            {
                gs[id] = Goroutine.Current;
                int v = await ch.ReceiveAsync();
                await order.SendAsync(id * 100 + v);
            }));
            GoTest.WaitUntil(() => GoTest.IsParked(gs[id], WaitReason.ChanReceive), "receiver " + id);
        }
        for (int i = 0; i < 5; i++)
        {
            ch.Send(i);
        }
        GoTest.Wait([.. tasks]);
        var got = new List<int>();
        while (order.TryReceive(out int v))
        {
            got.Add(v);
        }
        got.Sort();
        Assert.That(got, Is.EqualTo(new[] { 0, 101, 202, 303, 404 }));
    }
}
