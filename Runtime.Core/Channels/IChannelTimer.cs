namespace GoSched.Core;

/// <summary>
/// The runtime timer that feeds a timer channel (Go's <c>hchan.timer</c>), as the channel sees it. The channel holds
/// it strongly, so a program that keeps only the channel (<c>Time.After</c>, <c>Time.Tick</c>) keeps the timer alive;
/// the timer's heap entry holds the timer only weakly, so an unreferenced timer can be collected (Go 1.23).
/// </summary>
/// <remarks>
/// A receiver blocked on the channel must keep the timer reachable from its heap entry, or it could wait for a value
/// that a collected timer never sends (a blocked synchronous receiver's frames do not necessarily keep the channel
/// alive). Go keeps a channel timer in a heap while <c>t.blocked &gt; 0</c>; here the channel tells the timer when a
/// receiver blocks (<see cref="OnReceiverBlocking"/>) and, when the timer asks, whether none is blocked any more
/// (<see cref="OnNoBlockedReceivers"/>). Both are called under the channel's lock, so they are totally ordered, and
/// must take no lock.
/// </remarks>
internal interface IChannelTimer
{
    /// <summary>Go's <c>blockTimerChan</c>: a receiver (a plain receive or a select case) is about to wait on the
    /// channel. Called under the channel's lock.</summary>
    void OnReceiverBlocking();

    /// <summary>No receiver waits on the channel. Called under the channel's lock, from
    /// <see cref="GoSched.Channel{T}.ReleaseTimerIfNoReceivers"/>.</summary>
    void OnNoBlockedReceivers();
}
