using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    private const int GoidCacheBatch = 16; // Go's _GoidCacheBatch

    /// <summary>
    /// Go's <c>newproc</c>: creates a goroutine and puts it in the current P's runnext (so it inherits the time
    /// slice of whoever runs next), or on the global queue when called from outside the scheduler's threads; then
    /// wakes an idle P.
    /// </summary>
    internal Goroutine Spawn(Func<Task>? asyncBody, Action? syncBody, in CallerLocation site)
        => Spawn(Machine.Current, asyncBody, syncBody, site);

    /// <summary>
    /// <see cref="Spawn(Func{Task}, Action, in CallerLocation)"/> on the scheduler of the calling thread (the default
    /// one outside the scheduler's threads), reading the thread's M once (a thread-static read is a helper call).
    /// </summary>
    internal static Goroutine SpawnOnCurrent(Func<Task>? asyncBody, Action? syncBody, in CallerLocation site)
    {
        Machine? m = Machine.Current;
        return (m?.Scheduler ?? Default).Spawn(m, asyncBody, syncBody, site);
    }

    private Goroutine Spawn(Machine? m, Func<Task>? asyncBody, Action? syncBody, in CallerLocation site)
    {
        Processor? p = m is not null && m.Scheduler == this ? BeginRuntimeCall(m) : null;
        long id = p is not null ? NextGoroutineId(p) : Interlocked.Increment(ref _goidGen);
        Goroutine? parentG = m is { InGoroutine: true } ? m.CurG : null; // not a thread-local read
        long parent = parentG?.Id ?? 0;
        Goroutine? g = TakeFreeGoroutine(p);
        if (g is not null)
        {
            g.Reinitialize(id, parent, asyncBody, syncBody, site);
        }
        else
        {
            g = new Goroutine(this, id, parent, asyncBody, syncBody, site, isMain: false);
            _registry.Add(g);
        }
        CountSpawn(p);
        if (p is not null)
        {
            p.RunQueue.Put(g, next: true, p.GlobalLane);
            p.Counters.Spawned++;
            EndRuntimeCall(m!, p);
        }
        else
        {
            _global.Put(g);
            Interlocked.Increment(ref _foreignSpawns);
            Interlocked.MemoryBarrier(); // see "Releasing a P"
        }
        WakeProcessor();
        if (parentG is { PreemptRequested: true })
        {
            PreemptPoint(parentG);
        }
        return g;
    }

    /// <summary>
    /// A runtime call is a safe point, as a function prologue is in Go: if sysmon asked the running goroutine to
    /// give up its time slice (it has run 10 ms without parking), it yields here: its thread waits while the P runs
    /// others, then it continues. Without this, a goroutine that spawns in a loop would keep every spawned
    /// goroutine queued until its loop ends.
    /// </summary>
    private void PreemptPoint(Goroutine current)
    {
        current.PreemptRequested = false;
        YieldCurrentThread(current);
    }

    /// <summary>Creates and queues the main goroutine (id 1).</summary>
    internal Goroutine SpawnMain(Func<Task>? asyncBody, Action? syncBody, in CallerLocation site)
    {
        var g = new Goroutine(this, 1, 0, asyncBody, syncBody, site, isMain: true);
        _registry.Add(g);
        CountSpawn(null);
        _global.Put(g);
        Interlocked.MemoryBarrier();
        WakeProcessor();
        return g;
    }

    private long NextGoroutineId(Processor p)
    {
        if (p.GoidCache == p.GoidCacheEnd)
        {
            // Ids 2.. come in batches of 16 per P; 1 is reserved for the main goroutine.
            long end = Interlocked.Add(ref _goidGen, GoidCacheBatch);
            p.GoidCache = end - GoidCacheBatch + 1;
            p.GoidCacheEnd = end + 1;
        }
        return p.GoidCache++;
    }

    /// <inheritdoc/>
    public void Enqueue(Goroutine g, bool fromForeignThread)
    {
        Machine? m = fromForeignThread ? null : Machine.Current;
        if (m is not null && m.Scheduler == this)
        {
            Processor? p = BeginRuntimeCall(m);
            if (p is not null)
            {
                bool queuedBehind = p.RunQueue.PutReportingKick(g, next: true, p.GlobalLane);
                bool deferWake = !queuedBehind && m.CurG is { IsSynchronous: false };
                if (deferWake)
                {
                    p.WakeDeferred = true; // see "Deferred wake-ups" in Scheduler.cs
                }
                EndRuntimeCall(m, p);
                if (!deferWake)
                {
                    WakeProcessor();
                }
                return;
            }
        }
        _global.Put(g);
        Interlocked.MemoryBarrier(); // see "Releasing a P"
        WakeProcessor();
    }
}
