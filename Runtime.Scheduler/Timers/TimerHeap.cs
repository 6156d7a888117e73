using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GoSched.Scheduling;

/// <summary>
/// A P's timers (Go's <c>p.timers</c>): a 4-ary min-heap ordered by deadline, guarded by its own lock because
/// thieves and idle Ms run other Ps' timers too. <see cref="MinWhen"/> gives a lock-free peek.
/// </summary>
/// <remarks>
/// <para>Sifting touches only this heap's own arrays. Each slot holds the deadline next to the timer (Go 1.23's
/// <c>timerWhen</c>), so comparisons load no timer object; and a timer's position is kept in a table indexed by a
/// small per-heap id (<see cref="TimerEntry.HeapId"/>, also in the slot) rather than in the timer, so a move writes
/// that table instead of the moved timer. With thousands of timers, the timer objects a sift would otherwise load
/// and write (six levels for 5,000 timers) miss the cache; they were the largest cost of running a timer.</para>
/// <para>Go marks stopped timers and removes them lazily; here Stop removes the entry at once (O(log n) under the
/// lock, through the position table), which keeps the heap free of zombies and the pending-timer count exact for
/// deadlock detection.</para>
/// <para>Invariants (checked by <see cref="AssertInvariants"/> in debug builds): every slot's deadline is at least its
/// parent's; slot i holds a timer whose <see cref="TimerEntry.Heap"/> is this heap, whose
/// <see cref="TimerEntry.HeapId"/> is the slot's id, whose position-table entry is i, and whose
/// <see cref="TimerEntry.When"/> equals the slot's deadline; ids in use and free ids partition 0.._idsIssued-1;
/// <see cref="MinWhen"/> is slot 0's deadline, or long.MaxValue when empty.</para>
/// </remarks>
internal sealed class TimerHeap
{
    private readonly Lock _lock = new();

    // ---- Guarded by _lock ----------------------------------------------------------------------------------
    private Slot[] _heap = new Slot[16];
    private int _count;

    // The position table: _positions[id] is the slot of the timer whose HeapId is id. Ids are issued in order and
    // recycled through the _freeIds stack, so both arrays stay as small as the most timers the heap has held.
    private int[] _positions = new int[16];
    private int[] _freeIds = new int[16];
    private int _freeCount;
    private int _idsIssued;

    // The earliest deadline in the heap, or long.MaxValue. Written under _lock (Volatile.Write, release: the heap
    // writes before it are visible to whoever acts on the value under the lock); read lock-free by every P's
    // scheduling loop (EarliestHeap), by sysmon and by idle Ms. On its own cache line: the other fields change on
    // every add and take, the minimum only when the earliest timer changes, and other Ps read it at their
    // scheduling points.
    private PaddedLong _minWhen = new() { Value = long.MaxValue };

    internal long MinWhen => Volatile.Read(ref _minWhen.Value);

    /// <summary>Timers in the heap (racy).</summary>
    internal int Count => Volatile.Read(ref _count);

    internal Lock SyncRoot => _lock;

    /// <summary>
    /// Scheduling points at which the owning P left its due timers in the heap because its run queue was deep
    /// (<c>Scheduler.TimerBudget</c>). Owner-M only: the M that holds this heap's P.
    /// </summary>
    internal uint DeferredChecks;

