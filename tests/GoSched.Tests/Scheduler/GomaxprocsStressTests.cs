using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

[TestFixture]
[NonParallelizable]
public class GomaxprocsStressTests : GoroutineTest
{
    /// <summary>
    /// GOMAXPROCS changes every millisecond (1..8, random) while 10,000 goroutines yield and wake each other in
    /// pairs: every goroutine must finish exactly once, none lost or run twice.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void GOMAXPROCS_ChangedEveryMillisecondUnderLoad_EveryGoroutineFinishesOnce(int startProcs)
    {
        Runtime.GOMAXPROCS(startProcs);
        const int pairs = 5_000;
        const int rounds = 100; // long enough (hundreds of ms) for many GOMAXPROCS changes on a fast machine
        var finished = new int[pairs * 2];
        var all = new Countdown(pairs * 2);
        for (int p = 0; p < pairs; p++)
        {
            var there = new Baton();
            var back = new Baton();
            int id = p * 2;
            Go.Run(async () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    there.Signal();
                    await back.WaitAsync();
                    await Runtime.GoschedAsync();
                }
                Interlocked.Increment(ref finished[id]);
                all.Signal();
            });
            Go.Run(async () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    await there.WaitAsync();
                    await Runtime.GoschedAsync();
                    back.Signal();
                }
                Interlocked.Increment(ref finished[id + 1]);
                all.Signal();
            });
        }

        var stop = false;
        int changes = 0;
        var changer = new Thread(() =>
        {
            var rnd = new Random(startProcs);
            while (!Volatile.Read(ref stop))
            {
                Runtime.GOMAXPROCS(rnd.Next(1, 9));
                changes++;
                Thread.Sleep(1);
            }
        });
        changer.Start();
        try
        {
            WaitOrDump(all.Task, TimeSpan.FromSeconds(60));
        }
        finally
        {
            Volatile.Write(ref stop, true);
            changer.Join();
        }
        TestContext.Out.WriteLine($"GOMAXPROCS changed {changes} times");
        Assert.That(finished.Count(f => f != 1), Is.Zero);
        Assert.That(changes, Is.GreaterThan(10));
    }

    /// <summary>GOMAXPROCS shrinks while a goroutine never returns to the scheduler: the call does not wait for it.</summary>
    [Test]
    public void GOMAXPROCS_ShrinkWhileGoroutineSpins_ReturnsAtOnce()
    {
        Runtime.GOMAXPROCS(4);
        var release = false;
        var done = new Countdown(1);
        Go.Run(() =>
        {
            while (!Volatile.Read(ref release))
            {
                Thread.SpinWait(100);
            }
            done.Signal();
        });
        Thread.Sleep(20);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Runtime.GOMAXPROCS(1);
        Assert.That(sw.ElapsedMilliseconds, Is.LessThan(500));
        RunGoroutine(async () => await Runtime.GoschedAsync()); // others still run with one P
        Volatile.Write(ref release, true);
        WaitOrDump(done.Task);
    }
}
