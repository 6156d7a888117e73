using System.Runtime.ExceptionServices;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

namespace GoSched.Tests;

/// <summary>Runs goroutines from the test thread with bounded waits; on timeout fails with a goroutine dump.</summary>
internal static class GoTest
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs an async goroutine and waits for it.</summary>
    public static void Run(Func<Task> body) => Wait(Start(body));

    /// <summary>Runs a synchronous goroutine and waits for it.</summary>
    public static void RunSync(Action body) => Wait(StartSync(body));

    /// <summary>Starts an async goroutine; the task completes when it returns.</summary>
    public static Task Start(Func<Task> body)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.Run(async () =>
        {
            try
            {
                await body();
                tcs.SetResult();
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        });
        return tcs.Task;
    }

    /// <summary>Starts a synchronous goroutine; the task completes when it returns.</summary>
    public static Task StartSync(Action body)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.Run(() =>
        {
            try
            {
                body();
                tcs.SetResult();
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        });
        return tcs.Task;
    }

    /// <summary>Waits for every task, failing with a goroutine dump on timeout; rethrows the first failure.</summary>
    public static void Wait(params Task[] tasks)
    {
        bool done;
        try
        {
            done = Task.WaitAll(tasks, DefaultTimeout);
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        if (!done)
        {
            Assert.Fail("timed out; goroutines:\n" + RuntimeScheduler.Default.DumpAllGoroutines());
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true, failing with a dump after the timeout.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + DefaultTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; goroutines:\n" + RuntimeScheduler.Default.DumpAllGoroutines());
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>True when <paramref name="g"/> is parked with <paramref name="reason"/>.</summary>
    public static bool IsParked(Core.Goroutine? g, Core.WaitReason reason)
        => g is { Status: Core.GoroutineStatus.Waiting } && g.WaitReason == reason;

    /// <summary>Skips an allocation check in Debug builds (debug assertions format strings).</summary>
    public static void RequireRelease()
    {
#if DEBUG
        Assert.Ignore("allocation checks run in Release builds only");
#endif
    }

    /// <summary>Sets GOMAXPROCS for a test; disposing restores the previous value.</summary>
    public static IDisposable MaxProcs(int n) => new ProcsScope(Runtime.GOMAXPROCS(n));

    private sealed class ProcsScope(int previous) : IDisposable
    {
        public void Dispose() => Runtime.GOMAXPROCS(previous);
    }
}
