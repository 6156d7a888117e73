using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// The global run queue (Go's <c>sched.runq</c>): an intrusive FIFO of goroutines linked through
/// <see cref="Goroutine.SchedLink"/>, guarded by its own lock.
/// </summary>
/// <remarks>
/// Go guards it with <c>sched.lock</c>; a separate lock here keeps Gosched-heavy code (every Gosched goes through
/// this queue) off the lock that guards the idle lists. The lost-wake-up argument that Go gets from the shared lock
/// is made explicitly instead: see "Releasing a P" in Scheduler.cs.
/// </remarks>
internal sealed class GlobalRunQueue
{
    private readonly RuntimeLock _lock = new();

    // Guarded by _lock.
    private Goroutine? _head;
    private Goroutine? _tail;

    // Written under _lock; read racily (Volatile.Read) by the lock-free emptiness checks.
    private int _count;

    /// <summary>Goroutines queued (racy snapshot).</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>Go's <c>globrunqput</c>: appends at the tail.</summary>
    internal void Put(Goroutine g)
    {
        _lock.Enter();
        try
        {
            AssertInvariants();
            g.SchedLink = null;
            if (_tail is null)
            {
                _head = g;
            }
            else
            {
                _tail.SchedLink = g;
            }
            _tail = g;
            Volatile.Write(ref _count, _count + 1);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Go's <c>globrunqputhead</c>: pushes at the head (used when a P is destroyed).</summary>
    internal void PutHead(Goroutine g)
    {
        _lock.Enter();
        try
        {
            AssertInvariants();
            g.SchedLink = _head;
            _head = g;
            _tail ??= g;
            Volatile.Write(ref _count, _count + 1);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Go's <c>globrunqputbatch</c>: appends a list already linked through SchedLink.</summary>
    internal void PutList(Goroutine first, Goroutine last, int count)
    {
        Debug.Assert(last.SchedLink is null);
        _lock.Enter();
        try
        {
            AssertInvariants();
            if (_tail is null)
            {
                _head = first;
            }
            else
            {
                _tail.SchedLink = first;
            }
            _tail = last;
            Volatile.Write(ref _count, _count + count);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Takes one goroutine from the head, or null.</summary>
    internal Goroutine? TryGetOne()
    {
        if (Count == 0)
        {
            return null;
        }
        _lock.Enter();
        try
        {
            AssertInvariants();
            return PopLocked();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Go's <c>globrunqget</c>: takes a batch for <paramref name="local"/>, sized
    /// <c>min(count, count/gomaxprocs + 1, ring/2)</c>; returns the first to run and puts the rest in the local
    /// ring.
    /// </summary>
    internal Goroutine? TryGetBatch(LocalRunQueue local, int gomaxprocs)
    {
        if (Count == 0)
        {
            return null;
        }
        Goroutine? first;
        int n;
        _lock.Enter();
        try
        {
            AssertInvariants();
            n = Math.Min(_count, _count / Math.Max(gomaxprocs, 1) + 1);
            n = Math.Min(n, local.Capacity / 2);
            if (n == 0)
            {
                return null;
            }
            // Cut the first n goroutines off as one chain; they go to the local ring after the lock is released.
            first = _head!;
            Goroutine last = first;
            for (int i = 1; i < n; i++)
            {
                last = last.SchedLink!;
            }
            _head = last.SchedLink;
            if (_head is null)
            {
                _tail = null;
            }
            last.SchedLink = null;
            Volatile.Write(ref _count, _count - n);
        }
        finally
        {
            _lock.Exit();
        }
        Goroutine? rest = first.SchedLink;
        first.SchedLink = null;
        while (rest is not null)
        {
            Goroutine next = rest.SchedLink!;
            rest.SchedLink = null;
            local.Put(rest, next: false, this);
            rest = next;
        }
        return first;
    }

    private Goroutine? PopLocked()
    {
        Goroutine? g = _head;
        if (g is null)
        {
            return null;
        }
        _head = g.SchedLink;
        if (_head is null)
        {
            _tail = null;
        }
        g.SchedLink = null;
        Volatile.Write(ref _count, _count - 1);
        return g;
    }

    /// <summary>Snapshot of the queued goroutines (for dumps and tests).</summary>
    internal List<Goroutine> Snapshot()
    {
        var list = new List<Goroutine>();
        _lock.Enter();
        try
        {
            for (Goroutine? g = _head; g is not null; g = g.SchedLink)
            {
                list.Add(g);
            }
        }
        finally
        {
            _lock.Exit();
        }
        return list;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Debug.Assert((_head is null) == (_tail is null) && (_head is null) == (_count == 0), "global runq shape");
        Debug.Assert(_tail is null || _tail.SchedLink is null, "global runq tail has a successor");
    }
}
