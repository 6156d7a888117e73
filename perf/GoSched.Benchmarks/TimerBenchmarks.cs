using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace GoSched.Benchmarks;

/// <summary>
/// Timers, in two groups. <b>Sleep</b>: C concurrent sleepers each wait 1 ms once, by sleeping or by receiving from
/// a channel timer; per operation: one wait (the mean is dominated by the 1 ms and the timer's resolution; the
/// allocation column is the point). Baseline: Task.Delay. <b>StopReset</b>: re-arming a pending timer and stopping it,
/// which never fires; per operation: one Reset and one Stop. Baseline: a System.Threading.Timer's Change pair.
/// GoSched's timers are compiled in with GOSCHED_TIMERS.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TimerBenchmarks
{
    private const int C = 1_000;
    private const int R = 10_000;

    [BenchmarkCategory("Sleep")]
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

    [BenchmarkCategory("StopReset")]
    [Benchmark(Baseline = true, OperationsPerInvoke = R)]
    public void ThreadingTimerChange()
    {
        using var timer = new System.Threading.Timer(static _ => { }, null, Timeout.Infinite, Timeout.Infinite);
        for (int i = 0; i < R; i++)
        {
            timer.Change(3_600_000, Timeout.Infinite);
            timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

#if GOSCHED_TIMERS
    [BenchmarkCategory("Sleep")]
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

    [BenchmarkCategory("Sleep")]
    [Benchmark(OperationsPerInvoke = C)]
    public void NewTimerReceive()
    {
        var join = new Countdown(C);
        Func<Task> body = async () =>
        {
            await Time.NewTimer(TimeSpan.FromMilliseconds(1)).C.ReceiveAsync();
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

    [BenchmarkCategory("StopReset")]
    [Benchmark(OperationsPerInvoke = R)]
    public void TimerResetStop()
    {
        GoHost.Run(() =>
        {
            Time.Timer timer = Time.NewTimer(TimeSpan.FromHours(1));
            for (int i = 0; i < R; i++)
            {
                timer.Reset(TimeSpan.FromHours(1));
                timer.Stop();
            }
            return Task.CompletedTask;
        });
    }
#endif
}
