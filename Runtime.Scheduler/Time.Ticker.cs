using GoSched.Scheduling;

namespace GoSched;

/// <content>Go's <c>time.Ticker</c>, <c>time.NewTicker</c> and <c>time.Tick</c>, with Go 1.23 semantics.</content>
public static partial class Time
{
    /// <summary>
    /// Go's <c>time.NewTicker</c>: a ticker that sends the time on <see cref="Ticker.C"/> every
    /// <paramref name="period"/>. A slow receiver finds at most one tick waiting; the rest are dropped, never sent in a
    /// burst.
    /// </summary>
    /// <param name="period">The interval; must be positive.</param>
    /// <returns>The running ticker.</returns>
    /// <exception cref="PanicException">"non-positive interval for NewTicker" when <paramref name="period"/> ≤ 0.</exception>
    public static Ticker NewTicker(TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new PanicException("non-positive interval for NewTicker");
        }
        return new Ticker(Scheduler.Current, period);
    }

    /// <summary>
    /// Go's <c>time.Tick</c>: the channel of a new ticker, or null (a nil channel) when <paramref name="period"/> ≤ 0.
    /// The ticker cannot be stopped; it runs, and keeps the runtime's deadlock detection quiet, while the program
    /// references the channel, and is collected after that (Go 1.23).
    /// </summary>
    /// <param name="period">The interval.</param>
    /// <returns>The ticker's channel, or null.</returns>
    public static Channel<DateTime>? Tick(TimeSpan period) => period <= TimeSpan.Zero ? null : NewTicker(period).C;

    /// <summary>
    /// Go's <c>time.Ticker</c> with Go 1.23 semantics: after <see cref="Stop"/> or <see cref="Reset"/> returns, no
    /// tick prepared before the call is received from <see cref="C"/>.
    /// </summary>
    /// <remarks>
    /// <para>The channel has one slot and ticks are sent without blocking, so a receiver that falls behind finds one
    /// tick waiting and the next one about a period after it: missed periods are skipped (Go's
    /// <c>next = when + period*(1 + (now-when)/period)</c>).</para>
    /// <para>A running ticker counts as a pending timer, so deadlock detection does not report a program whose
    /// goroutines are all blocked while a ticker runs (Go's <c>checkdead</c> does the same). A ticker that the program
    /// no longer references (neither the ticker nor its channel) is collected even if never stopped, and its heap entry
    /// is dropped at its next tick. The notes on <see cref="Timer"/> apply here too.</para>
    /// </remarks>
    public sealed class Ticker
    {
        private readonly ChannelTimer _core;

        internal Ticker(Scheduler scheduler, TimeSpan period)
        {
            _core = new ChannelTimer(scheduler);
            _core.Start(period, Math.Max(1, DurationTicks(period)));
        }

        /// <summary>The channel on which the ticks are delivered (Go's <c>Ticker.C</c>). Receive only.</summary>
        public Channel<DateTime> C => _core.Channel;

        /// <summary>The runtime half (tests inspect its heap entry).</summary>
        internal ChannelTimer Core => _core;

        /// <summary>Go's <c>Ticker.Stop</c>: no more ticks are sent, and an unreceived tick is discarded. The channel
        /// is not closed.</summary>
        public void Stop() => _core.Stop();

        /// <summary>Go's <c>Ticker.Reset</c>: stops the ticker (discarding an unreceived tick) and restarts it with
        /// <paramref name="period"/>; the next tick comes after the new period.</summary>
        /// <param name="period">The new interval; must be positive.</param>
        /// <exception cref="PanicException">"non-positive interval for Ticker.Reset" when <paramref name="period"/> ≤ 0.</exception>
        public void Reset(TimeSpan period)
        {
            if (period <= TimeSpan.Zero)
            {
                throw new PanicException("non-positive interval for Ticker.Reset");
            }
            _core.Reset(period, Math.Max(1, DurationTicks(period)));
        }
    }
}
