namespace GoSched;

/// <summary>
/// Go's <c>sync.Once</c>: runs a function exactly once; every caller returns only after it has completed (also
/// when it panicked: later calls do not run it again).
/// </summary>
public sealed class Once
{
    /// <summary>1 once the function has run. Release-written after the function; acquire-read by the fast path.</summary>
    private volatile int _done;

    private readonly Mutex _mutex = new();

    /// <summary>Creates a once that has not run.</summary>
    public Once()
    {
    }

    /// <summary>Calls <paramref name="f"/> if and only if this is the first call.</summary>
    /// <param name="f">The function.</param>
    public void Do(Action f)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (_done == 0)
        {
            DoSlow(f);
        }
    }

    /// <summary>Calls <paramref name="f"/> if and only if this is the first call; async form.</summary>
    /// <param name="f">The function.</param>
    /// <returns>A task that completes when the function has completed.</returns>
    public async ValueTask DoAsync(Func<Task> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (_done != 0)
        {
            return;
        }
        await _mutex.LockAsync();
        try
        {
            if (_done == 0)
            {
                try
                {
                    await f().ConfigureAwait(true);
                }
                finally
                {
                    _done = 1;
                }
            }
        }
        finally
        {
            _mutex.Unlock();
        }
    }

    private void DoSlow(Action f)
    {
        _mutex.Lock();
        try
        {
            if (_done == 0)
            {
                try
                {
                    f();
                }
                finally
                {
                    _done = 1;
                }
            }
        }
        finally
        {
            _mutex.Unlock();
        }
    }
}
