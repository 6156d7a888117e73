using GoSched.Core;

namespace GoSched;

/// <summary>
/// What every <see cref="Channel{T}"/> shares whatever its element type: the creation id that orders lock
/// acquisition in a select, and the hooks a <see cref="Select"/> drives under the channel's lock.
/// </summary>
public abstract class ChannelBase
{
    private static long s_nextId;

    /// <summary>Guards all mutable channel state (Go's <c>hchan.lock</c>).</summary>
    private protected readonly RuntimeLock Gate = new();

    private protected ChannelBase() => Id = Interlocked.Increment(ref s_nextId);

    /// <summary>A unique creation id; a select locks its channels in increasing id order.</summary>
    public long Id { get; }

    internal void EnterLock() => Gate.Enter();

    internal void ExitLock() => Gate.Exit();

    /// <summary>Select pass 1 for a send case: completes it if possible. Under the lock.</summary>
    /// <returns>Whether the case completed; <paramref name="closed"/> is set when the channel is closed.</returns>
    internal abstract bool SelectTrySendLocked(Waiter caseWaiter, out bool closed, out Waiter? wake);

    /// <summary>Select pass 1 for a receive case: completes it if possible, filling the case waiter.</summary>
    internal abstract bool SelectTryReceiveLocked(Waiter caseWaiter, out Waiter? wake);

    /// <summary>Select pass 2: publishes a case waiter on the send or receive queue. Under the lock.</summary>
    internal abstract void EnqueueLocked(Waiter caseWaiter, bool send);

    /// <summary>Select pass 3: unlinks a case waiter if still queued. Under the lock.</summary>
    internal abstract void RemoveLocked(Waiter caseWaiter, bool send);

    /// <summary>Creates a case waiter of the right element type.</summary>
    internal abstract Waiter NewCaseWaiter();

    /// <summary>True when <paramref name="w"/> is a case waiter of this channel's element type.</summary>
    internal abstract bool IsCaseWaiter(Waiter w);
}
