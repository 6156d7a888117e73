using GoSched.Core;

namespace GoSched.Tests.Select;

using Select = GoSched.Select;

public sealed class SelectTests
{
    [Test]
    public void Wait_ManyReadyCases_ChoosesUniformly([Values(2, 4, 7)] int n)
    {
        var channels = new Channel<int>[n];
        for (int i = 0; i < n; i++)
        {
            channels[i] = new Channel<int>(1);
            channels[i].TrySend(i);
        }
        var counts = new int[n];
        const int Rounds = 100_000;
        GoTest.Run(async () =>
        {
            var s = new Select();
            for (int r = 0; r < Rounds; r++)
            {
                s.Reset();
                for (int i = 0; i < n; i++)
                {
                    s.Receive(channels[i]);
                }
                int won = await s.WaitAsync();
                counts[won]++;
                Assert.That(s.Value<int>(won), Is.EqualTo(won));
                channels[won].TrySend(won);
            }
        });
        double expected = (double)Rounds / n;
        foreach (int c in counts)
        {
            Assert.That(Math.Abs(c - expected) / expected, Is.LessThan(0.05), string.Join(",", counts));
        }
    }

    [Test]
    public void TryWait_NothingReady_ReturnsMinusOne()
    {
        var a = new Channel<int>();
        var b = new Channel<string>(1);
        b.TrySend("full");
        var s = new Select();
        s.Receive(a);
        s.Send(b, "x");
        s.Receive<int>(null);
        Assert.That(s.TryWait(), Is.EqualTo(-1));
    }

    [Test]
    public void TryWait_OnlyNilCases_ReturnsMinusOne()
    {
        var s = new Select();
        s.Receive<int>(null);
        s.Send<int>(null, 1);
        Assert.That(s.TryWait(), Is.EqualTo(-1));
    }

