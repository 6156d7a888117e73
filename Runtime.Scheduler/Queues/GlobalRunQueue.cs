using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// The global run queue (Go's <c>sched.runq</c>), split into lanes: one per P, written by that P's M (Gosched, a
/// local ring's overflow, preemption), and one shared lane for threads without a P (foreign readies, spawns from
/// outside the runtime, a destroyed P's goroutines). Any P takes from any lane.
/// </summary>
/// <remarks>
/// <para>Why lanes. Every Gosched puts its goroutine on the global queue. With one queue, two Ps doing Gosched
/// take turns on one lock and one count on a cache line that moves between the cores at every put: on two cores
/// that made a Gosched slower at GOMAXPROCS=2 than at 1. A P's own lane is written by its own core only, except
/// when another P takes from it.</para>
/// <para>What stays Go's. A goroutine on the global queue runs after the P's local ring is drained or at the
/// 1-in-61 check, never before; an idle P takes from it before it steals; a batch take moves
/// <c>min(n, n/GOMAXPROCS + 1, 128)</c> goroutines of one lane into the local ring. With GOMAXPROCS=1 and no
/// foreign thread only one lane is used and the order is Go's exactly.</para>
/// <para>What differs, and the bound. Order is FIFO within a lane, not across lanes. A P takes from its own lane
/// first, except on every <see cref="RotateEvery"/>th batch take and at every 1-in-61 check, where it starts at the
/// next lane of a per-P rotating cursor; and from every lane when its own is empty. So a goroutine in any lane is
/// reached by every busy P within <c>RotateEvery × lanes</c> batch takes, as a goroutine deep in Go's one queue is
/// reached after the goroutines ahead of it.</para>
/// <para>Lanes are added (copy-on-write, under the scheduler's lock) when a P is first created, and never removed.
/// When GOMAXPROCS destroys a P its lane moves to the tail of the shared lane, behind the P's local goroutines at
/// the head (Go's order); a put that races with the destroy is still found, because takes scan every lane.</para>
/// </remarks>
internal sealed class GlobalRunQueue
{
    /// <summary>Batch takes from the own lane between two takes that start at the rotating cursor.</summary>
    internal const int RotateEvery = 8;

    // Lane 0 is shared; lane i + 1 belongs to P i. Replaced (never mutated in place) by AddLane under the
    // scheduler's lock; read lock-free (a reader that sees the old array misses only a lane that is still empty).
    private volatile GlobalRunQueueLane[] _lanes = [new GlobalRunQueueLane()];

    /// <summary>The lane of threads without a P.</summary>
    internal GlobalRunQueueLane Shared => _lanes[0];

    /// <summary>Lanes, the shared one included.</summary>
    internal int LaneCount => _lanes.Length;

    /// <summary>Goroutines queued in all lanes (racy; each lane's count is read after a full fence by callers that
    /// need one, see "Releasing a P").</summary>
    internal int Count
    {
        get
        {
            GlobalRunQueueLane[] lanes = _lanes;
            int n = 0;
            for (int i = 0; i < lanes.Length; i++)
            {
                n += lanes[i].Count;
            }
            return n;
        }
    }

    /// <summary>Adds the lane of a new P and returns it. Called under the scheduler's lock, in P id order.</summary>
    internal GlobalRunQueueLane AddLane()
    {
        GlobalRunQueueLane[] old = _lanes;
        var grown = new GlobalRunQueueLane[old.Length + 1];
        Array.Copy(old, grown, old.Length);
        var lane = new GlobalRunQueueLane();
        grown[old.Length] = lane;
        _lanes = grown;
        return lane;
    }

    /// <summary>The lane that a put from an M holding <paramref name="p"/> (or holding none, null) goes to.</summary>
    internal GlobalRunQueueLane LaneFor(Processor? p) => p?.GlobalLane ?? Shared;

    /// <summary>Go's <c>globrunqput</c> from a thread without a P: the shared lane.</summary>
    internal void Put(Goroutine g) => Shared.Put(g);

    /// <summary>Go's <c>globrunqputhead</c> (a destroyed P's goroutines): the head of the shared lane.</summary>
    internal void PutHead(Goroutine g) => Shared.PutHead(g);

    /// <summary>
    /// The 1-in-61 check: one goroutine from the first non-empty lane at or after the cursor, which advances.
    /// </summary>
    internal Goroutine? TryGetOne(ref uint cursor)
    {
        GlobalRunQueueLane[] lanes = _lanes;
        uint start = cursor++;
        for (int i = 0; i < lanes.Length; i++)
        {
            Goroutine? g = lanes[(int)((start + (uint)i) % (uint)lanes.Length)].TryGetOne();
            if (g is not null)
            {
                return g;
            }
        }
        return null;
    }

    /// <summary>
    /// Go's <c>globrunqget</c> for the P whose lane is <paramref name="own"/> and whose ring is
    /// <paramref name="local"/>: a batch from its own lane, or (every <see cref="RotateEvery"/>th take, and when its
    /// own lane is empty) from the first non-empty lane at or after the rotating cursor. Returns the goroutine to
    /// run first; the rest go to <paramref name="local"/>. Owner of <paramref name="local"/> only.
    /// </summary>
    internal Goroutine? TryGetBatch(LocalRunQueue local, GlobalRunQueueLane own, ref uint takes, ref uint cursor,
        int gomaxprocs)
    {
        Goroutine? g;
        if (++takes % RotateEvery != 0)
        {
            g = own.TryGetBatch(local, gomaxprocs);
            if (g is not null)
            {
                return g;
            }
        }
        GlobalRunQueueLane[] lanes = _lanes;
        uint start = cursor++;
        for (int i = 0; i < lanes.Length; i++)
        {
            g = lanes[(int)((start + (uint)i) % (uint)lanes.Length)].TryGetBatch(local, gomaxprocs);
            if (g is not null)
            {
                return g;
            }
        }
        return null;
    }

    /// <summary>Snapshot of the queued goroutines, lane by lane (for dumps and tests).</summary>
    internal List<Goroutine> Snapshot()
    {
        var list = new List<Goroutine>();
        foreach (GlobalRunQueueLane lane in _lanes)
        {
            list.AddRange(lane.Snapshot());
        }
        Debug.Assert(list.Distinct().Count() == list.Count, "a goroutine is queued twice on the global queue");
        return list;
    }
}
