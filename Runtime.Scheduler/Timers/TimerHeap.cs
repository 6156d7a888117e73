using System.Diagnostics;

namespace GoSched.Scheduling;

/// <summary>
/// A P's timers (Go's <c>p.timers</c>): a 4-ary min-heap ordered by <see cref="TimerEntry.When"/>, guarded by its
/// own lock because thieves and idle Ms run other Ps' timers too. <see cref="MinWhen"/> gives a lock-free peek.
/// </summary>
/// <remarks>
/// Go marks stopped timers and removes them lazily; here Stop removes the entry at once (O(log n) under the lock),
/// which keeps the heap free of zombies and the pending-timer count exact for deadlock detection.
/// </remarks>
internal sealed class TimerHeap
{
    private readonly Lock _lock = new();
    private TimerEntry[] _heap = new TimerEntry[16];
    private int _count;

    // The earliest When in the heap, or long.MaxValue. Written under _lock (Volatile.Write); read lock-free.
    private long _minWhen = long.MaxValue;

    internal long MinWhen => Volatile.Read(ref _minWhen);

    /// <summary>Timers in the heap (racy).</summary>
    internal int Count => Volatile.Read(ref _count);

    internal Lock SyncRoot => _lock;

    /// <summary>Adds a timer that is in no heap. Caller holds <see cref="SyncRoot"/>.</summary>
    internal void AddLocked(TimerEntry t)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && t.Heap is null);
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _count * 2);
        }
        t.Heap = this;
        t.HeapIndex = _count;
        _heap[_count] = t;
        Volatile.Write(ref _count, _count + 1);
        SiftUp(t.HeapIndex);
        UpdateMin();
        AssertInvariants();
    }

    /// <summary>Removes a timer that is in this heap. Caller holds <see cref="SyncRoot"/>.</summary>
    internal void RemoveLocked(TimerEntry t)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && t.Heap == this);
        int i = t.HeapIndex;
        int last = _count - 1;
        if (i != last)
        {
            _heap[i] = _heap[last];
            _heap[i].HeapIndex = i;
        }
        _heap[last] = null!;
        Volatile.Write(ref _count, last);
        t.Heap = null;
        t.HeapIndex = -1;
        if (i < last)
        {
            SiftDown(i);
            SiftUp(i);
        }
        UpdateMin();
        AssertInvariants();
    }

    /// <summary>
    /// Takes the earliest timer if it is due at <paramref name="now"/>: a one-shot timer leaves the heap; a periodic
    /// one is moved to its next time, skipping missed periods (never a burst). Caller holds <see cref="SyncRoot"/>.
    /// </summary>
    internal TimerEntry? TakeDueLocked(long now, out long scheduledWhen)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        scheduledWhen = 0;
        if (_count == 0 || _heap[0].When > now)
        {
            return null;
        }
        TimerEntry t = _heap[0];
        scheduledWhen = t.When;
        if (t.Period > 0)
        {
            // Go: next = when + period*(1 + (now-when)/period).
            t.When += t.Period * (1 + (now - t.When) / t.Period);
            SiftDown(0);
            UpdateMin();
        }
        else
        {
            RemoveLocked(t);
        }
        return t;
    }

    /// <summary>Moves every timer into <paramref name="target"/> (a P being destroyed). Caller holds both locks.</summary>
    internal void MoveAllToLocked(TimerHeap target)
    {
        while (_count > 0)
        {
            TimerEntry t = _heap[_count - 1];
            RemoveLocked(t);
            target.AddLocked(t);
        }
    }

    private void UpdateMin() => Volatile.Write(ref _minWhen, _count == 0 ? long.MaxValue : _heap[0].When);

    private void SiftUp(int i)
    {
        TimerEntry t = _heap[i];
        while (i > 0)
        {
            int parent = (i - 1) / 4;
            if (_heap[parent].When <= t.When)
            {
                break;
            }
            _heap[i] = _heap[parent];
            _heap[i].HeapIndex = i;
            i = parent;
        }
        _heap[i] = t;
        t.HeapIndex = i;
    }

    private void SiftDown(int i)
    {
        TimerEntry t = _heap[i];
        while (true)
        {
            int first = i * 4 + 1;
            if (first >= _count)
            {
                break;
            }
            int best = first;
            int end = Math.Min(first + 4, _count);
            for (int c = first + 1; c < end; c++)
            {
                if (_heap[c].When < _heap[best].When)
                {
                    best = c;
                }
            }
            if (_heap[best].When >= t.When)
            {
                break;
            }
            _heap[i] = _heap[best];
            _heap[i].HeapIndex = i;
            i = best;
        }
        _heap[i] = t;
        t.HeapIndex = i;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        for (int i = 1; i < _count; i++)
        {
            Debug.Assert(_heap[(i - 1) / 4].When <= _heap[i].When, "timer heap order");
            Debug.Assert(_heap[i].HeapIndex == i && _heap[i].Heap == this, "timer heap index");
        }
    }
}
