namespace GoSched.Benchmarks;

/// <summary>Runs a body in a root goroutine (so that what it spawns goes to a P's local queue) and waits for it.</summary>
internal static class GoHost
{
    public static void Run(Func<Task> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.Run(async () =>
        {
            try
            {
                await body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        done.Task.GetAwaiter().GetResult();
    }
}

/// <summary>An atomic counter whose last decrement completes a task.</summary>
internal sealed class Countdown
{
    private readonly TaskCompletionSource _done = new();
    private int _pending;

    public Countdown(int count) => _pending = count;

    public Task Task => _done.Task;

    public void Signal()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.SetResult();
        }
    }
}

/// <summary>Switches GOMAXPROCS to 1 for a benchmark and back.</summary>
internal static class OneP
{
    private static int s_previous;

    public static void Enter() => s_previous = Runtime.GOMAXPROCS(1);

    public static void Exit() => Runtime.GOMAXPROCS(s_previous);
}
