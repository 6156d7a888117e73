using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// A P's local run queue (Go's <c>p.runq</c>, <c>runqhead</c>, <c>runqtail</c> and <c>runnext</c>): a bounded ring
/// that only the owner P pushes to, and that the owner pops and other Ps steal from with a compare-and-swap on the
/// head.
/// </summary>
/// <remarks>
/// <para>Verbs: <see cref="Put"/>, <see cref="TryGet"/> and <see cref="Drain"/> are owner-only (the M that holds the
/// P, in scheduler code or in a runtime call guarded by the P's owner state). <see cref="StealInto"/>,
/// <see cref="Count"/> and <see cref="IsEmpty"/> may be called by any thread.</para>
/// <para>Slots are not cleared after a pop (a concurrent stealer may still be reading them, and the head CAS decides
/// who wins); at most <see cref="Capacity"/> finished goroutines stay reachable per P until overwritten.</para>
/// </remarks>
internal sealed class LocalRunQueue
{
    /// <summary>Go's ring size. Debug builds of the tests may shrink it through the constructor to reach overflow.</summary>
    internal const int DefaultCapacity = 256;

    private readonly Goroutine?[] _ring;
    private readonly uint _mask;

    // Head: consumers (owner pop, stealers) advance it with CAS; read with acquire by the owner before a push so
    // that it never overwrites a slot a stealer has not finished copying. Pairs with the CAS in TryGet/Grab.
    private PaddedUInt _head;

    // Tail: written only by the owner, with release (publishes the slot just written); read with acquire by
    // stealers in Grab. Pairs with the Volatile.Read(ref _tail.Value) there.
    private PaddedUInt _tail;

    // runnext: a single slot that runs before the ring and inherits the time slice. Owner writes by CAS (a thief
    // may take it by CAS too, on the last steal pass).
    private Goroutine? _runNext;

    // Owner only: scratch space for the half of the ring that PutSlow moves to the global queue (Go's on-stack
    // batch array); cleared after each use.
    private readonly Goroutine?[] _overflowBatch;

    internal LocalRunQueue(int capacity = DefaultCapacity)
    {
        Debug.Assert(capacity >= 4 && (capacity & (capacity - 1)) == 0, "capacity must be a power of two");
        _ring = new Goroutine?[capacity];
        _mask = (uint)capacity - 1;
        _overflowBatch = new Goroutine?[capacity / 2 + 1];
#if DEBUG
        // Start near the wrap-around point so that the index arithmetic is exercised in every debug run.
        _head.Value = _tail.Value = uint.MaxValue - 64;
#endif
    }

    /// <summary>The ring's capacity (runnext excluded).</summary>
    internal int Capacity => _ring.Length;

    /// <summary>Goroutines in the ring, runnext excluded (what schedtrace prints). Racy.</summary>
    internal int Count
    {
        get
        {
            uint h = Volatile.Read(ref _head.Value);
            uint t = Volatile.Read(ref _tail.Value);
            int n = (int)(t - h);
            return n < 0 ? 0 : Math.Min(n, _ring.Length);
        }
    }

    /// <summary>True when the ring and runnext are both empty. Racy.</summary>
    internal bool IsEmpty => Volatile.Read(ref _runNext) is null && Count == 0;

    /// <summary>The runnext occupant (racy; for dumps).</summary>
    internal Goroutine? RunNext => Volatile.Read(ref _runNext);

    /// <summary>
    /// Go's <c>runqput</c>. With <paramref name="next"/>, <paramref name="g"/> takes runnext and the previous
    /// occupant is kicked to the tail of the ring. When the ring is full, half of it plus the goroutine move to the
    /// global queue. Owner only.
    /// </summary>
    internal void Put(Goroutine g, bool next, GlobalRunQueueLane overflow) => PutReportingKick(g, next, overflow);

    /// <summary>
    /// <see cref="Put"/>, returning true when the put left more than one goroutine queued behind the running one
    /// in the ring or runnext (a runnext occupant was kicked to the ring, or the goroutine went to the ring).
    /// Owner only.
    /// </summary>
    internal bool PutReportingKick(Goroutine g, bool next, GlobalRunQueueLane overflow)
    {
        if (next)
        {
            // A compare-and-swap loop, as Go's runqput: Interlocked.Exchange on a reference is a runtime call
            // (~7% of a spawn), CompareExchange is inlined. Only a thief's CAS can race with this one.
            Goroutine? old = Volatile.Read(ref _runNext);
            while (true)
            {
                Goroutine? seen = Interlocked.CompareExchange(ref _runNext, g, old);
                if (seen == old)
                {
                    break;
                }
                old = seen;
            }
            if (old is null)
            {
                return false;
            }
            g = old;
        }

        while (true)
        {
            uint h = Volatile.Read(ref _head.Value); // acquire: pairs with consumers' CAS on head
            uint t = _tail.Value;
            if (t - h < (uint)_ring.Length)
            {
                _ring[t & _mask] = g;
                Volatile.Write(ref _tail.Value, t + 1); // release: publishes the slot; pairs with Grab's acquire
                return true;
            }
            if (PutSlow(g, h, t, overflow))
            {
                return true;
            }
            // A consumer moved the head: the ring has room now; retry the fast path.
        }
    }

