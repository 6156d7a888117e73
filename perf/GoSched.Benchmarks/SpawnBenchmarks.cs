using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>Start N tasks or goroutines from a task or goroutine, and wait for all of them. Per operation: one spawn.</summary>
[MemoryDiagnoser]
public class SpawnBenchmarks
{
    private const int N = 10_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void TaskRun()
    {
        var join = new Countdown(N);
        Action body = join.Signal;
        Task.Run(() =>
        {
            for (int i = 0; i < N; i++)
            {
                _ = Task.Run(body);
            }
        }).GetAwaiter().GetResult();
        join.Task.GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void GoRunSync()
    {
        var join = new Countdown(N);
        Action body = join.Signal;
        GoHost.Run(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                Go.Run(body);
            }
            await join.Task;
        });
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void GoRunAsync()
    {
        var join = new Countdown(N);
        Func<Task> body = () =>
        {
            join.Signal();
            return Task.CompletedTask;
        };
        GoHost.Run(async () =>
        {
            for (int i = 0; i < N; i++)
            {
                Go.Run(body);
            }
            await join.Task;
        });
    }
}
