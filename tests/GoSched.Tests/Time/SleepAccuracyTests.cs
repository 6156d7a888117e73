using System.Diagnostics;
using GoSched.Tests.Support;

namespace GoSched.Tests.Time;

/// <summary>
/// How sleeps wake up under load and when idle: more sleepers than the processors can wake on time are all served in
/// turn (none starves), and an idle runtime waiting for its next timer does not keep a processor busy.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SleepAccuracyTests : GoroutineTest
{
    [Test]
    public void SleepAsync_MoreSleepersThanTheProcessorsCanWake_NoneStarves()
    {
        // 10,000 goroutines sleeping 1 ms want 10 M wake-ups a second: more than two Ps can run. Due timers then wait
        // in deadline order, so every sleeper completes about as many sleeps as any other; running every due timer at
        // once instead overflows the run queues into the global queue, and the goroutines there starve.
        Runtime.GOMAXPROCS(2);
#if DEBUG
        const int sleepers = 1_000; // the heaps check their invariants at every operation: far fewer wake-ups
#else
        const int sleepers = 10_000;
#endif
        var counts = new long[sleepers];
        int phase = 0; // 0 warming up, 1 counting, 2 stopping
        int started = 0;
        var done = new Countdown(sleepers);
        for (int i = 0; i < sleepers; i++)
        {
            int me = i;
            Go.Run(async () =>
            {
                await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(1));
                Interlocked.Increment(ref started);
                while (Volatile.Read(ref phase) != 2)
                {
                    await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(1));
                    if (Volatile.Read(ref phase) == 1)
                    {
                        counts[me]++;
                    }
                }
                done.Signal();
            });
        }
        // Started from this thread, the goroutines wait in the global queue, which busy Ps poll once per 61
        // schedules (as in Go): count only once every one of them sleeps in a loop.
        WaitUntil(() => Volatile.Read(ref started) == sleepers, "every sleeper to start");
        Thread.Sleep(200);
        Volatile.Write(ref phase, 1);
        Thread.Sleep(1500);
        Volatile.Write(ref phase, 2);
        WaitOrDump(done.Task);

        double mean = counts.Average();
        long min = counts.Min();
        Assert.That(mean, Is.GreaterThan(0));
        Assert.That(min, Is.GreaterThanOrEqualTo(mean / 2),
            $"a sleeper completed {min} sleeps while the mean was {mean:0.0}: it starved");
    }

    [Test]
    public void Sleep_OneSleeper_TheIdleRuntimeDoesNotSpinWhileWaiting()
    {
        // The M that waits for the next timer parks for whole milliseconds and naps the rest in the OS: a lone 1 ms
        // sleeper costs a fraction of a core (spinning out the last millisecond costs all of one). The bound leaves
        // room for what the rest of the process does meanwhile (the JIT, a collection after earlier tests).
        Runtime.GOMAXPROCS(2);
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        RunGoroutine(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await GoSched.Time.SleepAsync(TimeSpan.FromMilliseconds(1));
            }
        });
        wall.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Assert.That(wall.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1000)));
        Assert.That(cpu.TotalMilliseconds, Is.LessThan(wall.Elapsed.TotalMilliseconds * 3 / 4),
            $"{cpu.TotalMilliseconds:0} ms of CPU in {wall.Elapsed.TotalMilliseconds:0} ms of sleeping");
    }
}
