using GoSched.Core;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

namespace GoSched.Tests.Support;

/// <summary>
/// Base for tests that run goroutines on the process's runtime: sets GOMAXPROCS for the test and restores it,
/// routes unrecovered panics into the test instead of exiting, and waits with a bound, failing with a goroutine
/// dump instead of hanging.
/// </summary>
public abstract class GoroutineTest
{
    private int _previousProcs;
    private readonly List<Exception> _panics = [];

    /// <summary>The default bound for a wait in a test.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [SetUp]
    public void InstallPanicTrap()
    {
        _previousProcs = Runtime.GOMAXPROCS(0);
        Go.UnrecoveredPanicHandler = (g, e) =>
        {
            lock (_panics)
            {
                _panics.Add(e);
            }
            return true;
        };
    }

    [TearDown]
    public void RestoreRuntime()
    {
        Runtime.GOMAXPROCS(_previousProcs);
        lock (_panics)
        {
            if (_panics.Count > 0)
            {
                Assert.Fail("unrecovered panic in a goroutine: " + _panics[0]);
            }
        }
    }

    /// <summary>Waits for <paramref name="task"/>; on timeout fails with every goroutine's trace.</summary>
    protected static void WaitOrDump(Task task, TimeSpan? bound = null, string what = "goroutines")
    {
        if (!task.Wait(bound ?? Bound))
        {
            Assert.Fail($"timed out waiting for {what}; goroutines:\n" + RuntimeScheduler.Default.DumpAllGoroutines()
                + "\nscheduler:\n" + GoSched.Profiling.SchedTrace.Format(RuntimeScheduler.Default.Snapshot(), detail: true));
        }
        task.GetAwaiter().GetResult();
    }

    /// <summary>Waits until <paramref name="condition"/> holds; on timeout fails with a goroutine dump.</summary>
    protected static void WaitUntil(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? Bound);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; goroutines:\n" + RuntimeScheduler.Default.DumpAllGoroutines());
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>
    /// Goroutines that are alive and not parked forever by design (tests of nil channels and empty selects leave
    /// such goroutines behind on purpose, as Go's own tests leak them).
    /// </summary>
    protected static int LiveGoroutines() => RuntimeScheduler.Default.Registry.Snapshot().Count(g =>
        g.Status != GoSched.Core.GoroutineStatus.Waiting || g.WaitReason is not (GoSched.Core.WaitReason.ChanReceiveNilChan
            or GoSched.Core.WaitReason.ChanSendNilChan or GoSched.Core.WaitReason.SelectNoCases));

    /// <summary>Waits until every goroutine started by earlier tests has finished (forever-parked ones aside).</summary>
    protected static int WaitForQuiescence()
    {
        WaitUntil(() => LiveGoroutines() == 0, "earlier goroutines to finish");
        return Runtime.NumGoroutine();
    }

    /// <summary>Runs <paramref name="body"/> as a goroutine and waits for it with a bound.</summary>
    protected static void RunGoroutine(Func<Task> body, TimeSpan? bound = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Go.Run(async () =>
        {
            try
            {
                await body();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        WaitOrDump(done.Task, bound);
    }
}

/// <summary>A counter whose last decrement completes a task (joins goroutines from a test thread).</summary>
public sealed class Countdown(int count)
{
    private int _count = count;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _done.Task;

    public void Signal()
    {
        int left = Interlocked.Decrement(ref _count);
        if (left == 0)
        {
            _done.TrySetResult();
        }
        else if (left < 0)
        {
            _done.TrySetException(new InvalidOperationException("Countdown signalled too often"));
        }
    }
}

/// <summary>
/// A binary semaphore built directly on the parking protocol (test-only): enough for goroutines to wake each
/// other without depending on channels.
/// </summary>
internal sealed class Baton
{
    private readonly Lock _lock = new();
    private bool _permit;
    private Goroutine? _waiter;

    public void Signal()
    {
        Goroutine? wake;
        lock (_lock)
        {
            wake = _waiter;
            _waiter = null;
            if (wake is null)
            {
                _permit = true;
            }
        }
        wake?.Ready();
    }

    public async Task WaitAsync()
    {
        Goroutine g = Goroutine.Current ?? throw new InvalidOperationException("not a goroutine");
        lock (_lock)
        {
            if (_permit)
            {
                _permit = false;
                return;
            }
            g.PrepareToPark(WaitReason.Semacquire, default);
            _waiter = g;
        }
        await g.Park();
    }

    public void Wait()
    {
        Goroutine g = Goroutine.Current ?? throw new InvalidOperationException("not a goroutine");
        lock (_lock)
        {
            if (_permit)
            {
                _permit = false;
                return;
            }
            g.PrepareToPark(WaitReason.Semacquire, default);
            _waiter = g;
        }
        g.BlockThread();
    }
}