    [Test]
    public void Wait_BlockedThenSenderArrives_ReceiveCaseFires([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ints = new Channel<int>();
        var strings = new Channel<string>();
        var idle = new Channel<double>();
        int which = -1, stringCase = -1;
        string? got = null;
        Goroutine? g = null;
        Task selector = GoTest.Start(async () =>
        {
            g = Goroutine.Current;
            using Select s = Select.Rent();
            s.Receive(ints);
            stringCase = s.Receive(strings);
            s.Send(idle, 1.5);
            which = await s.WaitAsync();
            got = s.Value<string>(which);
        });
        GoTest.WaitUntil(() => GoTest.IsParked(g, WaitReason.Select), "select parked");
        strings.Send("hello");
        GoTest.Wait(selector);
        Assert.That((which, got), Is.EqualTo((stringCase, "hello")));
        Assert.That(ints.TrySend(1), Is.False, "losing waiters were dequeued");
        Assert.That(idle.TryReceive(out _), Is.False, "losing send waiter was dequeued");
    }

    [Test]
    public void Wait_SendCase_DeliversToReceiver()
    {
        var ch = new Channel<int>();
        Task receiver = GoTest.Start(async () => Assert.That(await ch.ReceiveAsync(), Is.EqualTo(42)));
        GoTest.RunSync(() =>
        {
            var s = new Select();
            int send = s.Send(ch, 42);
            s.Receive<int>(null);
            Assert.That(s.Wait(), Is.EqualTo(send));
        });
        GoTest.Wait(receiver);
    }

    [Test]
    public void Wait_ClosedWhileWaiting_ReceiveGetsZeroFalse()
    {
        var ch = new Channel<int>();
        int won = -1;
        bool ok = true;
        Goroutine? g = null;
        Task t = GoTest.StartSync(() =>
        {
            g = Goroutine.Current;
            var s = new Select();
            int c = s.Receive(ch);
            won = s.Wait();
            ok = s.Ok(c);
        });
        GoTest.WaitUntil(() => GoTest.IsParked(g, WaitReason.Select), "select parked");
        ch.Close();
        GoTest.Wait(t);
        Assert.That((won, ok), Is.EqualTo((0, false)));
    }

    [Test]
    public void Wait_SendCaseOnClosedChannel_Panics()
    {
        var ch = new Channel<int>(1);
        ch.Close();
        var s = new Select();
        s.Send(ch, 1);
        Assert.That(Assert.Throws<RuntimePanicException>(() => s.Wait())!.Message, Is.EqualTo("send on closed channel"));
    }

    [Test]
    public void Wait_SendCaseClosedWhileWaiting_Panics()
    {
        var ch = new Channel<int>();
        Goroutine? g = null;
        Task t = GoTest.Start(async () =>
        {
            g = Goroutine.Current;
            var s = new Select();
            s.Send(ch, 1);
            await s.WaitAsync();
        });
        GoTest.WaitUntil(() => GoTest.IsParked(g, WaitReason.Select), "select parked");
        ch.Close();
        Assert.That(Assert.Throws<RuntimePanicException>(() => GoTest.Wait(t))!.Message, Is.EqualTo("send on closed channel"));
    }

    [Test]
    public void Wait_NoCases_BlocksForeverWithSelectNoCases()
    {
        Goroutine? g = null, h = null;
        Go.Run(async () =>
        {
            g = Goroutine.Current;
            await new Select().WaitAsync();
        });
        Go.Run(() =>
        {
            h = Goroutine.Current;
            var s = new Select();
            s.Receive<int>(null);
            s.Wait();
        });
        GoTest.WaitUntil(() => g is { Status: GoroutineStatus.Waiting } && h is { Status: GoroutineStatus.Waiting }, "park");
        Assert.That(g!.WaitReason.ToGoString(), Is.EqualTo("select (no cases)"));
        Assert.That(h!.WaitReason.ToGoString(), Is.EqualTo("select"));
    }

    [Test]
    public void Stress_MixedPlainOpsSelectsAndNilCases_NoValueLostOrDuplicated([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var a = new Channel<int>();
        var b = new Channel<int>(3);
        var quit = new Channel<bool>();
        const int PerProducer = 3000;
        const int Producers = 4;
        long sum = 0;
        int count = 0;
        var tasks = new List<Task>();
        for (int p = 0; p < Producers; p++)
        {
            int id = p;
            if (id % 2 == 0)
            {
                tasks.Add(GoTest.Start(async () =>
                {
                    var s = new Select();
                    for (int i = 1; i <= PerProducer; i++)
                    {
                        if (i % 3 == 0)
                        {
                            await (id == 0 ? a : b).SendAsync(i);
                            continue;
                        }
                        s.Reset();
                        s.Send(a, i);
                        s.Send(b, i);
                        s.Send<int>(null, -1000);
                        await s.WaitAsync();
                    }
                }));
            }
            else
            {
                tasks.Add(GoTest.StartSync(() =>
                {
                    var s = new Select();
                    for (int i = 1; i <= PerProducer; i++)
                    {
                        s.Reset();
                        s.Send(i % 2 == 0 ? a : b, i);
                        s.Receive<int>(null);
                        s.Wait();
                    }
                }));
            }
        }
        var consumers = new List<Task>();
        for (int c = 0; c < 3; c++)
        {
            bool sync = c == 2;
            Func<Task> body = async () =>
            {
                var s = new Select();
                while (true)
                {
                    s.Reset();
                    int ra = s.Receive(a);
                    int rb = s.Receive(b);
                    int rq = s.Receive(quit);
                    s.Receive<string>(null);
                    int won = sync ? s.Wait() : await s.WaitAsync();
                    if (won == rq)
                    {
                        return;
                    }
                    if (!s.Ok(won))
                    {
                        continue; // a is closed at the end: its case is ready with (0, false)
                    }
                    Interlocked.Add(ref sum, s.Value<int>(won));
                    Interlocked.Increment(ref count);
                }
            };
            consumers.Add(sync ? GoTest.StartSync(() => body().GetAwaiter().GetResult()) : GoTest.Start(body));
        }
        consumers.Add(GoTest.Start(async () =>
        {
            while (true)
            {
                (int v, bool ok) = await a.ReceiveWithOkAsync(); // a plain receiver competing with the selects
                if (!ok)
                {
                    return;
                }
                Interlocked.Add(ref sum, v);
                Interlocked.Increment(ref count);
            }
        }));
        GoTest.Wait([.. tasks]);
        GoTest.WaitUntil(() => b.Len == 0, "b drained");
        quit.Close();
        a.Close();
        GoTest.Wait([.. consumers]);
        Assert.That(count, Is.EqualTo(Producers * PerProducer));
        Assert.That(sum, Is.EqualTo(Producers * (long)PerProducer * (PerProducer + 1) / 2));
    }

    [Test]
    public void Select_SteadyStateFourCasesInGoroutine_AllocatesNothing()
    {
        GoTest.RequireRelease();
        using var procsScope = GoTest.MaxProcs(1);
        var c1 = new Channel<int>(1);
        var c2 = new Channel<string>(1);
        var c3 = new Channel<long>();
        long allocated = -1;
        bool sameThread = false;
        GoTest.Run(async () =>
        {
            void Round(Select s)
            {
                s.Reset();
                s.Receive(c1);
                s.Send(c2, "x");
                s.Receive(c3);
                s.Receive<int>(null);
            }
            using Select s = Select.Rent();
            for (int i = 0; i < 2000; i++)
            {
                c1.TrySend(i);
                Round(s);
                await s.WaitAsync();
                c1.TryReceive(out int _);
                c2.TryReceive(out string? _);
            }
            int thread = Environment.CurrentManagedThreadId;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20_000; i++)
            {
                c1.TrySend(i);
                Round(s);
                await s.WaitAsync();
                Round(s);
                s.Wait();
                c1.TryReceive(out int _);
                c2.TryReceive(out string? _);
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            sameThread = thread == Environment.CurrentManagedThreadId;
        });
        TestContext.Out.WriteLine($"allocated {allocated} bytes over 40,000 selects");
        if (!sameThread)
        {
            Assert.Inconclusive("the goroutine moved threads");
        }
        Assert.That(allocated, Is.LessThan(1024));
    }
}
