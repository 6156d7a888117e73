using System.Diagnostics;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

[TestFixture]
[NonParallelizable]
public class FairnessTests : GoroutineTest
{
    /// <summary>
    /// Go's TestPingPongHog idea: with one P, a pair handing runnext to each other shares one time slice; sysmon
    /// ends it after 10 ms, so a third goroutine waiting in the run queue still runs.
    /// </summary>
    [Test]
    public void PingPongPair_WithOneP_CannotStarveAThirdGoroutine()
    {
        Runtime.GOMAXPROCS(1);
        var stop = false;
        var thirdRan = new Countdown(1);
        var pairDone = new Countdown(2);
        var sw = new Stopwatch();
        RunGoroutine(async () =>
        {
            var ping = new Channel<int>();
            var pong = new Channel<int>();
            Go.Run(async () =>
            {
                while (!Volatile.Read(ref stop))
                {
                    await ping.SendAsync(1);
                    await pong.ReceiveAsync();
                }
                ping.Close();
                pairDone.Signal();
            });
            Go.Run(async () =>
            {
                while (true)
                {
                    (int _, bool ok) = await ping.ReceiveWithOkAsync();
                    if (!ok)
                    {
                        break;
                    }
                    await pong.SendAsync(1);
                }
                pairDone.Signal();
            });
            sw.Start();
            Go.Run(() => thirdRan.Signal()); // runnext now; the pair's wake-ups push it to the ring
            await Runtime.GoschedAsync();
        });
        bool ran = thirdRan.Task.Wait(TimeSpan.FromSeconds(5));
        long ms = sw.ElapsedMilliseconds;
        Volatile.Write(ref stop, true);
        WaitOrDump(pairDone.Task);
        TestContext.Out.WriteLine($"third goroutine ran after {ms} ms");
        Assert.That(ran, Is.True, "the ping-pong pair starved the third goroutine");
    }

    /// <summary>A goroutine that yields in a loop cannot starve the global queue either (1-in-61 check).</summary>
    [Test]
    public void GlobalQueue_IsPolledEvery61Ticks_UnderLocalLoad()
    {
        Runtime.GOMAXPROCS(1);
        var fromOutside = new Countdown(1);
        var stop = false;
        var done = new Countdown(1);
        Go.Run(async () =>
        {
            while (!Volatile.Read(ref stop))
            {
                Go.Run(() => { }); // keeps the local queue busy
                await Task.Yield();
            }
            done.Signal();
        });
        Thread.Sleep(20);
        Go.Run(() => fromOutside.Signal()); // from a foreign thread: the global queue
        Assert.That(fromOutside.Task.Wait(TimeSpan.FromSeconds(5)), Is.True);
        Volatile.Write(ref stop, true);
        WaitOrDump(done.Task);
    }
}

[TestFixture]
[NonParallelizable]
public class AllocationTests : GoroutineTest
{
    /// <summary>Gosched allocates nothing in steady state (one P keeps the goroutine on one thread).</summary>
    [Test]
    public void GoschedAsync_SteadyState_AllocatesNothing()
    {
#if DEBUG
        Assert.Ignore("Debug builds allocate in assertions; the allocation bar is for Release.");
#endif
        Runtime.GOMAXPROCS(1);
        long allocated = -1;
        bool sameThread = false;
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                await Runtime.GoschedAsync();
            }
            int thread = Environment.CurrentManagedThreadId;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100_000; i++)
            {
                await Runtime.GoschedAsync();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            sameThread = thread == Environment.CurrentManagedThreadId;
        });
        TestContext.Out.WriteLine($"allocated {allocated} bytes over 100,000 Gosched calls");
        Assert.That(sameThread, Is.True, "with one P the goroutine should stay on its M");
        Assert.That(allocated, Is.LessThan(1024));
    }
}
