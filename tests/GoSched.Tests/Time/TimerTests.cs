using System.Diagnostics;
using GoSched.Tests.Support;

namespace GoSched.Tests.Time;

using GoTime = GoSched.Time;
using Select = GoSched.Select;

/// <summary>Go's time.Timer and time.After with Go 1.23 semantics (after time/sleep_test.go).</summary>
[TestFixture]
[NonParallelizable]
public class TimerTests : GoroutineTest
{
    // DateTime.Now and the Stopwatch are separate clocks; allow this much disagreement between them.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(2);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void NewTimer_Fires_SendsDueTimeOnce(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            TimeSpan d = TimeSpan.FromMilliseconds(20);
            DateTime start = DateTime.Now;
            var sw = Stopwatch.StartNew();
            GoTime.Timer t = GoTime.NewTimer(d);
            DateTime due = await t.C.ReceiveAsync();
            DateTime received = DateTime.Now;
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(d - TimeSpan.FromMilliseconds(0.1)));
            Assert.That(due, Is.GreaterThanOrEqualTo(start + d - ClockSlack), "value is the due time");
            Assert.That(due, Is.LessThanOrEqualTo(received + ClockSlack), "value is not in the future");

            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(30));
            Assert.That(t.C.TryReceive(out _), Is.False, "a one-shot timer fired twice");
            Assert.That(t.Stop(), Is.False, "Stop after the value was received");
        });
    }

    /// <summary>Go 1.23: timer channels are synchronous, so len and cap are 0 even while a value waits.</summary>
    [Test]
    public void C_BeforeAndAfterFiring_LenAndCapAreZero()
    {
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(5));
            Channel<DateTime> after = GoTime.After(TimeSpan.FromMilliseconds(5));
            AssertLenAndCapZero(t.C, "armed timer");
            AssertLenAndCapZero(after, "armed After");
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(30)); // both fire first: same heap, earlier due time
            AssertLenAndCapZero(t.C, "fired timer, value unreceived");
            AssertLenAndCapZero(after, "fired After, value unreceived");
            Assert.That(t.C.TryReceive(out _), Is.True, "the timer's value was kept");
            Assert.That(after.TryReceive(out _), Is.True, "After's value was kept");
            Assert.That(t.Reset(TimeSpan.FromMilliseconds(1)), Is.False);
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(20));
            AssertLenAndCapZero(t.C, "reset timer, fired again");
            Assert.That(t.Stop(), Is.True, "Stop discards the unreceived value");
            Assert.That(t.C.TryReceive(out _), Is.False, "value after Stop");
        });
    }

    internal static void AssertLenAndCapZero(Channel<DateTime> c, string what)
    {
        Assert.That(c.Len, Is.EqualTo(0), what + ": Len");
        Assert.That(c.Cap, Is.EqualTo(0), what + ": Cap");
        Assert.That(Chan.Len(c), Is.EqualTo(0), what + ": Chan.Len");
        Assert.That(Chan.Cap(c), Is.EqualTo(0), what + ": Chan.Cap");
    }

    [Test]
    public void NewTimer_SentValueIsDueTime_NotReceiveTime()
    {
        RunGoroutine(async () =>
        {
            DateTime start = DateTime.Now;
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(5));
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(60));
            DateTime due = await t.C.ReceiveAsync();
            Assert.That(due - start, Is.LessThan(TimeSpan.FromMilliseconds(40)), "the value is the time it was due");
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Stop_BeforeFire_ReturnsTrueAndNothingIsReceived(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(20));
            Assert.That(t.Stop(), Is.True);
            Assert.That(t.Stop(), Is.False, "second Stop");
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(50));
            Assert.That(t.C.TryReceive(out _), Is.False);
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Stop_AfterFireBeforeReceive_DiscardsValueAndReturnsTrue(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(1));
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(30));
            // Go 1.22 returned false here and left the value in the channel; Go 1.23 discards it.
            Assert.That(t.Stop(), Is.True);
            Assert.That(t.C.TryReceive(out _), Is.False, "stale value received after Stop");
            Assert.That(t.Stop(), Is.False);
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Reset_AfterFireBeforeReceive_DeliversOnlyTheNewValue(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(1));
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(20));
            DateTime resetAt = DateTime.Now;
            Assert.That(t.Reset(TimeSpan.FromMilliseconds(30)), Is.True, "Reset discarded the unreceived value");
            Assert.That(t.C.TryReceive(out _), Is.False, "stale value received after Reset");
            DateTime due = await t.C.ReceiveAsync();
            Assert.That(due, Is.GreaterThanOrEqualTo(resetAt + TimeSpan.FromMilliseconds(30) - ClockSlack));
        });
    }

    [Test]
    public void Reset_StoppedTimer_FiresAgainAndReturnsFalse()
    {
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromHours(1));
            Assert.That(t.Stop(), Is.True);
            Assert.That(t.Reset(TimeSpan.FromMilliseconds(5)), Is.False);
            await t.C.ReceiveAsync();
            Assert.That(t.Reset(TimeSpan.Zero), Is.False, "Reset after the value was received");
            await t.C.ReceiveAsync(); // a non-positive duration fires at once
        });
    }

    [Test]
    public void Reset_Pending_ReturnsTrueAndPostponesTheFire()
    {
        RunGoroutine(async () =>
        {
            GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(10));
            var sw = Stopwatch.StartNew();
            Assert.That(t.Reset(TimeSpan.FromMilliseconds(60)), Is.True);
            await t.C.ReceiveAsync();
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(59.9)));
        });
    }

    /// <summary>
    /// Several goroutines reset one timer over and over while a receiver selects on its channel with a timeout. A
    /// value received after a Reset that began at time s has completed must be due at or after s (so it is not
    /// stale), and after the storm a final Reset fires exactly once (no lost fire).
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Reset_ConcurrentResetsWhileReceiving_NoStaleValueNoLostFire(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        const int resetters = 4;
        const int resetsEach = 150;
        GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(1));
        long watermark = 0; // the largest start time (DateTime ticks) of a completed Reset
        int resettersLeft = resetters;
        int received = 0;
        var stale = new List<string>();
        var done = new Countdown(resetters + 1);

        for (int r = 0; r < resetters; r++)
        {
            int seed = r;
            Go.Run(async () =>
            {
                var random = new Random(seed);
                for (int i = 0; i < resetsEach; i++)
                {
                    long startedAt = DateTime.Now.Ticks;
                    t.Reset(TimeSpan.FromMilliseconds(1 + random.NextDouble() * 2));
                    long seen = Volatile.Read(ref watermark);
                    while (startedAt > seen)
                    {
                        long was = Interlocked.CompareExchange(ref watermark, startedAt, seen);
                        if (was == seen)
                        {
                            break;
                        }
                        seen = was;
                    }
                    // Pauses of up to 4 ms leave the timer time to fire now and then.
                    int pause = random.Next(5);
                    if (pause == 0)
                    {
                        await Runtime.GoschedAsync();
                    }
                    else
                    {
                        await GoTime.SleepAsync(TimeSpan.FromMilliseconds(pause));
                    }
                }
                Interlocked.Decrement(ref resettersLeft);
                done.Signal();
            });
        }

        Go.Run(async () =>
        {
            using var s = new Select();
            while (Volatile.Read(ref resettersLeft) > 0)
            {
                long floor = Volatile.Read(ref watermark);
                s.Reset();
                int fired = s.Receive(t.C);
                s.Receive(GoTime.After(TimeSpan.FromMilliseconds(5)));
                if (await s.WaitAsync() == fired)
                {
                    received++;
                    DateTime due = s.Value<DateTime>(fired);
                    if (due.Ticks < floor - ClockSlack.Ticks)
                    {
                        stale.Add($"due {due:O} before a completed Reset that began at {new DateTime(floor):O}");
                    }
                }
            }
            done.Signal();
        });
        WaitOrDump(done.Task);
        Assert.That(stale, Is.Empty);

        RunGoroutine(async () =>
        {
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(5));
            DateTime resetAt = DateTime.Now;
            t.Reset(TimeSpan.FromMilliseconds(20));
            using var s = new Select();
            int fired = s.Receive(t.C);
            s.Receive(GoTime.After(TimeSpan.FromSeconds(5)));
            Assert.That(await s.WaitAsync(), Is.EqualTo(fired), "the final Reset never fired");
            Assert.That(s.Value<DateTime>(fired), Is.GreaterThanOrEqualTo(resetAt + TimeSpan.FromMilliseconds(20) - ClockSlack));
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(30));
            Assert.That(t.C.TryReceive(out _), Is.False, "fired twice after the final Reset");
        });
        Assert.That(received, Is.GreaterThan(0), "the timer never fired during the resets");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void After_InSelectWithIdleChannel_Wins(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var idle = new Channel<int>();
            var sw = Stopwatch.StartNew();
            using var s = new Select();
            s.Receive(idle);
            int timeout = s.Receive(GoTime.After(TimeSpan.FromMilliseconds(30)));
            Assert.That(await s.WaitAsync(), Is.EqualTo(timeout));
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(29.9)));
        });
    }

    [TestCase(1)]
    [TestCase(8)]
    public void After_InSelectWithReadyChannel_ChannelWins(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var ch = new Channel<int>();
            Go.Run(async () =>
            {
                await GoTime.SleepAsync(TimeSpan.FromMilliseconds(5));
                await ch.SendAsync(7);
            });
            using var s = new Select();
            int value = s.Receive(ch);
            s.Receive(GoTime.After(TimeSpan.FromSeconds(5)));
            Assert.That(await s.WaitAsync(), Is.EqualTo(value));
            Assert.That(s.Value<int>(value), Is.EqualTo(7));
        });
    }

    [TestCase(1)]
    [TestCase(8)]
    public void NewTimer_ManyTimers_FireInDueOrder(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            var timers = new GoTime.Timer[20];
            for (int i = timers.Length - 1; i >= 0; i--)
            {
                timers[i] = GoTime.NewTimer(TimeSpan.FromMilliseconds(5 + (3 * i)));
            }
            DateTime previous = DateTime.MinValue;
            foreach (GoTime.Timer t in timers)
            {
                DateTime due = await t.C.ReceiveAsync();
                Assert.That(due, Is.GreaterThan(previous));
                previous = due;
            }
        });
    }

    [Test]
    public void Timer_FromPlainThread_Works()
    {
        GoTime.Timer t = GoTime.NewTimer(TimeSpan.FromMilliseconds(5));
        var task = Task.Run(() => t.C.Receive());
        WaitOrDump(task);
        Assert.That(t.Stop(), Is.False);
    }
}
