using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// One lane of the global run queue (see <see cref="GlobalRunQueue"/>): an unbounded FIFO of goroutines in a
/// growable ring of slots, guarded by its own spin lock.
/// </summary>
/// <remarks>
/// <para>Go guards its one queue with <c>sched.lock</c>; a lock per lane here keeps Gosched-heavy code (every Gosched
/// goes through the global queue) off the lock that guards the idle lists, and off the other cores. The
/// lost-wake-up argument that Go gets from the shared lock is made explicitly instead: see "Releasing a P" in
/// Scheduler.cs.</para>
/// <para>The lock word, the head and the count share one cache line that nothing else uses (<see cref="HotWords"/>
/// pads it on both sides): lanes are small objects allocated side by side, and a lane written by one core must not
/// share a line with the lane that the other core writes.</para>
/// <para>Why a ring and not Go's list linked through the goroutines: a batch take (half the queue, for a P whose
/// local ring is empty) would walk the links of goroutines that other cores wrote last, one cache miss per
/// goroutine while the lock is held; with Gosched on two Ps that walk was the contended lock's hold time. Here a
/// batch take copies contiguous slots, and no goroutine's memory is touched under the lock.</para>
/// <para>The ring grows by doubling and, above 65,536 slots (512 KB), shrinks back when it is an eighth full (to
/// twice what it holds, 65,536 slots at least), so a burst of queued goroutines does not pin a large array forever.</para>
/// </remarks>
internal sealed class GlobalRunQueueLane
{
    internal const int MinCapacity = 64;
    private const int ShrinkAbove = 64 * 1024; // slots (512 KB); smaller rings are kept at their high-water size

    // Guarded by the lock: the slots (a power-of-two length). Slots outside [head, head + count) are null so that
    // finished goroutines are not kept reachable.
    private Goroutine?[] _slots = new Goroutine?[MinCapacity];

    // The lock word (0 free, 1 held: CAS to enter, release store to leave), the index of the first queued goroutine
    // (guarded by the lock) and the count (written under the lock, read racily by the lock-free emptiness checks).
    private HotWords _hot;
#if DEBUG
    private int _owner;
#endif

    /// <summary>Goroutines queued (racy snapshot).</summary>
    internal int Count => Volatile.Read(ref _hot.Count);

