using System.Diagnostics;

namespace GoSched.Core;

/// <summary>
/// An intrusive FIFO of <see cref="Waiter"/>s (Go's <c>waitq</c>). Not thread-safe: every member is called under
/// the lock of the primitive that owns the queue.
/// </summary>
internal sealed class WaitQueue
{
    private Waiter? _head;
    private Waiter? _tail;

    /// <summary>True when no waiter is queued.</summary>
    internal bool IsEmpty => _head is null;

    /// <summary>
    /// True when a waiter that is not a select case is queued (Debug invariants only: O(n)). Select cases are left
    /// out because a select may wait on both ends of one channel, and a case whose select was won elsewhere stays
    /// queued until its select removes it; Go's channels allow both.
    /// </summary>
    internal bool HasPlainWaiter()
    {
        for (Waiter? w = _head; w is not null; w = w.Next)
        {
            if (w.Select is null)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The oldest waiter, or null.</summary>
    internal Waiter? Head => _head;

    /// <summary>Appends at the tail.</summary>
    internal void Enqueue(Waiter w)
    {
        Debug.Assert(!w.Queued, "waiter queued twice");
        w.Queued = true;
        w.Next = null;
        w.Prev = _tail;
        if (_tail is null)
        {
            _head = w;
        }
        else
        {
            _tail.Next = w;
        }
        _tail = w;
    }

    /// <summary>Inserts at the head (Go's semaphore <c>lifo</c> queueing).</summary>
    internal void EnqueueFront(Waiter w)
    {
        Debug.Assert(!w.Queued, "waiter queued twice");
        w.Queued = true;
        w.Prev = null;
        w.Next = _head;
        if (_head is null)
        {
            _tail = w;
        }
        else
        {
            _head.Prev = w;
        }
        _head = w;
    }

    /// <summary>Unlinks <paramref name="w"/> if it is still queued (a waker may have dequeued it already).</summary>
    internal void Remove(Waiter w)
    {
        if (!w.Queued)
        {
            return;
        }
        if (w.Prev is null)
        {
            _head = w.Next;
        }
        else
        {
            w.Prev.Next = w.Next;
        }
        if (w.Next is null)
        {
            _tail = w.Prev;
        }
        else
        {
            w.Next.Prev = w.Prev;
        }
        w.Next = w.Prev = null;
        w.Queued = false;
    }

    /// <summary>
    /// Dequeues the oldest waiter that can be claimed, dropping select cases whose select already completed
    /// (Go's <c>dequeue</c>). The returned waiter is the caller's to complete and wake.
    /// </summary>
    internal Waiter? DequeueClaimed()
    {
        while (_head is { } w)
        {
            Remove(w);
            if (w.TryClaim())
            {
                return w;
            }
        }
        return null;
    }
}
