namespace GoSched.Compare;

/// <summary>Runs a workload body in a root goroutine and hands its result to an ordinary thread.</summary>
internal static class GoSchedHost
{
    /// <summary>
    /// Starts <paramref name="body"/> as an async goroutine, so that the goroutines it starts go to a P's local run
    /// queue as in a Go program, and returns a task that completes with its result.
    /// </summary>
    public static Task<long> Start(Func<int, Task<long>> body, int n)
    {
        var result = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.Run(async () =>
        {
            try
            {
                result.SetResult(await body(n));
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }
}
