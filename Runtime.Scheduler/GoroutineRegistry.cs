using System.Runtime.CompilerServices;
using GoSched.Core;


namespace GoSched.Scheduling;

/// <summary>
/// Every goroutine object the scheduler holds (Go's <c>allgs</c>): live goroutines and exited ones kept on free
/// lists for reuse, for dumps, profiles and deadlock detection (snapshots skip the exited ones). Sharded by goroutine id so that spawns and exits on different Ps rarely meet on one lock; each shard
/// is an intrusive doubly linked list through <see cref="Goroutine.AllPrev"/>/<see cref="Goroutine.AllNext"/>.
/// </summary>
internal sealed class GoroutineRegistry
{
    private const int ShardCount = 64; // a power of two, comfortably above any core count this runs on

    private readonly Shard[] _shards = new Shard[ShardCount];


    internal GoroutineRegistry()
    {
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }
    }

    /// <summary>
    /// Registered goroutine objects, live or free: the sum of the shards' counts (each written under its shard's
    /// lock). A single shared counter would be one contended cache line for every registration on every P.
    /// </summary>
    internal long Count
    {
        get
        {
            long sum = 0;
            foreach (Shard s in _shards)
            {
                sum += Volatile.Read(ref s.Count);
            }
            return sum;
        }
    }

    internal void Add(Goroutine g)
    {
        Shard s = ShardOf(g);
        s.Lock.Enter();
        try
        {
            g.AllNext = s.Head;
            g.AllPrev = null;
            if (s.Head is not null)
            {
                s.Head.AllPrev = g;
            }
            s.Head = g;
            Volatile.Write(ref s.Count, s.Count + 1);
        }
        finally
        {
            s.Lock.Exit();
        }
    }

    /// <summary>Removes a dead goroutine that will not be reused.</summary>
    internal void Remove(Goroutine g)
    {
        Shard s = ShardOf(g);
        s.Lock.Enter();
        try
        {
            if (g.AllPrev is null)
            {
                s.Head = g.AllNext;
            }
            else
            {
                g.AllPrev.AllNext = g.AllNext;
            }
            if (g.AllNext is not null)
            {
                g.AllNext.AllPrev = g.AllPrev;
            }
            g.AllPrev = g.AllNext = null;
            Volatile.Write(ref s.Count, s.Count - 1);
        }
        finally
        {
            s.Lock.Exit();
        }
    }

    // By the object's identity hash, not its id: a recycled object gets new ids but must find its shard again.
    private Shard ShardOf(Goroutine g) => _shards[RuntimeHelpers.GetHashCode(g) & (ShardCount - 1)];

    /// <summary>All live goroutines (not dead), ordered by id.</summary>
    internal List<Goroutine> Snapshot()
    {
        var list = new List<Goroutine>();
        foreach (Shard s in _shards)
        {
            s.Lock.Enter();
            try
            {
                for (Goroutine? g = s.Head; g is not null; g = g.AllNext)
                {
                    if (g.Status != GoroutineStatus.Dead)
                    {
                        list.Add(g);
                    }
                }
            }
            finally
            {
                s.Lock.Exit();
            }
        }
        list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    private sealed class Shard
    {
        internal readonly RuntimeLock Lock = new();
        internal Goroutine? Head;
        internal long Count; // guarded by Lock; read racily

        // Keep neighbouring shards' locks off each other's cache lines.
#pragma warning disable CS0169, IDE0051 // padding
        private long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5;
#pragma warning restore CS0169, IDE0051
    }
}
