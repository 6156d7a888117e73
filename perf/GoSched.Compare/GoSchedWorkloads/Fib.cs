namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>Parallel fib: a call with n at or above the cutoff computes fib(n-1) in a new goroutine.</summary>
    public static Task<long> Fib(int n) => FibPar(n);

    private static async Task<long> FibPar(int n)
    {
        if (n < Workloads.FibCutoff)
        {
            return Workloads.FibSeq(n);
        }
#if GOSCHED_SYNC
        var c = new Channel<long>(1);
        Go.Run(async () => await c.SendAsync(await FibPar(n - 1)));
        long b = await FibPar(n - 2);
        return await c.ReceiveAsync() + b;
#else
        // No channels yet: the child completes a task that the parent awaits (through the goroutine's Post).
        var c = new TaskCompletionSource<long>();
        Go.Run(async () => c.SetResult(await FibPar(n - 1)));
        long b = await FibPar(n - 2);
        return await c.Task + b;
#endif
    }
}
