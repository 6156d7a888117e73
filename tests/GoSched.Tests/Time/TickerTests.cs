using System.Diagnostics;
using GoSched.Tests.Support;

namespace GoSched.Tests.Time;

using GoTime = GoSched.Time;
using Select = GoSched.Select;

/// <summary>Go's time.Ticker and time.Tick with Go 1.23 semantics (after time/tick_test.go).</summary>
[TestFixture]
[NonParallelizable]
public class TickerTests : GoroutineTest
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void NewTicker_TicksEveryPeriod_StopEndsTicks(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            const int ticks = 8;
            var sw = Stopwatch.StartNew();
            GoTime.Ticker ticker = GoTime.NewTicker(Period);
            DateTime previous = DateTime.MinValue;
            for (int i = 0; i < ticks; i++)
            {
                DateTime due = await ticker.C.ReceiveAsync();
                Assert.That(due, Is.GreaterThan(previous), "tick values increase");
                previous = due;
            }
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo((Period * ticks) - TimeSpan.FromMilliseconds(0.1)));
            ticker.Stop();
            await GoTime.SleepAsync(Period * 3);
            Assert.That(ticker.C.TryReceive(out _), Is.False, "tick after Stop");
        });
    }

    /// <summary>Go's observed behaviour: after 55 ms with a 10 ms ticker exactly one tick is pending, and the next one
    /// comes about a period later; the missed ones are dropped, not delivered in a burst.</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Ticker_SlowReceiver_DropsTicksAndKeepsOne(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Ticker ticker = GoTime.NewTicker(Period);
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(55));
            Assert.That(ticker.C.TryReceive(out DateTime first), Is.True, "one tick pending");
            DateTime drainedAt = DateTime.Now;
            Assert.That(ticker.C.TryReceive(out _), Is.False, "more than one tick pending");

            // Tick values are due times on the ticker's grid, so they do not depend on how late the receiver runs:
            // the next one is the first grid point that fired after the drain, at most a period after it.
            DateTime next = await ticker.C.ReceiveAsync();
            Assert.That(next - drainedAt, Is.LessThanOrEqualTo(Period + TimeSpan.FromMilliseconds(2)),
                "the next tick about a period later");
            Assert.That(next - first, Is.GreaterThanOrEqualTo(Period * 3), "missed ticks were skipped");
            Assert.That(ticker.C.TryReceive(out _), Is.False, "a burst of ticks");
            ticker.Stop();
        });
    }

    /// <summary>Go 1.23: ticker channels are synchronous, so len and cap are 0 even while a tick waits.</summary>
    [Test]
    public void C_WithTickPending_LenAndCapAreZero()
    {
        RunGoroutine(async () =>
        {
            GoTime.Ticker ticker = GoTime.NewTicker(Period);
            Channel<DateTime> tick = GoTime.Tick(Period)!;
            TimerTests.AssertLenAndCapZero(ticker.C, "running ticker");
            TimerTests.AssertLenAndCapZero(tick, "Tick");
            await GoTime.SleepAsync(Period * 3.5);
            TimerTests.AssertLenAndCapZero(ticker.C, "ticker with a tick pending");
            TimerTests.AssertLenAndCapZero(tick, "Tick with a tick pending");
            Assert.That(ticker.C.TryReceive(out _), Is.True, "one tick kept");
            Assert.That(ticker.C.TryReceive(out _), Is.False, "more than one tick kept");
            Assert.That(tick.TryReceive(out _), Is.True, "one Tick kept");
            ticker.Stop();
        });
    }

    [TestCase(1)]
    [TestCase(8)]
    public void Stop_WithTickPending_DiscardsIt(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Ticker ticker = GoTime.NewTicker(Period);
            await GoTime.SleepAsync(Period * 2.5);
            ticker.Stop();
            Assert.That(ticker.C.TryReceive(out _), Is.False, "stale tick after Stop");
            await GoTime.SleepAsync(Period * 3);
            Assert.That(ticker.C.TryReceive(out _), Is.False, "tick after Stop");
            ticker.Stop(); // a second Stop is harmless
        });
    }

    [TestCase(1)]
    [TestCase(8)]
    public void Reset_ChangesPeriodAndDiscardsPendingTick(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        RunGoroutine(async () =>
        {
            GoTime.Ticker ticker = GoTime.NewTicker(TimeSpan.FromMilliseconds(2));
            await GoTime.SleepAsync(TimeSpan.FromMilliseconds(10));
            var sw = Stopwatch.StartNew();
            ticker.Reset(TimeSpan.FromMilliseconds(30));
            Assert.That(ticker.C.TryReceive(out _), Is.False, "stale tick after Reset");
            await ticker.C.ReceiveAsync();
            await ticker.C.ReceiveAsync();
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(59.9)));

            ticker.Stop();
            ticker.Reset(Period); // restarts a stopped ticker
            await ticker.C.ReceiveAsync();
            ticker.Stop();
        });
    }

    [Test]
    public void NewTicker_NonPositiveInterval_Panics(
        [Values(0, -1)] int ms)
    {
        var e = Assert.Throws<PanicException>(() => GoTime.NewTicker(TimeSpan.FromMilliseconds(ms)));
        Assert.That(e!.Message, Is.EqualTo("non-positive interval for NewTicker"));
    }

    [Test]
    public void Reset_NonPositiveInterval_Panics([Values(0, -1)] int ms)
    {
        GoTime.Ticker ticker = GoTime.NewTicker(TimeSpan.FromHours(1));
        var e = Assert.Throws<PanicException>(() => ticker.Reset(TimeSpan.FromMilliseconds(ms)));
        Assert.That(e!.Message, Is.EqualTo("non-positive interval for Ticker.Reset"));
        ticker.Stop();
    }

    [Test]
    public void Tick_NonPositive_ReturnsNull([Values(0, -1)] int ms)
    {
        Assert.That(GoTime.Tick(TimeSpan.FromMilliseconds(ms)), Is.Null);
    }

    /// <summary>The ticker behind Tick cannot be stopped: it runs while its channel is referenced, then is
    /// collected (Go 1.23), its heap entry dropped at its next tick.</summary>
    [Test]
    public void Tick_Positive_Ticks()
    {
        RunGoroutine(async () =>
        {
            Channel<DateTime>? c = GoTime.Tick(TimeSpan.FromMilliseconds(50));
            Assert.That(c, Is.Not.Null);
            await c!.ReceiveAsync();
            await c.ReceiveAsync();
        });
    }

    [Test]
    public void Ticker_InSelectWithTimeout_TicksWin()
    {
        RunGoroutine(async () =>
        {
            GoTime.Ticker ticker = GoTime.NewTicker(Period);
            Channel<DateTime> timeout = GoTime.After(TimeSpan.FromSeconds(5));
            int ticks = 0;
            using var s = new Select();
            while (ticks < 5)
            {
                s.Reset();
                int tick = s.Receive(ticker.C);
                s.Receive(timeout);
                Assert.That(await s.WaitAsync(), Is.EqualTo(tick));
                ticks++;
            }
            ticker.Stop();
        });
    }
}
