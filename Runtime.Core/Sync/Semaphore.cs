using System.Runtime.CompilerServices;

namespace GoSched.Core;

/// <summary>
/// The runtime semaphore the sync primitives park on (Go's <c>sema.go</c>: <c>semacquire1</c> and
/// <c>semrelease1</c>). Go keys waiters by address in a global treap; here every primitive owns its semaphore
/// object, which plays the role of one address.
/// </summary>
/// <remarks>
/// <para>Invariant: under <see cref="_lock"/>, <see cref="_waiters"/> equals the number of queued waiters.</para>
/// <para>Lost wake-ups are avoided as in Go: an acquirer increments <see cref="_waiters"/> under the lock and then
/// retries the decrement before it queues; a releaser increments the count first and reads
/// <see cref="_waiters"/> after (both Interlocked, full fences).</para>
/// </remarks>
internal sealed class Semaphore
{
    // ---- Interlocked only -------------------------------------------------------------------------------------

    /// <summary>The semaphore count (Go's <c>*addr</c>).</summary>
    private int _value;

    /// <summary>Go's <c>semaRoot.nwait</c>: written under <see cref="_lock"/>, read racily by releasers.</summary>
    private int _waiters;

    // ---- Guarded by _lock -----------------------------------------------------------------------------------
    private readonly Lock _lock = new();
    private readonly WaitQueue _queue = new();

    /// <summary>Creates a semaphore with count <paramref name="initial"/>.</summary>
    internal Semaphore(int initial = 0) => _value = initial;

    /// <summary>Go's <c>cansemacquire</c>: decrements the count if positive.</summary>
    internal bool TryAcquire()
    {
        int v = Volatile.Read(ref _value);
        while (v > 0)
        {
            int prev = Interlocked.CompareExchange(ref _value, v - 1, v);
            if (prev == v)
            {
                return true;
            }
            v = prev;
        }
        return false;
    }

    /// <summary>Go's <c>semacquire1</c>, blocking form.</summary>
    /// <param name="lifo">Queue at the head (a Mutex waiter that lost the race after waking).</param>
    /// <param name="reason">The wait reason while parked.</param>
    /// <param name="site">The user call site.</param>
    internal void Acquire(bool lifo, WaitReason reason, in CallerLocation site)
    {
        if (TryAcquire())
        {
            return;
        }
        while (true)
        {
            Waiter<bool>? w = Publish(lifo, reason, site);
            if (w is null)
            {
                return;
            }
            w.Block();
            bool handedOff = w.Ticket != 0;
            w.Return();
            if (handedOff || TryAcquire())
            {
                return;
            }
        }
    }

    /// <summary>Go's <c>semacquire1</c>, async form (completed at once on the fast path).</summary>
    internal ValueTask AcquireAsync(bool lifo, WaitReason reason, in CallerLocation site)
        => TryAcquire() ? default : AcquireSlowAsync(lifo, reason, site);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AcquireSlowAsync(bool lifo, WaitReason reason, CallerLocation site)
    {
        while (true)
        {
            Waiter<bool>? w = Publish(lifo, reason, site);
            if (w is null)
            {
                return;
            }
            await new WaiterAwaitable(w);
            bool handedOff = w.Ticket != 0;
            w.Return();
            if (handedOff || TryAcquire())
            {
                return;
            }
        }
    }

    /// <summary>Queues a waiter, unless the count can be taken under the lock (then returns null).</summary>
    private Waiter<bool>? Publish(bool lifo, WaitReason reason, in CallerLocation site)
    {
        _lock.Enter();
        Interlocked.Increment(ref _waiters);
        if (TryAcquire())
        {
            Interlocked.Decrement(ref _waiters);
            _lock.Exit();
            return null;
        }
        Waiter<bool> w = Waiter<bool>.Rent();
        w.Ticket = 0;
        w.G?.PrepareToPark(reason, site);
        if (lifo)
        {
            _queue.EnqueueFront(w);
        }
        else
        {
            _queue.Enqueue(w);
        }
        _lock.Exit();
        return w;
    }

    /// <summary>
    /// Go's <c>semrelease1</c>: increments the count and wakes the oldest waiter. With <paramref name="handoff"/>
    /// (Mutex starvation mode) the count is passed straight to that waiter and, as Go's <c>goyield</c>, the releaser
    /// gives up its processor: the waiter, just readied into the releaser's runnext, runs at once on this P and
    /// the releaser waits at the tail of the local run queue (see <see cref="IGoroutineScheduler.YieldToLocalTail"/>).
    /// </summary>
    /// <remarks>
    /// The releaser's code is synchronous (<c>Unlock</c> returns nothing to await), so the yield blocks its thread
    /// while its P runs the waiter, for async goroutines as for synchronous ones. As in Go, only a hand-off yields:
    /// without one, another goroutine could take the count while the releaser yields, wasting the switch (Go issue
    /// 33747). Outside a goroutine there is nothing to yield.
    /// </remarks>
    internal void Release(bool handoff)
    {
        Interlocked.Increment(ref _value);
        if (Volatile.Read(ref _waiters) == 0)
        {
            return;
        }
        _lock.Enter();
        if (Volatile.Read(ref _waiters) == 0)
        {
            _lock.Exit();
            return;
        }
        Waiter w = _queue.DequeueClaimed()!;
        Interlocked.Decrement(ref _waiters);
        _lock.Exit();
        bool handedOff = handoff && TryAcquire();
        if (handedOff)
        {
            w.Ticket = 1;
        }
        w.Wake();
        if (handedOff && Goroutine.Current is { } g)
        {
            g.Scheduler.YieldToLocalTail(g); // Go's goyield: the waiter inherits the rest of our time slice
        }
    }
}
