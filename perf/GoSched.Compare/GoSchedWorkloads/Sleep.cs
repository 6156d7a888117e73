#if GOSCHED_TIMERS
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>n goroutines each sleep 1 ms ten times.</summary>
    public static async Task<long> Sleep(int n)
    {
        var join = new Join(n);
        var total = new Counter();
        Func<Task> body = async () =>
        {
            for (int i = 0; i < Workloads.SleepsPerGoroutine; i++)
            {
                await Time.SleepAsync(TimeSpan.FromMilliseconds(1));
            }
            total.Add(Workloads.SleepsPerGoroutine);
            join.Done();
        };
        for (int g = 0; g < n; g++)
        {
            Go.Run(body);
        }
        await join.WaitAsync();
        return total.Value;
    }
}
#endif
