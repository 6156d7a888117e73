namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>1000 async goroutines each call Gosched n/1000 times.</summary>
    public static async Task<long> Gosched(int n)
    {
        int per = n / Workloads.GoschedGoroutines;
        var join = new Join(Workloads.GoschedGoroutines);
        var total = new Counter();
        Func<Task> body = async () =>
        {
            for (int i = 0; i < per; i++)
            {
                await Runtime.GoschedAsync();
            }
            total.Add(per);
            join.Done();
        };
        for (int g = 0; g < Workloads.GoschedGoroutines; g++)
        {
            Go.Run(body);
        }
        await join.WaitAsync();
        return total.Value;
    }
}
