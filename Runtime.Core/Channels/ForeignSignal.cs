namespace GoSched.Core;

/// <summary>
/// Wakes a caller that is not a goroutine (a plain .NET thread or thread-pool code): a blocking caller waits on a
/// monitor; an async caller's continuation is queued to the thread pool. One signal per wait; not pooled, because
/// foreign callers are the slow, rare path.
/// </summary>
internal sealed class ForeignSignal
{
    private static readonly Action s_completed = static () => { };

    private readonly object _gate = new();

    /// <summary>The async continuation, or <see cref="s_completed"/> once signalled. Interlocked only.</summary>
    private Action? _continuation;

    /// <summary>Guarded by <see cref="_gate"/>.</summary>
    private bool _signaled;

    /// <summary>Re-arms the signal for another wait (owner only, when no waker can reference it).</summary>
    internal void Reset()
    {
        _continuation = null;
        lock (_gate)
        {
            _signaled = false;
        }
    }

    /// <summary>Blocks the calling thread until <see cref="Signal"/>.</summary>
    internal void Wait()
    {
        lock (_gate)
        {
            while (!_signaled)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Runs <paramref name="continuation"/> on the thread pool once signalled.</summary>
    internal void OnCompleted(Action continuation)
    {
        if (Interlocked.CompareExchange(ref _continuation, continuation, null) is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
        }
    }

    /// <summary>Wakes the waiter. The monitor is touched last: once it is released the owner may reuse us.</summary>
    internal void Signal()
    {
        Action? c = Interlocked.Exchange(ref _continuation, s_completed);
        if (c is not null && c != s_completed)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), c, preferLocal: false);
        }
        lock (_gate)
        {
            _signaled = true;
            Monitor.Pulse(_gate);
        }
    }
}
