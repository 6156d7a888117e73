using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// The global run queue (Go's <c>sched.runq</c>): an unbounded FIFO of goroutines in a growable ring of slots,
/// guarded by its own lock.
/// </summary>
/// <remarks>
/// <para>Go guards it with <c>sched.lock</c>; a separate lock here keeps Gosched-heavy code (every Gosched goes
/// through this queue) off the lock that guards the idle lists. The lost-wake-up argument that Go gets from the
/// shared lock is made explicitly instead: see "Releasing a P" in Scheduler.cs.</para>
/// <para>Why a ring and not Go's list linked through the goroutines: a batch take (half the queue, for a P whose
/// local ring is empty) would walk the links of goroutines that other cores wrote last, one cache miss per
/// goroutine while the lock is held; with Gosched on two Ps that walk was the contended lock's hold time. Here a
/// batch take copies contiguous slots, and no goroutine's memory is touched under the lock.</para>
/// <para>The ring grows by doubling and, above 65,536 slots (512 KB), shrinks back when it is an eighth full (to
/// twice what it holds, 65,536 slots at least), so a burst of queued goroutines does not pin a large array forever.</para>
/// </remarks>
internal sealed class GlobalRunQueue
{
    internal const int MinCapacity = 64;
    private const int ShrinkAbove = 64 * 1024; // slots (512 KB); smaller rings are kept at their high-water size

    private readonly RuntimeLock _lock = new();

    // Guarded by _lock: the slots (a power-of-two length), the index of the first queued goroutine, and the count.
    // Slots outside [_head, _head + _count) are null so that finished goroutines are not kept reachable.
    private Goroutine?[] _slots = new Goroutine?[MinCapacity];
    private int _head;

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
            EnsureRoomLocked(1);
            _slots[(_head + _count) & (_slots.Length - 1)] = g;
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
            EnsureRoomLocked(1);
            _head = (_head - 1) & (_slots.Length - 1);
            _slots[_head] = g;
            Volatile.Write(ref _count, _count + 1);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Go's <c>globrunqputbatch</c>: appends <paramref name="batch"/>[0..<paramref name="count"/>) in order.</summary>
    internal void PutBatch(Goroutine?[] batch, int count)
    {
        _lock.Enter();
        try
        {
            AssertInvariants();
            EnsureRoomLocked(count);
            int mask = _slots.Length - 1;
            int tail = _head + _count;
            for (int i = 0; i < count; i++)
            {
                Debug.Assert(batch[i] is not null);
                _slots[(tail + i) & mask] = batch[i];
            }
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
            return _count == 0 ? null : PopLocked();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Go's <c>globrunqget</c>: takes a batch for <paramref name="local"/>, sized
    /// <c>min(count, count/gomaxprocs + 1, ring/2)</c>; returns the first to run and puts the rest in the local
    /// ring. Called by the owner of <paramref name="local"/>.
    /// </summary>
    internal Goroutine? TryGetBatch(LocalRunQueue local, int gomaxprocs)
    {
        if (Count == 0)
        {
            return null;
        }
        _lock.Enter();
        try
        {
            AssertInvariants();
            int n = Math.Min(_count, _count / Math.Max(gomaxprocs, 1) + 1);
            n = Math.Min(n, local.Capacity / 2);
            if (n == 0)
            {
                return null;
            }
            Debug.Assert(local.Count + n - 1 <= local.Capacity, "a batch take must not overflow the local ring");
            Goroutine first = PopLocked();
            for (int i = 1; i < n; i++)
            {
                // The local ring has room for half its capacity here (it was empty when the owner came looking,
                // and only the owner pushes), so these puts never overflow back into this queue.
                local.Put(PopLocked(), next: false, this);
            }
            ShrinkIfSparseLocked();
            return first;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private Goroutine PopLocked()
    {
        Debug.Assert(_count > 0);
        Goroutine g = _slots[_head]!;
        _slots[_head] = null;
        _head = (_head + 1) & (_slots.Length - 1);
        Volatile.Write(ref _count, _count - 1);
        return g;
    }

    private void EnsureRoomLocked(int extra)
    {
        if (_count + extra <= _slots.Length)
        {
            return;
        }
        int capacity = _slots.Length;
        while (capacity < _count + extra)
        {
            capacity *= 2;
        }
        Resize(capacity);
    }

    private void ShrinkIfSparseLocked()
    {
        // Only large rings shrink, and only when mostly empty: a queue that keeps filling and emptying (Gosched
        // traffic) must not reallocate on every cycle.
        if (_slots.Length > ShrinkAbove && _count < _slots.Length / 8)
        {
            int capacity = ShrinkAbove;
            while (capacity < _count * 2)
            {
                capacity *= 2;
            }
            Resize(capacity);
        }
    }

    private void Resize(int capacity)
    {
        var slots = new Goroutine?[capacity];
        int mask = _slots.Length - 1;
        for (int i = 0; i < _count; i++)
        {
            slots[i] = _slots[(_head + i) & mask];
        }
        _slots = slots;
        _head = 0;
    }

    /// <summary>Snapshot of the queued goroutines (for dumps and tests).</summary>
    internal List<Goroutine> Snapshot()
    {
        var list = new List<Goroutine>();
        _lock.Enter();
        try
        {
            int mask = _slots.Length - 1;
            for (int i = 0; i < _count; i++)
            {
                list.Add(_slots[(_head + i) & mask]!);
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
        Debug.Assert((_slots.Length & (_slots.Length - 1)) == 0 && _count >= 0 && _count <= _slots.Length,
            "global runq shape");
        Debug.Assert(_count == _slots.Length || _slots[(_head + _count) & (_slots.Length - 1)] is null,
            "global runq slot past the tail is not cleared");
    }
}
