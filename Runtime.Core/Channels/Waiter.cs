using System.Diagnostics;

namespace GoSched.Core;

/// <summary>
/// A blocked operation published on a wait queue (Go's <c>sudog</c>). The owner fills <see cref="G"/> (or
/// <see cref="Foreign"/> when the caller is not a goroutine) before it publishes the waiter under the primitive's
/// lock; a waker dequeues it under the same lock, fills the result, releases the lock and calls <see cref="Wake"/>
/// exactly once. After <see cref="Wake"/> the waker never touches the waiter again: the owner may reuse it.
/// </summary>
internal class Waiter
{
    // ---- Set by the owner before publication; stable until the owner resumes ---------------------------------

    /// <summary>The parked goroutine, or null for a caller outside any goroutine.</summary>
    internal Goroutine? G;

    /// <summary>How a caller outside any goroutine is woken (null for goroutines).</summary>
    internal ForeignSignal? Foreign;

    /// <summary>The select this waiter is a case of (Go's <c>isSelect</c>), or null for a plain operation.</summary>
    internal GoSched.Select? Select;

    /// <summary>The case index inside <see cref="Select"/>.</summary>
    internal int CaseIndex;

    // ---- Guarded by the lock of the queue the waiter is on ---------------------------------------------------

    /// <summary>Queue links.</summary>
    internal Waiter? Next, Prev;

    /// <summary>True while the waiter is linked on a queue.</summary>
    internal bool Queued;

    // ---- Written by the waker before <see cref="Wake"/>; read by the owner after it resumes -------------------

    /// <summary>True when the operation completed (a value was delivered); false when woken by close.</summary>
    internal bool Success;

    /// <summary>A ticket (the semaphore hand-off flag, or a Cond notify ticket).</summary>
    internal uint Ticket;

    // ---- Owner only -------------------------------------------------------------------------------------------

    /// <summary>Link on the owning goroutine's free list.</summary>
    internal Waiter? NextFree;

    /// <summary>
    /// Claims the waiter for a waker: always true for a plain operation; for a select case, true only for the
    /// first waker of that select (Go's <c>selectDone</c> compare-and-swap). Called under the queue's lock.
    /// </summary>
    internal bool TryClaim() => Select is null || Select.TryWin(this);

    /// <summary>Drops the carried value (so the waiter keeps nothing alive).</summary>
    internal virtual void ClearValue()
    {
    }

    /// <summary>Wakes the owner (Go's <c>goready</c>). Called once per published waiter, outside the lock.</summary>
    internal void Wake()
    {
        Goroutine? g = G;
        if (g is not null)
        {
            g.Ready();
            return;
        }
        Debug.Assert(Foreign is not null, "a foreign waiter needs a signal");
        Foreign!.Signal();
    }

    /// <summary>Blocks the owner until woken: the goroutine's thread, or the foreign thread.</summary>
    internal void Block()
    {
        if (G is { } g)
        {
            g.BlockThread();
        }
        else
        {
            Foreign!.Wait();
        }
    }

    /// <summary>Registers the continuation of an async owner (an awaiter's <c>UnsafeOnCompleted</c>).</summary>
    internal void OnCompleted(Action continuation)
    {
        if (G is { } g)
        {
            g.SetResume(continuation);
        }
        else
        {
            Foreign!.OnCompleted(continuation);
        }
    }
}

/// <summary>A waiter that carries a value of the channel's element type.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class Waiter<T> : Waiter
{
    /// <summary>The value being sent, or the value received.</summary>
    internal T Value = default!;

    /// <inheritdoc/>
    internal override void ClearValue() => Value = default!;

    /// <summary>
    /// Gets a waiter for the calling goroutine (from its free list) or, outside any goroutine, a fresh waiter with
    /// its own <see cref="ForeignSignal"/>. The caller sets nothing else before publishing.
    /// </summary>
    internal static Waiter<T> Rent()
    {
        Goroutine? g = Goroutine.Current;
        if (g is null)
        {
            return new Waiter<T> { Foreign = new ForeignSignal() };
        }
        Waiter? prev = null;
        for (Waiter? w = g.WaiterFreeList; w is not null; prev = w, w = w.NextFree)
        {
            if (w is Waiter<T> typed)
            {
                if (prev is null)
                {
                    g.WaiterFreeList = w.NextFree;
                }
                else
                {
                    prev.NextFree = w.NextFree;
                }
                g.WaiterFreeCount--;
                typed.NextFree = null;
                typed.G = g;
                return typed;
            }
        }
        return new Waiter<T> { G = g };
    }

    /// <summary>Returns a waiter after its owner resumed (no waker references it any more).</summary>
    internal void Return()
    {
        Debug.Assert(!Queued, "returning a queued waiter");
        Value = default!;
        Select = null;
        Success = false;
        Ticket = 0;
        Goroutine? g = G;
        if (g is null || g.WaiterFreeCount >= Goroutine.MaxCachedWaiters || g != Goroutine.Current)
        {
            return;
        }
        NextFree = g.WaiterFreeList;
        g.WaiterFreeList = this;
        g.WaiterFreeCount++;
    }
}