    /// <summary>
    /// Adds a timer that is in no heap, to fire at its <see cref="TimerEntry.When"/>. Returns true if it became the
    /// earliest timer of this heap. Caller holds <see cref="SyncRoot"/>.
    /// </summary>
    internal bool AddLocked(TimerEntry t)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && t.Heap is null);
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _count * 2);
        }
        t.Heap = this;
        t.HeapId = AllocateId();
        int i = SiftUp(_count, new Slot(t.When, t, t.HeapId, t.Period > 0));
        Volatile.Write(ref _count, _count + 1);
        UpdateMin();
        AssertInvariants();
        return i == 0;
    }

    /// <summary>Removes a timer that is in this heap. Caller holds <see cref="SyncRoot"/>.</summary>
    internal void RemoveLocked(TimerEntry t)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && t.Heap == this);
        RemoveSlot(_positions[t.HeapId]);
        t.Heap = null;
        t.HeapId = -1;
        UpdateMin();
        AssertInvariants();
    }

    /// <summary>
    /// Go's <c>runtimer</c> for up to <paramref name="max"/> timers at once: takes the timers due at
    /// <paramref name="now"/>, earliest first, into <paramref name="fired"/>. A one-shot timer leaves the heap; a
    /// periodic one is moved to its next time, skipping missed periods (never a burst), and is taken at most once.
    /// Returns how many were taken. Caller holds <see cref="SyncRoot"/> and runs the callbacks after releasing it.
    /// </summary>
    /// <remarks>
    /// Two passes, so that the cache misses on the timer objects overlap instead of following one another: the first
    /// takes the slots, which hold all that a one-shot timer's removal needs, and prefetches each timer; the second
    /// reads and updates the timers.
    /// </remarks>
    internal int TakeDueLocked(long now, ref FiredTimers fired, int max)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && max <= FiredTimers.Capacity);
        int n = 0;
        uint periodic = 0; // bit i: fired.Timers[i] is periodic and stays in the heap
        while (n < max && _count > 0 && _heap[0].When <= now)
        {
            Slot top = _heap[0];
            TimerEntry t = top.Timer;
            if (top.Periodic)
            {
                // Go: next = when + period*(1 + (now-when)/period). Always after now, so a periodic timer is taken
                // at most once per call.
                long next = top.When + (t.Period * (1 + ((now - top.When) / t.Period)));
                t.When = next;
                SiftDown(0, new Slot(next, t, top.Id, periodic: true));
                periodic |= 1u << n;
            }
            else
            {
                Prefetch.Object(t, lines: 2);
                RemoveSlot(0);
                fired.OneShots++;
            }
            fired.Timers[n] = t;
            fired.Scheduled[n] = top.When;
            n++;
        }
        for (int i = 0; i < n; i++)
        {
            TimerEntry t = fired.Timers[i]!;
            fired.Sequences[i] = t.Sequence;
            if ((periodic & (1u << i)) == 0)
            {
                t.Heap = null;
                t.HeapId = -1;
            }
        }
        fired.Count = n;
        UpdateMin();
        AssertInvariants();
        return n;
    }

    /// <summary>Moves every timer into <paramref name="target"/> (a P being destroyed). Caller holds both locks.</summary>
    internal void MoveAllToLocked(TimerHeap target)
    {
        while (_count > 0)
        {
            TimerEntry t = _heap[_count - 1].Timer;
            RemoveLocked(t);
            target.AddLocked(t);
        }
    }

    /// <summary>
    /// Removes slot <paramref name="i"/> and frees its id: the last slot fills the hole and is sifted into place. The
    /// removed timer's own fields are the caller's to clear.
    /// </summary>
    private void RemoveSlot(int i)
    {
        FreeId(_heap[i].Id);
        int last = _count - 1;
        Slot moved = _heap[last];
        _heap[last] = default;
        Volatile.Write(ref _count, last);
        if (i < last && SiftDown(i, moved) == i)
        {
            SiftUp(i, moved);
        }
    }

    private int AllocateId()
    {
        if (_freeCount > 0)
        {
            return _freeIds[--_freeCount];
        }
        if (_idsIssued == _positions.Length)
        {
            Array.Resize(ref _positions, _idsIssued * 2);
            Array.Resize(ref _freeIds, _idsIssued * 2);
        }
        return _idsIssued++;
    }

    private void FreeId(int id) => _freeIds[_freeCount++] = id;

    private void UpdateMin()
    {
        long min = _count == 0 ? long.MaxValue : _heap[0].When;
        if (_minWhen.Value != min)
        {
            Volatile.Write(ref _minWhen.Value, min); // release; pairs with the Volatile.Read in MinWhen
        }
    }

    /// <summary>Places <paramref name="slot"/> at hole <paramref name="i"/> or above; returns its index.</summary>
    private int SiftUp(int i, Slot slot)
    {
        Slot[] heap = _heap;
        int[] positions = _positions;
        while (i > 0)
        {
            int parent = (i - 1) / 4;
            if (heap[parent].When <= slot.When)
            {
                break;
            }
            heap[i] = heap[parent];
            positions[heap[i].Id] = i;
            i = parent;
        }
        heap[i] = slot;
        positions[slot.Id] = i;
        return i;
    }

    /// <summary>Places <paramref name="slot"/> at hole <paramref name="i"/> or below; returns its index.</summary>
    private int SiftDown(int i, Slot slot)
    {
        Slot[] heap = _heap;
        int[] positions = _positions;
        int count = _count;
        while (true)
        {
            int first = (i * 4) + 1;
            if (first >= count)
            {
                break;
            }
            int best = first;
            long bestWhen = heap[first].When;
            int end = Math.Min(first + 4, count);
            for (int c = first + 1; c < end; c++)
            {
                long w = heap[c].When;
                if (w < bestWhen)
                {
                    best = c;
                    bestWhen = w;
                }
            }
            if (bestWhen >= slot.When)
            {
                break;
            }
            heap[i] = heap[best];
            positions[heap[i].Id] = i;
            i = best;
        }
        heap[i] = slot;
        positions[slot.Id] = i;
        return i;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        for (int i = 0; i < _count; i++)
        {
            Slot slot = _heap[i];
            Debug.Assert(i == 0 || _heap[(i - 1) / 4].When <= slot.When, "timer heap order");
            Debug.Assert(slot.Timer.Heap == this && slot.Timer.HeapId == slot.Id, "timer heap id");
            Debug.Assert(_positions[slot.Id] == i, "timer heap position");
            Debug.Assert(slot.Timer.When == slot.When && slot.Periodic == slot.Timer.Period > 0, "timer heap slot");
        }
        Debug.Assert(_count + _freeCount == _idsIssued, "timer heap ids");
        Debug.Assert(_minWhen.Value == (_count == 0 ? long.MaxValue : _heap[0].When), "timer heap minimum");
    }

    /// <summary>A 64-bit value alone on its cache line (128 bytes, as <see cref="PaddedUInt"/>).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)]
        internal long Value;
    }

    /// <summary>
    /// A heap slot: the deadline, the timer, the timer's id in this heap, and whether it is periodic (a timer's period
    /// does not change while it is armed), so that taking a one-shot timer reads nothing from the timer itself.
    /// </summary>
    private readonly struct Slot(long when, TimerEntry timer, int id, bool periodic)
    {
        internal readonly long When = when;
        internal readonly TimerEntry Timer = timer;
        internal readonly int Id = id;
        internal readonly bool Periodic = periodic;
    }
}

/// <summary>
/// Timers taken by one <see cref="TimerHeap.TakeDueLocked"/> call, with what each callback needs; lives on the stack
/// of the M that runs them.
/// </summary>
internal struct FiredTimers
{
    /// <summary>Most timers taken under one acquisition of a heap's lock.</summary>
    internal const int Capacity = 32;

    internal TimerBuffer Timers;
    internal LongBuffer Scheduled;
    internal IntBuffer Sequences;

    /// <summary>How many were taken.</summary>
    internal int Count;

    /// <summary>How many of them were one-shot timers (they left the heap).</summary>
    internal int OneShots;

    [InlineArray(Capacity)]
    internal struct TimerBuffer
    {
        private TimerEntry? _first;
    }

    [InlineArray(Capacity)]
    internal struct LongBuffer
    {
        private long _first;
    }

    [InlineArray(Capacity)]
    internal struct IntBuffer
    {
        private int _first;
    }
}
