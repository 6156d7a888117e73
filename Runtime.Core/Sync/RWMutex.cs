using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Go's <c>sync.RWMutex</c>: any number of readers or one writer. Writer-preferring: once a writer waits in
/// <see cref="Lock"/>, new readers block until it has locked and unlocked.
/// </summary>
/// <remarks>
/// Go's algorithm (sync/rwmutex.go): <see cref="_readerCount"/> counts readers and goes negative by
/// <see cref="MaxReaders"/> while a writer is pending; <see cref="_readerWait"/> counts the readers the pending
/// writer still waits for. Misuse is fatal: "sync: RUnlock of unlocked RWMutex", "sync: Unlock of unlocked RWMutex".
/// </remarks>
public sealed class RWMutex : ILocker
{
    /// <summary>Go's <c>rwmutexMaxReaders</c>.</summary>
    public const int MaxReaders = 1 << 30;

    private readonly Mutex _writer = new();
    private readonly Core.Semaphore _writerSem = new();
    private readonly Core.Semaphore _readerSem = new();

    /// <summary>Number of pending readers (minus <see cref="MaxReaders"/> while a writer is pending). Interlocked.</summary>
    private int _readerCount;

    /// <summary>Number of departing readers the pending writer waits for. Interlocked.</summary>
    private int _readerWait;

    /// <summary>Creates an unlocked RWMutex.</summary>
    public RWMutex()
    {
    }

    /// <summary>Locks for reading, blocking while a writer holds or waits for the lock.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public void RLock([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (Interlocked.Increment(ref _readerCount) < 0)
        {
            _readerSem.Acquire(false, WaitReason.SyncRWMutexRLock, new CallerLocation(member, file, line));
        }
    }

    /// <summary>Locks for reading; the awaitable completes when the read lock is held.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public WaitAwaitable RLockAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (Interlocked.Increment(ref _readerCount) < 0)
        {
            return new WaitAwaitable(
                _readerSem.AcquireAsync(false, WaitReason.SyncRWMutexRLock, new CallerLocation(member, file, line)));
        }
        return default;
    }

    /// <summary>Undoes one <see cref="RLock"/>.</summary>
    public void RUnlock()
    {
        int r = Interlocked.Decrement(ref _readerCount);
        if (r < 0)
        {
            RUnlockSlow(r);
        }
    }

    private void RUnlockSlow(int r)
    {
        if (r + 1 == 0 || r + 1 == -MaxReaders)
        {
            RuntimeFatal.Fatal("sync: RUnlock of unlocked RWMutex", withGoroutines: false);
        }
        if (Interlocked.Decrement(ref _readerWait) == 0)
        {
            _writerSem.Release(handoff: false); // the last departing reader unblocks the writer
        }
    }

    /// <summary>Locks for writing, blocking until no reader or writer holds the lock.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public void Lock([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        _writer.Lock(member, file, line);
        int r = Interlocked.Add(ref _readerCount, -MaxReaders) + MaxReaders;
        if (r != 0 && Interlocked.Add(ref _readerWait, r) != 0)
        {
            _writerSem.Acquire(false, WaitReason.SyncRWMutexLock, new CallerLocation(member, file, line));
        }
    }

    /// <summary>Locks for writing; the awaitable completes when the write lock is held.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public WaitAwaitable LockAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        var site = new CallerLocation(member, file, line);
        WaitAwaitable writer = _writer.LockAsync(member, file, line);
        if (writer.IsCompleted)
        {
            writer.GetResult();
            return new WaitAwaitable(AfterWriterLocked(site));
        }
        return new WaitAwaitable(LockSlowAsync(writer.AsValueTask(), site));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask LockSlowAsync(ValueTask writer, CallerLocation site)
    {
        await writer.ConfigureAwait(false);
        await AfterWriterLocked(site).ConfigureAwait(false);
    }

    private ValueTask AfterWriterLocked(in CallerLocation site)
    {
        int r = Interlocked.Add(ref _readerCount, -MaxReaders) + MaxReaders;
        if (r != 0 && Interlocked.Add(ref _readerWait, r) != 0)
        {
            return _writerSem.AcquireAsync(false, WaitReason.SyncRWMutexLock, site);
        }
        return default;
    }

    /// <summary>Unlocks for writing, releasing the readers that waited.</summary>
    public void Unlock()
    {
        int r = Interlocked.Add(ref _readerCount, MaxReaders);
        if (r >= MaxReaders)
        {
            RuntimeFatal.Fatal("sync: Unlock of unlocked RWMutex", withGoroutines: false);
        }
        for (int i = 0; i < r; i++)
        {
            _readerSem.Release(handoff: false);
        }
        _writer.Unlock();
    }

    /// <inheritdoc/>
    void ILocker.Lock() => Lock();

    /// <inheritdoc/>
    WaitAwaitable ILocker.LockAsync() => LockAsync();

    /// <summary>Go's <c>RLocker</c>: a locker whose Lock and Unlock are RLock and RUnlock.</summary>
    /// <returns>The read locker.</returns>
    public ILocker RLocker() => new ReadLocker(this);

    private sealed class ReadLocker(RWMutex rw) : ILocker
    {
        public void Lock() => rw.RLock();

        public WaitAwaitable LockAsync() => rw.RLockAsync();

        public void Unlock() => rw.RUnlock();
    }
}
