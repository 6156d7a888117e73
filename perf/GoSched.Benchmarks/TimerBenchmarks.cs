using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>
/// C concurrent sleepers each sleep 1 ms once. Per operation: one sleep (the mean is dominated by the 1 ms and the
/// timer's resolution; the allocation column is the point). Baseline: Task.Delay. GoSched's timers are compiled in
/// with GOSCHED_TIMERS.
/// </summary>
[MemoryDiagnoser]
public class TimerBenchmarks
{
    private const int C = 1_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = C)]
    public void TaskDelay()
    {
        var tasks = new Task[C];
        for (int i = 0; i < C; i++)
        {
            tasks[i] = Task.Delay(1);
        }
        Task.WaitAll(tasks);
    }

#if GOSCHED_TIMERS
    [Benchmark(OperationsPerInvoke = C)]
    public void SleepAsync()
    {
        var join = new Countdown(C);
        Func<Task> body = async () =>
        {
            await Time.SleepAsync(TimeSpan.FromMilliseconds(1));
            join.Signal();
        };
        GoHost.Run(async () =>
        {
            for (int i = 0; i < C; i++)
            {
                Go.Run(body);
            }
            await join.Task;
        });
    }
#endif
}
