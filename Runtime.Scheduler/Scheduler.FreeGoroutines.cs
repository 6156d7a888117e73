using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

// Recycling exited goroutines (Go's gfput/gfget/gfpurge) and counting live ones (Go's gcount).
//
// A goroutine object that exited cleanly (see Goroutine.CanBeRecycled) goes on its P's free list, an intrusive
// stack through Goroutine.FreeLink owned by the P's M; past LocalFreeMax, half of it moves to the global free list
// under _freeLock, and an empty P takes a batch back from there. The global list is bounded: past GlobalFreeMax a
// goroutine object is dropped (unregistered and left to the GC), so a burst of a million goroutines does not pin a
// million objects forever, as Go's allgs does.
//
// Recycled objects stay in the registry (Go's allgs holds dead gs too); its snapshots skip dead ones. So a spawn
// that reuses an object takes no lock and allocates nothing but, for an async body, its synchronization context.
//
// Live goroutines are counted per P (Processor.LiveGoroutines, +1 at spawn, -1 at exit, each by the P's owner with
// an uncontended interlocked add) and in _liveWithoutP for spawns and exits made without a P; NumGoroutine sums
// them. The sum is a racy snapshot, as Go's gcount is; once spawns and exits are ordered before the read (a join),
// it is exact.
internal sealed partial class Scheduler
{
    private const int LocalFreeMax = 64; // Go's p.gFree bound
    private const int FreeBatch = 32; // moved between a P's list and the global one
    private const int GlobalFreeMax = 16 * 1024;

    private readonly RuntimeLock _freeLock = new();

    // Guarded by _freeLock; _globalFreeCount is also read racily to skip the lock when the list is empty.
    private Goroutine? _globalFree;
    private int _globalFreeCount;

    // Spawns minus exits made without a P (Interlocked).
    private long _liveWithoutP;

    /// <summary>Live user goroutines (Go's <c>gcount</c>): see the notes at the top of this file.</summary>
    internal long GoroutineCount
    {
        get
        {
            long n = Volatile.Read(ref _liveWithoutP);
            foreach (Processor p in _allp)
            {
                n += Volatile.Read(ref p.LiveGoroutines);
            }
            return Math.Max(n, 0);
        }
    }

    private void CountSpawn(Processor? p)
    {
        if (p is not null)
        {
            Interlocked.Increment(ref p.LiveGoroutines);
        }
        else
        {
            Interlocked.Increment(ref _liveWithoutP);
        }
    }

    private void CountExit(Processor? p)
    {
        if (p is not null)
        {
            Interlocked.Decrement(ref p.LiveGoroutines);
        }
        else
        {
            Interlocked.Decrement(ref _liveWithoutP);
        }
    }

    /// <summary>Go's <c>gfget</c>: an exited goroutine object to reuse, or null. <paramref name="p"/> is owned by the caller.</summary>
    private Goroutine? TakeFreeGoroutine(Processor? p)
    {
        if (p is null)
        {
            return Volatile.Read(ref _globalFreeCount) == 0 ? null : TakeFromGlobalFree(1, out _);
        }
        if (p.FreeGoroutines is null && Volatile.Read(ref _globalFreeCount) != 0)
        {
            Goroutine? batch = TakeFromGlobalFree(FreeBatch, out int n);
            p.FreeGoroutines = batch;
            p.FreeGoroutineCount = n;
        }
        Goroutine? g = p.FreeGoroutines;
        if (g is not null)
        {
            p.FreeGoroutines = g.FreeLink;
            g.FreeLink = null;
            p.FreeGoroutineCount--;
        }
        return g;
    }

    /// <summary>Go's <c>gfput</c>: keeps an exited goroutine object for reuse, or drops it.</summary>
    private void RecycleGoroutine(Processor? p, Goroutine g)
    {
        Debug.Assert(g.Status == GoroutineStatus.Dead && g.FreeLink is null);
        if (!g.CanBeRecycled)
        {
            _registry.Remove(g);
            return;
        }
        if (p is null)
        {
            PutOnGlobalFree(g, g, 1);
            return;
        }
        g.FreeLink = p.FreeGoroutines;
        p.FreeGoroutines = g;
        if (++p.FreeGoroutineCount >= LocalFreeMax)
        {
            // Move the most recently freed half to the global list (its first FreeBatch entries).
            Goroutine first = p.FreeGoroutines;
            Goroutine last = first;
            for (int i = 1; i < FreeBatch; i++)
            {
                last = last.FreeLink!;
            }
            p.FreeGoroutines = last.FreeLink;
            last.FreeLink = null;
            p.FreeGoroutineCount -= FreeBatch;
            PutOnGlobalFree(first, last, FreeBatch);
        }
    }

    /// <summary>Go's <c>gfpurge</c>: a destroyed P's free goroutines go to the global list.</summary>
    private void PurgeFreeGoroutines(Processor p)
    {
        Goroutine? first = p.FreeGoroutines;
        if (first is null)
        {
            return;
        }
        Goroutine last = first;
        while (last.FreeLink is not null)
        {
            last = last.FreeLink;
        }
        PutOnGlobalFree(first, last, p.FreeGoroutineCount);
        p.FreeGoroutines = null;
        p.FreeGoroutineCount = 0;
    }

    private void PutOnGlobalFree(Goroutine first, Goroutine last, int count)
    {
        _freeLock.Enter();
        try
        {
            if (_globalFreeCount + count <= GlobalFreeMax)
            {
                last.FreeLink = _globalFree;
                _globalFree = first;
                Volatile.Write(ref _globalFreeCount, _globalFreeCount + count);
                return;
            }
        }
        finally
        {
            _freeLock.Exit();
        }
        // The global list is full: drop these (the registry forgets them; the GC takes them).
        for (Goroutine? g = first; g is not null;)
        {
            Goroutine? next = g.FreeLink;
            g.FreeLink = null;
            _registry.Remove(g);
            g = next;
        }
    }

    private Goroutine? TakeFromGlobalFree(int max, out int taken)
    {
        _freeLock.Enter();
        try
        {
            Goroutine? first = _globalFree;
            if (first is null)
            {
                taken = 0;
                return null;
            }
            Goroutine last = first;
            int n = 1;
            while (n < max && last.FreeLink is not null)
            {
                last = last.FreeLink;
                n++;
            }
            _globalFree = last.FreeLink;
            last.FreeLink = null;
            Volatile.Write(ref _globalFreeCount, _globalFreeCount - n);
            taken = n;
            return first;
        }
        finally
        {
            _freeLock.Exit();
        }
    }
}
