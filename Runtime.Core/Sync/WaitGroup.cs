using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Go's <c>sync.WaitGroup</c>: waits for a collection of goroutines to finish. The state word holds the counter in
/// its high 32 bits and the number of waiters in its low 32 bits (Go 1.20+).
/// </summary>
/// <remarks>
/// Panics with Go's messages: "sync: negative WaitGroup counter", "sync: WaitGroup misuse: Add called concurrently
/// with Wait", "sync: WaitGroup is reused before previous Wait has returned".
/// </remarks>
public sealed class WaitGroup
{
    /// <summary>Counter (high 32 bits) and waiter count (low 32 bits). Interlocked only.</summary>
    private long _state;

    private readonly Core.Semaphore _sema = new();

    /// <summary>Creates a wait group with counter 0.</summary>
    public WaitGroup()
    {
    }

    /// <summary>The current counter (a racy snapshot).</summary>
    public int Count => (int)(Volatile.Read(ref _state) >> 32);

    /// <summary>Adds <paramref name="delta"/> to the counter; at zero, releases every waiter.</summary>
    /// <param name="delta">The change (may be negative).</param>
    /// <exception cref="PanicException">On a negative counter or concurrent Add and Wait.</exception>
    public void Add(int delta)
    {
        long state = Interlocked.Add(ref _state, (long)delta << 32);
        int v = (int)(state >> 32);
        uint w = (uint)state;
        if (v < 0)
        {
            throw new PanicException("sync: negative WaitGroup counter");
        }
        if (w != 0 && delta > 0 && v == delta)
        {
            throw new PanicException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        if (v > 0 || w == 0)
        {
            return;
        }
        // The counter is 0 and there are waiters: nobody may change the state now.
        if (Volatile.Read(ref _state) != state)
        {
            throw new PanicException("sync: WaitGroup misuse: Add called concurrently with Wait");
        }
        Volatile.Write(ref _state, 0);
        for (; w != 0; w--)
        {
            _sema.Release(handoff: false);
        }
    }

    /// <summary>Decrements the counter by one.</summary>
    public void Done() => Add(-1);

    /// <summary>Blocks until the counter is zero.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public void Wait([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (TryRegisterWaiter())
        {
            _sema.Acquire(false, WaitReason.SyncWaitGroupWait, new CallerLocation(member, file, line));
            CheckReuse();
        }
    }

    /// <summary>Waits until the counter is zero; completes at once when it already is.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public WaitAwaitable WaitAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (!TryRegisterWaiter())
        {
            return default;
        }
        ValueTask acquire = _sema.AcquireAsync(false, WaitReason.SyncWaitGroupWait, new CallerLocation(member, file, line));
        if (acquire.IsCompletedSuccessfully)
        {
            CheckReuse();
            return default;
        }
        return new WaitAwaitable(WaitSlowAsync(acquire));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitSlowAsync(ValueTask acquire)
    {
        await acquire.ConfigureAwait(false);
        CheckReuse();
    }

    /// <summary>Returns false when the counter is zero; else counts the caller as a waiter.</summary>
    private bool TryRegisterWaiter()
    {
        long state = Volatile.Read(ref _state);
        while (true)
        {
            if ((int)(state >> 32) == 0)
            {
                return false;
            }
            long prev = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (prev == state)
            {
                return true;
            }
            state = prev;
        }
    }

    private void CheckReuse()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new PanicException("sync: WaitGroup is reused before previous Wait has returned");
        }
    }
}
