namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>Starts <paramref name="n"/> synchronous goroutines and waits for all of them.</summary>
    public static async Task<long> Spawn(int n)
    {
        var join = new Join(n);
        var count = new Counter();
        Action body = () =>
        {
            count.Increment();
            join.Done();
        };
        for (int i = 0; i < n; i++)
        {
            Go.Run(body);
        }
        await join.WaitAsync();
        return count.Value;
    }
}
