using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// The runtime half of <see cref="Time.Timer"/> and <see cref="Time.Ticker"/> (Go's channel timer, <c>timer</c> with
/// <c>isChan</c>): a <see cref="TimerEntry"/> whose firing sends the due time into a one-slot channel without blocking.
/// </summary>
/// <remarks>
/// <para><b>Go 1.23 semantics.</b> No value prepared before a Stop or Reset is received after it. Three things make
/// that hold:</para>
/// <list type="number">
/// <item>Stop and Reset disarm the entry (<see cref="Scheduler.StopTimer"/>), then bump
/// <see cref="TimerEntry.Sequence"/>, then (Reset) re-arm it. A firing carries the sequence that the heap held when
/// it took the entry; the take happens under the heap lock, so a take that precedes the disarm carries the old
/// sequence, and no take can happen between the disarm and the re-arm.</item>
/// <item>The firing compares its sequence with the current one under <see cref="_lock"/> and sends only if they
/// match; Stop and Reset hold the same lock, so a firing is either entirely before them or sees the new
/// sequence.</item>
/// <item>Stop and Reset drain the channel's buffer under <see cref="_lock"/>, discarding a value that was sent but
/// not yet received.</item>
/// </list>
/// <para>The channel has one slot but reports <c>Len</c> and <c>Cap</c> 0 (Go 1.23's synchronous timer channels):
/// with the sequence check and the drain, a receiver cannot tell the slot from a rendezvous.</para>
/// <para><b>Garbage collection</b> (Go 1.23: unreferenced, unstopped timers and tickers are collected). The heap
/// entry's argument is a <see cref="HeapHandle"/>, which holds this object only through a weak reference. The
/// program reaches this object through the <see cref="Time.Timer"/>/<see cref="Time.Ticker"/> or through the channel
/// (whose <see cref="Channel{T}.Timer"/> points back here). When it drops both, the collector takes the timer; its
/// entry stays in the heap until its next due time, when the firing finds the weak reference cleared and drops the
/// entry (a ticker's) or simply ends (a one-shot timer's, already out of the heap). A receiver waiting on the channel
/// pins the timer to its handle (<see cref="IChannelTimer.OnReceiverBlocking"/>) until a firing finds no receiver
/// waiting, so a waiting receiver is never left with a collected timer.</para>
/// <para><b>Lock order.</b> <see cref="_lock"/>, then a heap lock (Stop/Reset) or the channel's lock (firing, drain).
/// Nothing takes <see cref="_lock"/> while holding either, because <see cref="Scheduler"/> runs callbacks outside the
/// heap lock and the channel's hooks take no lock.</para>
/// <para><b>Accounting.</b> The entry counts as a pending timer (deadlock detection) while it sits in a heap: a
/// one-shot timer until it fires or is stopped, a ticker until it is stopped or found collected, as in Go.</para>
/// </remarks>
internal sealed class ChannelTimer : IChannelTimer
{
    private static readonly Action<object?, long, int> s_fire = static (arg, when, seq) => ((HeapHandle)arg!).Fire(when, seq);

    private readonly Scheduler _scheduler;

    /// <summary>What the heap entry holds instead of this object (see the remarks). Immutable.</summary>
    private readonly HeapHandle _handle;

    /// <summary>Go's <c>timer.mu</c>: serializes Stop, Reset and the firing's sequence check and send.</summary>
    private readonly Lock _lock = new();

    // ---- Guarded by _lock ------------------------------------------------------------------------------------

    /// <summary>The heap entry. Its <see cref="TimerEntry.Sequence"/> and <see cref="TimerEntry.Period"/> are
    /// written only under <see cref="_lock"/> while the entry is in no heap.</summary>
    private readonly TimerEntry _entry;

    /// <summary>One-shot only: armed and its value not yet handed to the channel (so Stop would prevent a send).</summary>
    private bool _pending;

    /// <summary>Creates a disarmed channel timer.</summary>
    /// <param name="scheduler">The scheduler whose heaps hold the timer.</param>
    internal ChannelTimer(Scheduler scheduler)
    {
        _scheduler = scheduler;
        _handle = new HeapHandle(this, scheduler);
        _entry = _handle.Entry;
        Channel = new Channel<DateTime>(this);
    }

    /// <summary>The heap entry; tests use it to replay a firing that raced with Stop or Reset (its
    /// <see cref="TimerEntry.Argument"/> is the argument the callback expects).</summary>
    internal TimerEntry Entry => _entry;

    /// <summary>The channel: one slot (so that a firing never blocks the M that runs it), reported as unbuffered.</summary>
    internal Channel<DateTime> Channel { get; }

    /// <summary>Arms the timer to fire after <paramref name="duration"/>, then every <paramref name="period"/>
    /// Stopwatch ticks if that is positive. The timer must be disarmed (new, or just stopped).</summary>
    internal void Start(TimeSpan duration, long period)
    {
        lock (_lock)
        {
            ArmLocked(duration, period);
        }
    }

