using GoSched.Scheduling;

namespace GoSched;

/// <content>Go's <c>time.Timer</c>, <c>time.NewTimer</c> and <c>time.After</c>, with Go 1.23 semantics.</content>
public static partial class Time
{
    /// <summary>
    /// Go's <c>time.NewTimer</c>: a timer that sends the time it was due on <see cref="Timer.C"/> once, after at
    /// least <paramref name="duration"/>. A duration ≤ 0 fires at the next scheduling point.
    /// </summary>
    /// <param name="duration">The delay.</param>
    /// <returns>The armed timer.</returns>
    public static Timer NewTimer(TimeSpan duration) => new(Scheduler.Current, duration);

    /// <summary>
    /// Go's <c>time.After</c>: <c>NewTimer(duration).C</c>. As in Go 1.23 there is no way to stop the timer, and
    /// nothing leaks after it fires.
    /// </summary>
    /// <param name="duration">The delay.</param>
    /// <returns>A channel that receives the due time once.</returns>
    public static Channel<DateTime> After(TimeSpan duration) => NewTimer(duration).C;

    /// <summary>
    /// Go's <c>time.Timer</c> with Go 1.23 (<c>asynctimerchan=0</c>) semantics: after <see cref="Stop"/> or
    /// <see cref="Reset"/> returns, no value prepared before the call is received from <see cref="C"/>.
    /// </summary>
    /// <remarks>
    /// <para>Named <c>Time.Timer</c> so that it does not clash with <see cref="System.Threading.Timer"/>.</para>
    /// <para><b>Differences from Go.</b> <see cref="C"/> is an ordinary <see cref="Channel{T}"/> of capacity 1, not a
    /// receive-only channel: between the firing and the receive its <see cref="Channel{T}.Len"/> is 1 and its
    /// <see cref="Channel{T}.Cap"/> is always 1, where Go 1.23 reports 0 for both. Sending on it or closing it is a
    /// misuse that Go rejects at compile time (a firing on a closed channel is dropped). An armed timer that nobody
    /// references stays in its heap until it fires (Go 1.23 lets the collector take it; a stopped or fired timer is
    /// collectable here too). Go runs an expired timer inline when a goroutine receives from its channel; here it
    /// fires at the next scheduling point of any P.</para>
    /// </remarks>
    public sealed class Timer
    {
        private readonly ChannelTimer _core;

        internal Timer(Scheduler scheduler, TimeSpan duration)
        {
            _core = new ChannelTimer(scheduler);
            _core.Start(duration, period: 0);
        }

        /// <summary>The channel on which the due time is delivered (Go's <c>Timer.C</c>). Receive only.</summary>
        public Channel<DateTime> C => _core.Channel;

        /// <summary>
        /// Go's <c>Timer.Stop</c> (1.23): stops the timer. Returns true if the call prevented a value from being
        /// received: the timer had not fired, or it had fired and its value was still unreceived (the value is
        /// discarded). Returns false if the timer was already stopped or its value already received.
        /// </summary>
        /// <returns>Whether a value was prevented.</returns>
        public bool Stop() => _core.Stop();

        /// <summary>
        /// Go's <c>Timer.Reset</c> (1.23): stops the timer as <see cref="Stop"/> does (discarding an unreceived
        /// value), then arms it to fire once after <paramref name="duration"/>.
        /// </summary>
        /// <param name="duration">The new delay; ≤ 0 fires at the next scheduling point.</param>
        /// <returns>Whether the call prevented a value of the earlier arming from being received.</returns>
        public bool Reset(TimeSpan duration) => _core.Reset(duration, period: 0);
    }
}
