using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>Start N tasks or goroutines from a task or goroutine, and wait for all of them. Per operation: one spawn.</summary>
[MemoryDiagnoser]
public class SpawnBenchmarks
{
    private const int N = 1_000_000; // the bar: spawning and joining a million goroutines

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

    /// <summary><see cref="GoRunSync"/> with GOMAXPROCS=1 (the thread pool keeps every core). One processor runs the
    /// spawning loop until sysmon preempts it every 10 ms, so most of the million goroutines are queued at once and
    /// their objects are allocated rather than reused.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public void GoRunSyncOneP() => GoRunSync();

    [GlobalSetup(Target = nameof(GoRunSyncOneP))]
    public void OneProcessor() => OneP.Enter();

    [GlobalCleanup(Target = nameof(GoRunSyncOneP))]
    public void AllProcessors() => OneP.Exit();

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
