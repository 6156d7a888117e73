#if GOSCHED_SYNC
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>100 goroutines each take one mutex n/100 times.</summary>
    public static async Task<long> Mutex(int n)
    {
        var mu = new GoSched.Mutex();
        var join = new Join(Workloads.MutexGoroutines);
        long counter = 0;
        int per = n / Workloads.MutexGoroutines;
        for (int g = 0; g < Workloads.MutexGoroutines; g++)
        {
            Go.Run(async () =>
            {
                for (int i = 0; i < per; i++)
                {
                    await mu.LockAsync();
                    counter++;
                    mu.Unlock();
                }
                join.Done();
            });
        }
        await join.WaitAsync();
        return counter;
    }
}
#endif
