using GoSched.Core;

namespace GoSched;

/// <content>Closing (Go's <c>closechan</c>).</content>
public sealed partial class Channel<T>
{
    /// <summary>
    /// Closes the channel: every waiting receiver gets (zero, false), every waiting sender panics "send on closed
    /// channel"; buffered values are still delivered to later receivers.
    /// </summary>
    /// <exception cref="RuntimePanicException">"close of closed channel".</exception>
    public void Close()
    {
        Waiter? chain = null;
        Gate.Enter();
        AssertInvariants();
        if (_closed)
        {
            Gate.Exit();
            throw new RuntimePanicException("close of closed channel");
        }
        _closed = true;
        while (_receivers.DequeueClaimed() is { } r)
        {
            ((Waiter<T>)r).Value = default!;
            r.Success = false;
            r.Next = chain; // unlinked: Next is free to chain the waiters to wake
            chain = r;
        }
        while (_senders.DequeueClaimed() is { } s)
        {
            s.Success = false;
            s.Next = chain;
            chain = s;
        }
        Gate.Exit();

        // Ready every waiter after unlocking, as Go does; read the link before waking (the owner may reuse it).
        while (chain is not null)
        {
            Waiter next = chain.Next!;
            chain.Next = null;
            chain.Wake();
            chain = next;
        }
    }
}
