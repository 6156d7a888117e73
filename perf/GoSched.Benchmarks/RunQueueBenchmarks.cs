using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using GoSched.Core;
using GoSched.Scheduling;

namespace GoSched.Benchmarks;

/// <summary>
/// The P's local run queue against ConcurrentQueue (the shape of the thread pool's global queue). Per operation: one
/// put and one get, single-threaded (the owner's fast path).
/// </summary>
[MemoryDiagnoser]
public class RunQueueBenchmarks
{
    private const int N = 128;
    private readonly ConcurrentQueue<Goroutine> _concurrent = new();
    private readonly LocalRunQueue _local = new();
    private readonly LocalRunQueue _thief = new();
    private readonly GlobalRunQueueLane _global = new();
    private Goroutine[] _gs = [];

    [GlobalSetup]
    public void Setup()
    {
        _gs = new Goroutine[N];
        for (int i = 0; i < N; i++)
        {
            _gs[i] = new Goroutine(Scheduler.Default, i + 1, 0, null, static () => { }, default, isMain: false);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public int ConcurrentQueuePutGet()
    {
        foreach (Goroutine g in _gs)
        {
            _concurrent.Enqueue(g);
        }
        int n = 0;
        while (_concurrent.TryDequeue(out _))
        {
            n++;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int LocalPutGet()
    {
        foreach (Goroutine g in _gs)
        {
            _local.Put(g, next: false, _global);
        }
        int n = 0;
        while (_local.TryGet(out _) is not null)
        {
            n++;
        }
        return n;
    }

    /// <summary>Every put goes through runnext, kicking the previous occupant to the ring (a chain of readies).</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int LocalPutNextGet()
    {
        foreach (Goroutine g in _gs)
        {
            _local.Put(g, next: true, _global);
        }
        int n = 0;
        while (_local.TryGet(out _) is not null)
        {
            n++;
        }
        return n;
    }

    /// <summary>Fill a queue, steal half into another, drain both. Per operation: one goroutine moved through.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int LocalStealHalf()
    {
        foreach (Goroutine g in _gs)
        {
            _local.Put(g, next: false, _global);
        }
        int n = _thief.StealFrom(_local, stealRunNext: false, victimIsRunning: false) is null ? 0 : 1;
        while (_thief.TryGet(out _) is not null)
        {
            n++;
        }
        while (_local.TryGet(out _) is not null)
        {
            n++;
        }
        return n;
    }
}
