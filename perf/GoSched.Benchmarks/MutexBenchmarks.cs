using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace GoSched.Benchmarks;

/// <summary>
/// Uncontended lock/unlock, and W workers each taking one lock L times. Per operation: one lock/unlock. Baseline:
/// SemaphoreSlim(1, 1). GoSched's Mutex is compiled in with GOSCHED_SYNC.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MutexBenchmarks
{
    private const int W = 8;
    private const int L = 1_000;
    private readonly SemaphoreSlim _semaphore = new(1, 1);
#if GOSCHED_SYNC
    private readonly GoSched.Mutex _mutex = new();
#endif
    private long _counter;

    [BenchmarkCategory("Uncontended")]
    [Benchmark(Baseline = true)]
    public void SemaphoreSlimUncontended()
    {
        _semaphore.Wait();
        _counter++;
        _semaphore.Release();
    }

    [BenchmarkCategory("Contended")]
    [Benchmark(Baseline = true, OperationsPerInvoke = W * L)]
    public void SemaphoreSlimContended()
    {
        var tasks = new Task[W];
        for (int w = 0; w < W; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                for (int i = 0; i < L; i++)
                {
                    await _semaphore.WaitAsync();
                    _counter++;
                    _semaphore.Release();
                }
            });
        }
        Task.WaitAll(tasks);
    }

#if GOSCHED_SYNC
    [BenchmarkCategory("Uncontended")]
    [Benchmark]
    public void MutexUncontended()
    {
        _mutex.Lock();
        _counter++;
        _mutex.Unlock();
    }

    [BenchmarkCategory("Contended")]
    [Benchmark(OperationsPerInvoke = W * L)]
    public void MutexContended()
    {
        var join = new Countdown(W);
        GoHost.Run(async () =>
        {
            for (int w = 0; w < W; w++)
            {
                Go.Run(async () =>
                {
                    for (int i = 0; i < L; i++)
                    {
                        await _mutex.LockAsync();
                        _counter++;
                        _mutex.Unlock();
                    }
                    join.Signal();
                });
            }
            await join.Task;
        });
    }
#endif
}
