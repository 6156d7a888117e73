namespace GoSched;

/// <summary>Go's <c>sync.Locker</c>, with an awaitable lock for async goroutines.</summary>
public interface ILocker
{
    /// <summary>Locks, blocking the caller.</summary>
    void Lock();

    /// <summary>Locks; the awaitable completes when the lock is held.</summary>
    /// <returns>The awaitable.</returns>
    WaitAwaitable LockAsync();

    /// <summary>Unlocks.</summary>
    void Unlock();
}