    /// <summary>Go's <c>globrunqput</c>: appends at the tail.</summary>
    internal void Put(Goroutine g)
    {
        Enter();
        try
        {
            AssertInvariants();
            EnsureRoomLocked(1);
            _slots[(_hot.Head + _hot.Count) & (_slots.Length - 1)] = g;
            Volatile.Write(ref _hot.Count, _hot.Count + 1);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Go's <c>globrunqputhead</c>: pushes at the head (used when a P is destroyed).</summary>
    internal void PutHead(Goroutine g)
    {
        Enter();
        try
        {
            AssertInvariants();
            EnsureRoomLocked(1);
            _hot.Head = (_hot.Head - 1) & (_slots.Length - 1);
            _slots[_hot.Head] = g;
            Volatile.Write(ref _hot.Count, _hot.Count + 1);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Go's <c>globrunqputbatch</c>: appends <paramref name="batch"/>[0..<paramref name="count"/>) in order.</summary>
    internal void PutBatch(Goroutine?[] batch, int count)
    {
        Enter();
        try
        {
            AssertInvariants();
            EnsureRoomLocked(count);
            int mask = _slots.Length - 1;
            int tail = _hot.Head + _hot.Count;
            for (int i = 0; i < count; i++)
            {
                Debug.Assert(batch[i] is not null);
                _slots[(tail + i) & mask] = batch[i];
            }
            Volatile.Write(ref _hot.Count, _hot.Count + count);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Takes one goroutine from the head, or null.</summary>
    internal Goroutine? TryGetOne()
    {
        if (Count == 0)
        {
            return null;
        }
        Enter();
        try
        {
            AssertInvariants();
            return _hot.Count == 0 ? null : PopLocked();
        }
        finally
        {
            Exit();
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
        Enter();
        try
        {
            AssertInvariants();
            int n = Math.Min(_hot.Count, _hot.Count / Math.Max(gomaxprocs, 1) + 1);
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
            Exit();
        }
    }

    /// <summary>
    /// Moves every queued goroutine, in order, to the tail of <paramref name="target"/> (a destroyed P's lane goes
    /// to the shared lane). Takes the two locks one after the other, never both.
    /// </summary>
    internal void MoveAllTo(GlobalRunQueueLane target)
    {
        Debug.Assert(target != this);
        Goroutine?[] moved;
        int n;
        Enter();
        try
        {
            AssertInvariants();
            n = _hot.Count;
            if (n == 0)
            {
                return;
            }
            moved = new Goroutine?[n];
            for (int i = 0; i < n; i++)
            {
                moved[i] = PopLocked();
            }
            ShrinkIfSparseLocked();
        }
        finally
        {
            Exit();
        }
        target.PutBatch(moved, n);
    }

    private Goroutine PopLocked()
    {
        Debug.Assert(_hot.Count > 0);
        Goroutine g = _slots[_hot.Head]!;
        _slots[_hot.Head] = null;
        _hot.Head = (_hot.Head + 1) & (_slots.Length - 1);
        Volatile.Write(ref _hot.Count, _hot.Count - 1);
        return g;
    }

    private void EnsureRoomLocked(int extra)
    {
        if (_hot.Count + extra <= _slots.Length)
        {
            return;
        }
        int capacity = _slots.Length;
        while (capacity < _hot.Count + extra)
        {
            capacity *= 2;
        }
        Resize(capacity);
    }

    private void ShrinkIfSparseLocked()
    {
        // Only large rings shrink, and only when mostly empty: a queue that keeps filling and emptying (Gosched
        // traffic) must not reallocate on every cycle.
        if (_slots.Length > ShrinkAbove && _hot.Count < _slots.Length / 8)
        {
            int capacity = ShrinkAbove;
            while (capacity < _hot.Count * 2)
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
        for (int i = 0; i < _hot.Count; i++)
        {
            slots[i] = _slots[(_hot.Head + i) & mask];
        }
        _slots = slots;
        _hot.Head = 0;
    }

    /// <summary>Snapshot of the queued goroutines (for dumps and tests).</summary>
    internal List<Goroutine> Snapshot()
    {
        var list = new List<Goroutine>();
        Enter();
        try
        {
            int mask = _slots.Length - 1;
            for (int i = 0; i < _hot.Count; i++)
            {
                list.Add(_slots[(_hot.Head + i) & mask]!);
            }
        }
        finally
        {
            Exit();
        }
        return list;
    }

    private void Enter()
    {
        RuntimeLockWord.Enter(ref _hot.Lock);
#if DEBUG
        _owner = Environment.CurrentManagedThreadId;
#endif
    }

    private void Exit()
    {
#if DEBUG
        Debug.Assert(_owner == Environment.CurrentManagedThreadId, "global run queue lane released by a thread that does not hold it");
        _owner = 0;
#endif
        RuntimeLockWord.Exit(ref _hot.Lock);
    }

    /// <summary>The lane's lock word, head and count on a cache line of their own (128 bytes on each side).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 256)]
    private struct HotWords
    {
        [System.Runtime.InteropServices.FieldOffset(128)]
        public int Lock;

        [System.Runtime.InteropServices.FieldOffset(132)]
        public int Head;

        [System.Runtime.InteropServices.FieldOffset(136)]
        public int Count;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
#if DEBUG
        Debug.Assert(Volatile.Read(ref _hot.Lock) == 1 && _owner == Environment.CurrentManagedThreadId,
            "global run queue lane used without its lock");
#endif
        Debug.Assert((_slots.Length & (_slots.Length - 1)) == 0 && _hot.Count >= 0 && _hot.Count <= _slots.Length,
            "global runq shape");
        Debug.Assert(_hot.Count == _slots.Length || _slots[(_hot.Head + _hot.Count) & (_slots.Length - 1)] is null,
            "global runq slot past the tail is not cleared");
    }
}
