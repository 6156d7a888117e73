using System.Collections.Concurrent;
using GoSched.Tests.Support;

namespace GoSched.Tests.GoPorts;

using Time = GoSched.Time;

/// <summary>
/// Base for tests ported from Go's runtime and sync test suites: adds Go's <c>t.Errorf</c> (errors recorded from
/// any goroutine and reported at the end of the test) and a <c>time.After</c> equivalent.
/// </summary>
public abstract class GoPortTest : GoroutineTest
{
    private readonly ConcurrentQueue<string> _errors = new();

    [SetUp]
    public void ClearErrors() => _errors.Clear();

    [TearDown]
    public void ReportErrors()
    {
        if (!_errors.IsEmpty)
        {
            Assert.Fail(string.Join("\n", _errors.Take(20)) + (_errors.Count > 20 ? $"\n... ({_errors.Count} errors)" : ""));
        }
    }

    /// <summary>Go's <c>t.Errorf</c>: records a failure and lets the test go on.</summary>
    protected void Errorf(string message) => _errors.Enqueue(message);

    /// <summary>True once <see cref="Errorf"/> was called (Go's <c>t.Failed</c>).</summary>
    protected bool Failed => !_errors.IsEmpty;

    /// <summary>Go's <c>time.After</c>: a channel of capacity 1 that receives once after <paramref name="d"/>.</summary>
    protected static Channel<bool> After(TimeSpan d)
    {
        var c = new Channel<bool>(1);
        Time.AfterFunc(d, () => c.TrySend(true));
        return c;
    }

    /// <summary>Starts an async goroutine whose failure (an exception) is recorded as an error.</summary>
    protected void Spawn(Func<Task> body) => Go.Run(async () =>
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not GoexitException)
        {
            Errorf("goroutine failed: " + e);
            throw;
        }
    });

    /// <summary>Starts a synchronous goroutine whose failure (an exception) is recorded as an error.</summary>
    protected void SpawnSync(Action body) => Go.Run(() =>
    {
        try
        {
            body();
        }
        catch (Exception e) when (e is not GoexitException)
        {
            Errorf("goroutine failed: " + e);
            throw;
        }
    });
}
