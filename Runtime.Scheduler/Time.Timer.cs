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
    /// Go's <c>time.After</c>: <c>NewTimer(duration).C</c>. As in Go 1.23 there is no way to stop the timer, nothing
    /// leaks after it fires, and the timer is collected once the program drops the channel.
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
    /// <para><see cref="C"/> reports <see cref="Channel{T}.Len"/> and <see cref="Channel{T}.Cap"/> 0, as Go 1.23's
    /// synchronous timer channels do (internally it keeps one value). A timer that the program no longer references
    /// (neither the timer nor its channel) is collected even if it was never stopped, as in Go 1.23.</para>
    /// <para><b>Differences from Go.</b> <see cref="C"/> is an ordinary <see cref="Channel{T}"/>, not a receive-only
    /// channel: sending on it or closing it is a misuse that Go rejects at compile time (a firing on a closed channel
    /// is dropped). An unreferenced armed timer leaves its heap, and stops counting as a pending timer for deadlock
    /// detection, only when it comes due (Go 1.23 keeps a channel timer in a heap only while a goroutine waits on its
    /// channel). Go runs an expired timer inline when a goroutine receives from its channel; here it fires at the
    /// next scheduling point of any P.</para>
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

        /// <summary>The runtime half (tests inspect its heap entry).</summary>
        internal ChannelTimer Core => _core;

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
