namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>
    /// Parks <paramref name="n"/> goroutines (on one channel with GOSCHED_SYNC, else on one task), measures, then
    /// releases them. Returns the number released.
    /// </summary>
    public static async Task<long> ParkedMemory(int n, Action measure)
    {
        var started = new Counter();
        var released = new Counter();
        var join = new Join(n);
#if GOSCHED_SYNC
        var block = new Channel<int>(0);
        Func<Task> body = async () =>
        {
            started.Increment();
            _ = await block.ReceiveWithOkAsync();
            released.Increment();
            join.Done();
        };
#else
        var block = new TaskCompletionSource();
        Func<Task> body = async () =>
        {
            started.Increment();
            await block.Task;
            released.Increment();
            join.Done();
        };
#endif
        for (int i = 0; i < n; i++)
        {
            Go.Run(body);
        }
        while (started.Value < n)
        {
            await Runtime.GoschedAsync();
        }
        // The measurement blocks this goroutine's thread, so it runs on a thread-pool thread while we park here.
        await Task.Run(measure);
#if GOSCHED_SYNC
        block.Close();
#else
        block.SetResult();
#endif
        await join.WaitAsync();
        return released.Value;
    }
}
