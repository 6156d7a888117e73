using System.Diagnostics;
using GoSched.Scheduling;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

namespace GoSched.Tests.Time;

/// <summary>
/// Replays, deterministically, the firing that races with Stop and Reset: the heap has taken the entry (with the
/// sequence current at that moment) but its callback has not run yet.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ChannelTimerTests
{
    [Test]
    public void Stop_WhileFiringInFlight_ReturnsTrueAndFiringSendsNothing()
    {
        var timer = new ChannelTimer(RuntimeScheduler.Default);
        timer.Start(TimeSpan.FromHours(1), period: 0);
        int sequence = TakeAsTheHeapWould(timer);

        Assert.That(timer.Stop(), Is.True, "Stop prevented the in-flight send");
        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence);
        Assert.That(timer.Channel.TryReceive(out _), Is.False, "stale firing sent a value after Stop");
    }

    [Test]
    public void Reset_WhileFiringInFlight_FiringSendsNothing()
    {
        var timer = new ChannelTimer(RuntimeScheduler.Default);
        timer.Start(TimeSpan.FromHours(1), period: 0);
        int sequence = TakeAsTheHeapWould(timer);

        Assert.That(timer.Reset(TimeSpan.FromHours(1), period: 0), Is.True);
        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence);
        Assert.That(timer.Channel.TryReceive(out _), Is.False, "stale firing sent a value after Reset");
        Assert.That(timer.Stop(), Is.True);
    }

    [Test]
    public void Firing_CurrentSequence_SendsOnceAndStopAfterReceiveReturnsFalse()
    {
        var timer = new ChannelTimer(RuntimeScheduler.Default);
        timer.Start(TimeSpan.FromHours(1), period: 0);
        int sequence = TakeAsTheHeapWould(timer);

        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence);
        Assert.That(timer.Channel.TryReceive(out _), Is.True);
        Assert.That(timer.Stop(), Is.False, "nothing left to prevent");
    }

    [Test]
    public void TickerFiring_BufferFull_DropsTheTick()
    {
        var timer = new ChannelTimer(RuntimeScheduler.Default);
        timer.Start(TimeSpan.FromHours(1), period: Stopwatch.Frequency);
        int sequence = timer.Entry.Sequence;

        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence);
        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence); // must not block
        Assert.That(timer.Channel.Len, Is.EqualTo(0), "a timer channel reports no buffered value (Go 1.23)");
        Assert.That(timer.Channel.TryReceive(out _), Is.True, "one tick kept");
        Assert.That(timer.Channel.TryReceive(out _), Is.False, "the second tick was dropped");
        timer.Entry.Callback!(timer.Entry.Argument, Stopwatch.GetTimestamp(), sequence);
        timer.Stop();
        Assert.That(timer.Channel.TryReceive(out _), Is.False, "Stop drains the pending tick");
    }

    [Test]
    public void Firing_TimerCollected_DropsTheTickerEntry()
    {
        TimerEntry entry = StartUnreferencedTicker();
        Assert.That(entry.Heap, Is.Not.Null, "armed");
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        // Replays the firing as the heap would: the callback finds the timer collected and drops the entry.
        entry.Callback!(entry.Argument, Stopwatch.GetTimestamp(), entry.Sequence);
        Assert.That(entry.Heap, Is.Null, "the entry of a collected ticker left its heap");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static TimerEntry StartUnreferencedTicker()
    {
        var timer = new ChannelTimer(RuntimeScheduler.Default);
        timer.Start(TimeSpan.FromHours(1), period: Stopwatch.Frequency * 3600);
        return timer.Entry;
    }

    // What Scheduler.RunTimers does for a due one-shot timer: read the sequence and remove the entry from its heap,
    // leaving the callback to run later.
    private static int TakeAsTheHeapWould(ChannelTimer timer)
    {
        int sequence = timer.Entry.Sequence;
        Assert.That(RuntimeScheduler.Default.StopTimer(timer.Entry), Is.True);
        return sequence;
    }
}
