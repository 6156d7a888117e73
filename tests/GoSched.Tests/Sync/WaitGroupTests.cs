using System.Reflection;

namespace GoSched.Tests.Sync;

public sealed class WaitGroupTests
{
    [Test]
    public void Wait_ManyGoroutinesDone_Returns([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var wg = new WaitGroup();
        int finished = 0;
        const int N = 200;
        wg.Add(N);
        for (int i = 0; i < N; i++)
        {
            if (i % 2 == 0)
            {
                Go.Run(async () =>
                {
                    await Runtime.GoschedAsync();
                    Interlocked.Increment(ref finished);
                    wg.Done();
                });
            }
            else
            {
                Go.Run(() =>
                {
                    Interlocked.Increment(ref finished);
                    wg.Done();
                });
            }
        }
        Task asyncWaiter = GoTest.Start(async () =>
        {
            await wg.WaitAsync();
            Assert.That(Volatile.Read(ref finished), Is.EqualTo(N));
        });
        Task syncWaiter = GoTest.StartSync(() =>
        {
            wg.Wait();
            Assert.That(Volatile.Read(ref finished), Is.EqualTo(N));
        });
        wg.Wait(); // a plain thread waits too
        GoTest.Wait(asyncWaiter, syncWaiter);
        Assert.That(wg.Count, Is.Zero);
    }

    [Test]
    public void Wait_CounterZero_ReturnsAtOnce()
    {
        var wg = new WaitGroup();
        wg.Wait();
        Assert.That(wg.WaitAsync().IsCompleted, Is.True);
    }

    [Test]
    public void Add_NegativeCounter_Panics()
    {
        var wg = new WaitGroup();
        var e = Assert.Throws<PanicException>(() => wg.Done());
        Assert.That(e!.Message, Is.EqualTo("sync: negative WaitGroup counter"));
    }

    [Test]
    public void Add_CounterZeroWithWaiters_PanicsMisuse()
    {
        var wg = new WaitGroup();
        SetState(wg, 1); // counter 0, one waiter registered: the state Go calls "Add called concurrently with Wait"
        var e = Assert.Throws<PanicException>(() => wg.Add(1));
        Assert.That(e!.Message, Is.EqualTo("sync: WaitGroup misuse: Add called concurrently with Wait"));
    }

    [Test]
    public void Wait_ReusedBeforeWaitReturned_Panics()
    {
        var wg = new WaitGroup();
        wg.Add(1);
        Task waiter = GoTest.StartSync(() => wg.Wait());
        GoTest.WaitUntil(() => Scheduling.Scheduler.Default.DumpAllGoroutines().Contains("[sync.WaitGroup.Wait"), "waiter parked");
        // Release the waiter while making the group look reused (counter 1 again) before it checks.
        SetState(wg, 1L << 32);
        typeof(WaitGroup).GetField("_sema", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(wg)!
            .GetType().GetMethod("Release", BindingFlags.NonPublic | BindingFlags.Instance)!
            .Invoke(typeof(WaitGroup).GetField("_sema", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(wg), [false]);
        var e = Assert.Throws<PanicException>(() => GoTest.Wait(waiter));
        Assert.That(e!.Message, Is.EqualTo("sync: WaitGroup is reused before previous Wait has returned"));
    }

    private static void SetState(WaitGroup wg, long state)
        => typeof(WaitGroup).GetField("_state", BindingFlags.NonPublic | BindingFlags.Instance)!.SetValue(wg, state);
}
