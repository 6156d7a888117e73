using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

// Recycling exited goroutines (Go's gfput/gfget/gfpurge) and counting live ones (Go's gcount).
//
// A goroutine object that exited cleanly (see Goroutine.CanBeRecycled) goes on its P's free list, a stack of
// LocalFreeMax slots owned by the P's M; when it is full, half of it moves to the global free list (a stack of
// slots under _freeLock), and an empty P takes a batch back from there. Slots, not links through the goroutines:
// moving a batch then copies references instead of walking cold objects one cache miss at a time. The global list is bounded: past GlobalFreeMax a
// goroutine object is dropped (unregistered and left to the GC), so a burst of a million goroutines does not pin a
// million objects forever, as Go's allgs does.
//
// Recycled objects stay in the registry (Go's allgs holds dead gs too); its snapshots skip dead ones. So a spawn
// that reuses an object takes no lock and allocates nothing but, for an async body, its synchronization context.
//
// Live goroutines are counted per P (Processor.LiveGoroutines, +1 at spawn, -1 at exit, each a plain
// read-modify-write by the P's owner published with a release write; a P changes owner only through a full fence) and in _liveWithoutP for spawns and exits made without a P; NumGoroutine sums
// them. The sum is a racy snapshot, as Go's gcount is; once spawns and exits are ordered before the read (a join),
// it is exact.
internal sealed partial class Scheduler
{
    internal const int LocalFreeMax = 64; // Go's p.gFree bound
    private const int FreeBatch = 32; // moved between a P's list and the global one
    private const int GlobalFreeMax = 16 * 1024;

    private readonly RuntimeLock _freeLock = new();

    // Guarded by _freeLock: a stack of free goroutine objects in _globalFree[0.._globalFreeCount), grown on demand up
    // to GlobalFreeMax. _globalFreeCount is also read racily to skip the lock when the stack is empty.
    private Goroutine?[] _globalFree = new Goroutine?[FreeBatch * 4];
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
            Volatile.Write(ref p.LiveGoroutines, p.LiveGoroutines + 1); // owner only
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
            Volatile.Write(ref p.LiveGoroutines, p.LiveGoroutines - 1); // owner only
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
            return Volatile.Read(ref _globalFreeCount) == 0 ? null : TakeOneFromGlobalFree();
        }
        if (p.FreeGoroutineCount == 0)
        {
            if (Volatile.Read(ref _globalFreeCount) == 0)
            {
                return null;
            }
            p.FreeGoroutineCount = TakeFromGlobalFree(p.FreeGoroutines, 0, FreeBatch);
            if (p.FreeGoroutineCount == 0)
            {
                return null;
            }
        }
        int top = --p.FreeGoroutineCount;
        Goroutine g = p.FreeGoroutines[top]!;
        p.FreeGoroutines[top] = null;
        return g;
    }

    /// <summary>Go's <c>gfput</c>: keeps an exited goroutine object for reuse, or drops it.</summary>
    private void RecycleGoroutine(Processor? p, Goroutine g)
    {
        Debug.Assert(g.Status == GoroutineStatus.Dead);
        if (!g.CanBeRecycled)
        {
            _registry.Remove(g);
            return;
        }
        if (p is null)
        {
            PutOneOnGlobalFree(g);
            return;
        }
        if (p.FreeGoroutineCount == LocalFreeMax)
        {
            // Full: the most recently freed half goes to the global stack.
            PutOnGlobalFree(p.FreeGoroutines, LocalFreeMax - FreeBatch, FreeBatch);
            p.FreeGoroutineCount -= FreeBatch;
        }
        p.FreeGoroutines[p.FreeGoroutineCount++] = g;
    }

    /// <summary>Go's <c>gfpurge</c>: a destroyed P's free goroutines go to the global list.</summary>
    private void PurgeFreeGoroutines(Processor p)
    {
        PutOnGlobalFree(p.FreeGoroutines, 0, p.FreeGoroutineCount);
        p.FreeGoroutineCount = 0;
    }

    private void PutOneOnGlobalFree(Goroutine g)
    {
        _freeLock.Enter();
        try
        {
            if (_globalFreeCount < GlobalFreeMax)
            {
                if (_globalFreeCount == _globalFree.Length)
                {
                    Array.Resize(ref _globalFree, Math.Min(GlobalFreeMax, _globalFree.Length * 2));
                }
                _globalFree[_globalFreeCount] = g;
                Volatile.Write(ref _globalFreeCount, _globalFreeCount + 1);
                return;
            }
        }
        finally
        {
            _freeLock.Exit();
        }
        _registry.Remove(g);
    }

    /// <summary>Moves <paramref name="source"/>[start..start+count) to the global stack (clearing the source slots);
    /// what does not fit under the bound is dropped (unregistered and left to the GC).</summary>
    private void PutOnGlobalFree(Goroutine?[] source, int start, int count)
    {
        int kept;
        _freeLock.Enter();
        try
        {
            kept = Math.Min(count, GlobalFreeMax - _globalFreeCount);
            if (_globalFreeCount + kept > _globalFree.Length)
            {
                Array.Resize(ref _globalFree, Math.Min(GlobalFreeMax, Math.Max(_globalFree.Length * 2, _globalFreeCount + kept)));
            }
            Array.Copy(source, start, _globalFree, _globalFreeCount, kept);
            Volatile.Write(ref _globalFreeCount, _globalFreeCount + kept);
        }
        finally
        {
            _freeLock.Exit();
        }
        for (int i = start + kept; i < start + count; i++)
        {
            _registry.Remove(source[i]!);
        }
        Array.Clear(source, start, count);
    }

    private Goroutine? TakeOneFromGlobalFree()
    {
        _freeLock.Enter();
        try
        {
            if (_globalFreeCount == 0)
            {
                return null;
            }
            int top = _globalFreeCount - 1;
            Goroutine? g = _globalFree[top];
            _globalFree[top] = null;
            Volatile.Write(ref _globalFreeCount, top);
            return g;
        }
        finally
        {
            _freeLock.Exit();
        }
    }

    /// <summary>Pops up to <paramref name="max"/> goroutines from the global stack into
    /// <paramref name="destination"/>[start..]; returns how many.</summary>
    private int TakeFromGlobalFree(Goroutine?[] destination, int start, int max)
    {
        _freeLock.Enter();
        try
        {
            int n = Math.Min(max, _globalFreeCount);
            int from = _globalFreeCount - n;
            Array.Copy(_globalFree, from, destination, start, n);
            Array.Clear(_globalFree, from, n);
            Volatile.Write(ref _globalFreeCount, from);
            return n;
        }
        finally
        {
            _freeLock.Exit();
        }
    }
}
