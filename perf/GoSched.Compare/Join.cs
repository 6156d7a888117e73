namespace GoSched.Compare;

/// <summary>
/// Waits for a known number of goroutines: a WaitGroup when GoSched has one (GOSCHED_SYNC), else an atomic
/// counter whose last decrement completes a task that the waiting goroutine awaits.
/// </summary>
internal sealed class Join
{
#if GOSCHED_SYNC
    private readonly WaitGroup _wg = new();

    public Join(int count) => _wg.Add(count);

    public void Done() => _wg.Done();

    public async Task WaitAsync() => await _wg.WaitAsync();
#else
    private readonly TaskJoin _join;

    public Join(int count) => _join = new TaskJoin(count);

    public void Done() => _join.Done();

    public Task WaitAsync() => _join.WaitAsync();
#endif
}

/// <summary>An atomic counter whose last decrement completes a task (for thread-pool code, and for goroutines
/// until GoSched has a WaitGroup).</summary>
internal sealed class TaskJoin
{
    private readonly TaskCompletionSource _done = new();
    private int _pending;

    public TaskJoin(int count)
    {
        _pending = count;
        if (count == 0)
        {
            _done.SetResult();
        }
    }

    public void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.SetResult();
        }
    }

    public Task WaitAsync() => _done.Task;
}

/// <summary>A shared 64-bit counter (a class so that lambdas and async methods can share it).</summary>
internal sealed class Counter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Add(long delta) => Interlocked.Add(ref _value, delta);

    public void Increment() => Interlocked.Increment(ref _value);
}

/// <summary>A flag that asks a generator to stop (the sieve).</summary>
internal sealed class StopFlag
{
    private volatile bool _stop;

    public bool IsSet => _stop;

    public void Set() => _stop = true;
}