    /// <summary>
    /// Go's <c>t.stop</c>: disarms the timer and discards an unreceived value. Returns true if that prevented a value
    /// from being received (the timer was armed, or its value was still buffered). For a ticker the result is
    /// meaningless (Go's <c>Ticker.Stop</c> returns nothing).
    /// </summary>
    internal bool Stop()
    {
        lock (_lock)
        {
            return DisarmLocked();
        }
    }

    /// <summary>Go's <c>t.reset</c>: <see cref="Stop"/>, then arms again with the given first delay and period.
    /// Returns what <see cref="Stop"/> would have.</summary>
    internal bool Reset(TimeSpan duration, long period)
    {
        lock (_lock)
        {
            bool prevented = DisarmLocked();
            ArmLocked(duration, period);
            return prevented;
        }
    }

    private void ArmLocked(TimeSpan duration, long period)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && _entry.Heap is null);
        _entry.Period = period;
        _pending = period == 0;
        _scheduler.AddTimer(_entry, Time.Deadline(duration));
    }

    private bool DisarmLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        bool prevented = _scheduler.StopTimer(_entry) | _pending;
        _pending = false;
        // After the disarm: every take that could still be running a callback carries the old sequence.
        _entry.Sequence++;
        // Go's timerchandrain: a value that was sent but not received is stale now.
        prevented |= Channel.TryReceive(out _, out bool ok) && ok;
        return prevented;
    }

    /// <summary>The entry's callback, run on an M outside the heap lock: sends the due time unless stale.</summary>
    private void Fire(long scheduledWhen, int sequence)
    {
        lock (_lock)
        {
            if (sequence != _entry.Sequence)
            {
                return; // armed before a Stop or Reset that has happened since
            }
            _pending = false;
            // Go adjusts the value back by the lateness, so it reads as the time the timer was due.
            DateTime due = DateTime.Now - Stopwatch.GetElapsedTime(scheduledWhen);
            // Non-blocking: a ticker whose receiver is slow keeps at most one tick and drops the rest. Go's C is
            // receive-only; ours can be closed by mistake, and that must not take down the M running timers.
            if (!Channel.IsClosed)
            {
                try
                {
                    Channel.TrySend(due);
                }
                catch (RuntimePanicException)
                {
                    // closed between the check and the send: the value is dropped, as for a full buffer
                }
            }
        }
        // A racy read, as a hint: a receiver that pins after it stays pinned until a later firing, which only delays
        // collection. A pin made before the send above is seen (the channel's lock orders the two).
        if (Volatile.Read(ref _handle.Pinned) is not null)
        {
            Channel.ReleaseTimerIfNoReceivers();
        }
    }

    /// <inheritdoc/>
    void IChannelTimer.OnReceiverBlocking() => _handle.Pinned = this;

    /// <inheritdoc/>
    void IChannelTimer.OnNoBlockedReceivers() => _handle.Pinned = null;

    /// <summary>
    /// The heap's view of a channel timer: the entry, a weak reference to the timer and, while a receiver may be
    /// waiting on the channel, a strong one. See the remarks of <see cref="ChannelTimer"/>.
    /// </summary>
    private sealed class HeapHandle
    {
        // ---- Immutable -------------------------------------------------------------------------------------

        /// <summary>The timer, weakly: the heap must not keep an unreferenced timer alive.</summary>
        private readonly WeakReference<ChannelTimer> _timer;

        /// <summary>The scheduler whose heaps hold <see cref="Entry"/> (to drop it once the timer is gone).</summary>
        private readonly Scheduler _scheduler;

        internal HeapHandle(ChannelTimer timer, Scheduler scheduler)
        {
            _timer = new WeakReference<ChannelTimer>(timer);
            _scheduler = scheduler;
            Entry = new TimerEntry { Callback = s_fire, Argument = this };
        }

        /// <summary>The heap entry (its own fields follow <see cref="TimerEntry"/>'s ownership rules).</summary>
        internal readonly TimerEntry Entry;

        // ---- Written under the channel's lock ---------------------------------------------------------------

        /// <summary>
        /// The timer, while a receiver may be waiting on its channel (Go's <c>t.blocked &gt; 0</c>), else null.
        /// Written only under the channel's lock (<see cref="IChannelTimer"/>: set when a receiver blocks, cleared
        /// when a firing finds none waiting); read racily by the firing as a hint, and by the collector.
        /// </summary>
        internal ChannelTimer? Pinned;

        /// <summary>The entry's callback, run on an M outside the heap lock.</summary>
        internal void Fire(long scheduledWhen, int sequence)
        {
            if (_timer.TryGetTarget(out ChannelTimer? timer))
            {
                timer.Fire(scheduledWhen, sequence);
                return;
            }
            // Collected: nothing can receive from the channel or stop the timer any more. A ticker's entry is still
            // in the heap (a one-shot entry has already left it): drop it, which also ends its pending-timer count.
            _scheduler.StopTimer(Entry);
        }
    }
}
