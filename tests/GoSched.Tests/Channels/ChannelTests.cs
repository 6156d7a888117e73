using GoSched.Core;

namespace GoSched.Tests.Channels;

public sealed class ChannelTests
{
    [Test]
    public void Constructor_NegativeCapacity_PanicsSizeOutOfRange()
    {
        var e = Assert.Throws<RuntimePanicException>(() => _ = new Channel<int>(-1));
        Assert.That(e!.Message, Is.EqualTo("makechan: size out of range"));
    }

    [Test]
    public void Close_Twice_PanicsCloseOfClosedChannel()
    {
        var ch = new Channel<int>();
        ch.Close();
        var e = Assert.Throws<RuntimePanicException>(ch.Close);
        Assert.That(e!.Message, Is.EqualTo("close of closed channel"));
    }

    [Test]
    public void Close_NilChannel_PanicsCloseOfNilChannel()
    {
        var e = Assert.Throws<RuntimePanicException>(() => Chan.Close<int>(null));
        Assert.That(e!.Message, Is.EqualTo("close of nil channel"));
    }

    [Test]
    public void Send_OnClosedChannel_Panics([Values(0, 1)] int capacity)
    {
        var ch = new Channel<int>(capacity);
        ch.Close();
        Assert.That(Assert.Throws<RuntimePanicException>(() => ch.Send(1))!.Message, Is.EqualTo("send on closed channel"));
        Assert.That(Assert.Throws<RuntimePanicException>(() => ch.TrySend(1))!.Message, Is.EqualTo("send on closed channel"));
        var e = Assert.Throws<RuntimePanicException>(() => GoTest.Run(async () => await ch.SendAsync(1)));
        Assert.That(e!.Message, Is.EqualTo("send on closed channel"));
    }

    [Test]
    public void NilChannel_LenCapTry_AreZeroAndFalse()
    {
        Channel<int>? nil = null;
        Assert.That((Chan.Len(nil), Chan.Cap(nil)), Is.EqualTo((0, 0)));
        Assert.That(Chan.TrySend(nil, 1), Is.False);
        Assert.That(Chan.TryReceive(nil, out _, out _), Is.False);
    }

    [Test]
    public void NilChannel_ReceiveAndSend_BlockForeverWithGoWaitReasons()
    {
        Goroutine? receiver = null, sender = null;
        Go.Run(async () =>
        {
            receiver = Goroutine.Current;
            await Chan.ReceiveAsync<int>(null);
        });
        Go.Run(() =>
        {
            sender = Goroutine.Current;
            Chan.Send<int>(null, 1);
        });
        GoTest.WaitUntil(() => receiver is { Status: GoroutineStatus.Waiting } && sender is { Status: GoroutineStatus.Waiting },
            "nil channel park");
        Assert.That(receiver!.WaitReason.ToGoString(), Is.EqualTo("chan receive (nil chan)"));
        Assert.That(sender!.WaitReason.ToGoString(), Is.EqualTo("chan send (nil chan)"));
    }

    [Test]
    public void BlockedReceive_WaitReason_IsChanReceive()
    {
        var ch = new Channel<int>();
        Goroutine? g = null;
        Task t = GoTest.Start(async () =>
        {
            g = Goroutine.Current;
            await ch.ReceiveAsync();
        });
        GoTest.WaitUntil(() => g is { Status: GoroutineStatus.Waiting }, "park");
        Assert.That(g!.WaitReason.ToGoString(), Is.EqualTo("chan receive"));
        ch.Send(1);
        GoTest.Wait(t);
    }

    [Test]
    public void ChannelOps_SteadyStateInGoroutine_AllocateNothing()
    {
        GoTest.RequireRelease();
        using var procsScope = GoTest.MaxProcs(1);
        var ping = new Channel<int>();
        var pong = new Channel<int>();
        long allocated = -1;
        bool sameThread = false;
        const int N = 20_000;
        Task echo = GoTest.Start(async () =>
        {
            for (int i = 0; i < 2 * N; i++)
            {
                await pong.SendAsync(await ping.ReceiveAsync());
            }
        });
        Task main = GoTest.Start(async () =>
        {
            var buffered = new Channel<int>(1);
            for (int i = 0; i < N; i++)
            {
                await ping.SendAsync(i);
                await pong.ReceiveAsync();
                await buffered.SendAsync(i);
                await buffered.ReceiveAsync();
            }
            int thread = Environment.CurrentManagedThreadId;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < N; i++)
            {
                await ping.SendAsync(i);
                await pong.ReceiveAsync();
                await buffered.SendAsync(i);
                await buffered.ReceiveAsync();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            sameThread = thread == Environment.CurrentManagedThreadId;
        });
        GoTest.Wait(main, echo);
        TestContext.Out.WriteLine($"allocated {allocated} bytes over {N} round trips (same thread: {sameThread})");
        if (!sameThread)
        {
            Assert.Inconclusive("the goroutine moved to another thread; per-thread allocation not comparable");
        }
        Assert.That(allocated, Is.LessThan(1024), "bytes allocated over 20,000 round trips");
    }
}