    /// <summary>Go's <c>runqputslow</c>: moves half of a full ring plus <paramref name="g"/> to the global queue.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private bool PutSlow(Goroutine g, uint h, uint t, GlobalRunQueueLane overflow)
    {
        uint n = (t - h) / 2;
        Debug.Assert(n == (uint)_ring.Length / 2, "queue is not full");
        // Copy the batch out before the CAS: until the CAS succeeds the slots are still ours to read but may be
        // stolen, so nothing is published until then.
        Goroutine?[] batch = _overflowBatch;
        for (uint i = 0; i < n; i++)
        {
            batch[i] = _ring[(h + i) & _mask];
        }
        if (Interlocked.CompareExchange(ref _head.Value, h + n, h) != h)
        {
            Array.Clear(batch, 0, (int)n);
            return false;
        }
        batch[n] = g;
        overflow.PutBatch(batch, (int)n + 1);
        Array.Clear(batch, 0, (int)n + 1);
        return true;
    }

    /// <summary>
    /// Go's <c>runqget</c>: runnext first (which inherits the time slice), then the ring's head. Owner only.
    /// </summary>
    internal Goroutine? TryGet(out bool inheritTime)
    {
        Goroutine? next = Volatile.Read(ref _runNext);
        if (next is not null && Interlocked.CompareExchange(ref _runNext, null, next) == next)
        {
            inheritTime = true;
            return next;
        }

        inheritTime = false;
        while (true)
        {
            uint h = Volatile.Read(ref _head.Value);
            uint t = _tail.Value;
            if (t == h)
            {
                return null;
            }
            Goroutine? g = _ring[h & _mask];
            if (Interlocked.CompareExchange(ref _head.Value, h + 1, h) == h) // acq-rel: commits the consume
            {
                return g;
            }
        }
    }

    /// <summary>
    /// Moves runnext to the global queue: sysmon saw a chain of runnext hand-offs share one time slice for 10 ms,
    /// and Go would preempt the chain's goroutine into the global queue. Owner only.
    /// </summary>
    internal void PreemptRunNext(GlobalRunQueueLane global)
    {
        Goroutine? next = Interlocked.Exchange(ref _runNext, null);
        if (next is not null)
        {
            global.Put(next);
        }
    }

    /// <summary>
    /// Empties the queue into <paramref name="sink"/> in run order: runnext first, then the ring from head to tail.
    /// Owner only (used when a P is destroyed).
    /// </summary>
    internal void Drain(List<Goroutine> sink)
    {
        Goroutine? next = Interlocked.Exchange(ref _runNext, null);
        if (next is not null)
        {
            sink.Add(next);
        }
        while (TryGet(out _) is { } g)
        {
            sink.Add(g);
        }
    }

    /// <summary>
    /// Go's <c>runqsteal</c>: takes half (rounded up) of <paramref name="victim"/>'s ring into this queue, whose
    /// owner must be the caller and whose ring must be empty, and returns one of them to run. With
    /// <paramref name="stealRunNext"/> it may also take the victim's runnext.
    /// </summary>
    internal Goroutine? StealFrom(LocalRunQueue victim, bool stealRunNext, bool victimIsRunning)
    {
        uint t = _tail.Value;
        int n = victim.Grab(_ring, t, _mask, stealRunNext, victimIsRunning);
        if (n == 0)
        {
            return null;
        }
        n--;
        Goroutine g = _ring[(t + (uint)n) & _mask]!;
        if (n == 0)
        {
            return g;
        }
        uint h = Volatile.Read(ref _head.Value);
        Debug.Assert(t - h + (uint)n < (uint)_ring.Length, "runqsteal: runq overflow");
        Volatile.Write(ref _tail.Value, t + (uint)n); // release: publishes the stolen slots
        return g;
    }

    /// <summary>
    /// Gives a running victim time to run its own runnext before a thief takes it: like Go, the thief sleeps
    /// (usleep(3), tens of microseconds in practice) instead of spinning. A goroutine just readied by a ping-pong
    /// partner runs next on its P; stealing it moves the pair across cores, and spinning on the victim's runnext
    /// line would bounce that cache line on every hand-off. The thief stays counted as spinning meanwhile, so
    /// wake-ups in the pair do not start yet another M. Returns true if <paramref name="next"/> is still there.
    /// </summary>
    private bool WaitForOwnerToTake(Goroutine next)
    {
        OsSleep.Microseconds(3);
        return Volatile.Read(ref _runNext) == next;
    }

    /// <summary>
    /// Go's <c>runqgrab</c>: copies half of this queue, starting at its head, into <paramref name="dest"/> from
    /// position <paramref name="destTail"/>, and commits by CAS on the head. Any thread.
    /// </summary>
    private int Grab(Goroutine?[] dest, uint destTail, uint destMask, bool stealRunNext, bool victimIsRunning)
    {
        while (true)
        {
            uint h = Volatile.Read(ref _head.Value); // acquire: pairs with other consumers
            uint t = Volatile.Read(ref _tail.Value); // acquire: pairs with the owner's release in Put
            uint n = t - h;
            n -= n / 2;
            if (n == 0)
            {
                if (stealRunNext)
                {
                    Goroutine? next = Volatile.Read(ref _runNext);
                    if (next is not null)
                    {
                        if (victimIsRunning && !WaitForOwnerToTake(next))
                        {
                            continue; // the owner ran it (or replaced it): look again
                        }
                        if (Interlocked.CompareExchange(ref _runNext, null, next) == next)
                        {
                            dest[destTail & destMask] = next;
                            return 1;
                        }
                        continue;
                    }
                }
                return 0;
            }
            if (n > (uint)_ring.Length / 2)
            {
                continue; // read an inconsistent h and t
            }
            for (uint i = 0; i < n; i++)
            {
                dest[(destTail + i) & destMask] = _ring[(h + i) & _mask];
            }
            if (Interlocked.CompareExchange(ref _head.Value, h + n, h) == h)
            {
                return (int)n;
            }
        }
    }
}
