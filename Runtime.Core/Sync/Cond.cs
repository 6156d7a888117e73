using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Go's <c>sync.Cond</c>: a rendezvous point for goroutines waiting for an event, on top of a ticket-based notify
/// list (Go's <c>notifyList</c>): Wait takes a ticket before unlocking <see cref="L"/>; <see cref="Signal"/> wakes
/// the oldest ticket (FIFO); <see cref="Broadcast"/> wakes all.
/// </summary>
public sealed class Cond
{
    // ---- The notify list ---------------------------------------------------------------------------------------

    /// <summary>The next ticket to hand out (Go's <c>wait</c>). Interlocked.</summary>
    private uint _wait;

    /// <summary>The next ticket to notify (Go's <c>notify</c>). Guarded by <see cref="_lock"/>; read racily.</summary>
    private uint _notify;

    private readonly Lock _lock = new();

    /// <summary>Waiters in ticket order; guarded by <see cref="_lock"/>.</summary>
    private readonly WaitQueue _waiters = new();

    /// <summary>Creates a condition variable on <paramref name="locker"/>.</summary>
    /// <param name="locker">The lock held while observing or changing the condition.</param>
    public Cond(ILocker locker)
    {
        ArgumentNullException.ThrowIfNull(locker);
        L = locker;
    }

    /// <summary>The lock held while observing or changing the condition.</summary>
    public ILocker L { get; }

    /// <summary>Unlocks <see cref="L"/>, blocks until signalled, and locks <see cref="L"/> again.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public void Wait([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        uint ticket = Interlocked.Increment(ref _wait) - 1;
        L.Unlock();
        Waiter<bool>? w = Publish(ticket, new CallerLocation(member, file, line));
        if (w is not null)
        {
            w.Block();
            w.Return();
        }
        L.Lock();
    }

    /// <summary>Unlocks <see cref="L"/>, waits until signalled, and locks <see cref="L"/> again.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public WaitAwaitable WaitAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
        => new(WaitSlowAsync(new CallerLocation(member, file, line)));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitSlowAsync(CallerLocation site)
    {
        uint ticket = Interlocked.Increment(ref _wait) - 1;
        L.Unlock();
        Waiter<bool>? w = Publish(ticket, site);
        if (w is not null)
        {
            await new WaiterAwaitable(w);
            w.Return();
        }
        await L.LockAsync();
    }

    /// <summary>Go's <c>notifyListWait</c>: queues for <paramref name="ticket"/> unless already notified.</summary>
    private Waiter<bool>? Publish(uint ticket, in CallerLocation site)
    {
        _lock.Enter();
        if (Less(ticket, _notify))
        {
            _lock.Exit();
            return null;
        }
        Waiter<bool> w = Waiter<bool>.Rent();
        w.Ticket = ticket;
        w.G?.PrepareToPark(WaitReason.SyncCondWait, site);
        _waiters.Enqueue(w);
        _lock.Exit();
        return w;
    }

    /// <summary>Wakes the goroutine that has waited longest, if any.</summary>
    public void Signal()
    {
        if (Volatile.Read(ref _wait) == Volatile.Read(ref _notify))
        {
            return;
        }
        _lock.Enter();
        uint t = _notify;
        if (t == Volatile.Read(ref _wait))
        {
            _lock.Exit();
            return;
        }
        _notify = t + 1;
        // The waiter with ticket t may not have queued yet; then it will see it was notified.
        Waiter? found = null;
        for (Waiter? w = _waiters.Head; w is not null; w = w.Next)
        {
            if (w.Ticket == t)
            {
                found = w;
                break;
            }
        }
        if (found is not null)
        {
            _waiters.Remove(found);
        }
        _lock.Exit();
        found?.Wake();
    }

    /// <summary>Wakes every waiting goroutine.</summary>
    public void Broadcast()
    {
        if (Volatile.Read(ref _wait) == Volatile.Read(ref _notify))
        {
            return;
        }
        Waiter? chain = null, last = null;
        _lock.Enter();
        _notify = Volatile.Read(ref _wait);
        while (_waiters.Head is { } w)
        {
            // Unlinked waiters are chained through Next in ticket order (Go readies them oldest first).
            _waiters.Remove(w);
            if (last is null)
            {
                chain = w;
            }
            else
            {
                last.Next = w;
            }
            last = w;
        }
        _lock.Exit();
        while (chain is not null)
        {
            Waiter? next = chain.Next;
            chain.Next = null;
            chain.Wake();
            chain = next;
        }
    }

    /// <summary>Ticket order with wraparound (Go's <c>less</c>).</summary>
    private static bool Less(uint a, uint b) => (int)(a - b) < 0;
}
