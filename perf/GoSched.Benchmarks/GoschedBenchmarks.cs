using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>
/// G goroutines (or tasks) each yield Y times. Per operation: one yield. The baseline is Task.Yield on the thread pool.
/// </summary>
[MemoryDiagnoser]
public class GoschedBenchmarks
{
    private const int G = 100;
    private const int Y = 10_000; // G * Y: the bar's million Gosched switches

    [Benchmark(Baseline = true, OperationsPerInvoke = G * Y)]
    public void TaskYield()
    {
        var tasks = new Task[G];
        for (int g = 0; g < G; g++)
        {
            tasks[g] = Task.Run(async () =>
            {
                for (int i = 0; i < Y; i++)
                {
                    await Task.Yield();
                }
            });
        }
        Task.WaitAll(tasks);
    }

    [Benchmark(OperationsPerInvoke = G * Y)]
    public void GoschedAsync()
    {
        var join = new Countdown(G);
        Func<Task> body = async () =>
        {
            for (int i = 0; i < Y; i++)
            {
                await Runtime.GoschedAsync();
            }
            join.Signal();
        };
        GoHost.Run(async () =>
        {
            for (int g = 0; g < G; g++)
            {
                Go.Run(body);
            }
            await join.Task;
        });
    }

    /// <summary><see cref="GoschedAsync"/> with GOMAXPROCS=1 (the thread pool keeps every core).</summary>
    [Benchmark(OperationsPerInvoke = G * Y)]
    public void GoschedAsyncOneP() => GoschedAsync();

    [GlobalSetup(Target = nameof(GoschedAsyncOneP))]
    public void OneProcessor() => OneP.Enter();

    [GlobalCleanup(Target = nameof(GoschedAsyncOneP))]
    public void AllProcessors() => OneP.Exit();

    /// <summary>The blocking form in synchronous goroutines: each Gosched parks the goroutine's thread.</summary>
    [Benchmark(OperationsPerInvoke = 4 * Y)]
    public void GoschedBlocking()
    {
        var join = new Countdown(4);
        Action body = () =>
        {
            for (int i = 0; i < Y; i++)
            {
                Runtime.Gosched();
            }
            join.Signal();
        };
        GoHost.Run(async () =>
        {
            for (int g = 0; g < 4; g++)
            {
                Go.Run(body);
            }
            await join.Task;
        });
    }
}
