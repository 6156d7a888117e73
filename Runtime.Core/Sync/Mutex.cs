using System.Diagnostics;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Go's <c>sync.Mutex</c>: a mutual exclusion lock that parks goroutines, not threads. Not owned by a goroutine:
/// any goroutine may unlock it. The zero value (a new instance) is unlocked.
/// </summary>
/// <remarks>
/// <para>The algorithm is Go's (sync/mutex.go). The state word packs <see cref="Locked"/>, <see cref="Woken"/>,
/// <see cref="Starving"/> and, from bit 3 up, the number of waiters.</para>
/// <para><b>Normal mode:</b> waiters queue FIFO, but a woken waiter competes with arriving goroutines, which usually
/// win because they are already running; a waiter that loses is re-queued at the front. A waiter that waited more
/// than 1 ms switches the mutex to <b>starvation mode</b>: Unlock hands the lock straight to the head waiter and
/// yields its processor to it (Go's <c>goyield</c>; see <see cref="Core.Semaphore.Release"/>), and arrivals queue at
/// the tail without trying. The new owner switches back to normal mode when it is the last
/// waiter or waited less than 1 ms.</para>
/// <para>Unlocking an unlocked mutex is a fatal error ("sync: unlock of unlocked mutex").</para>
/// </remarks>
[DebuggerDisplay("Mutex state={_state}")]
public sealed class Mutex : ILocker
{
    private const int Locked = 1;
    private const int Woken = 2;
    private const int Starving = 4;
    private const int WaiterShift = 3;

    /// <summary>Go's <c>active_spin</c>: spinning rounds before parking.</summary>
    private const int ActiveSpin = 4;

    /// <summary>Go's <c>active_spin_cnt</c>: the pause instructions of one spinning round.</summary>
    private const int ActiveSpinCount = 30;

    /// <summary>Go's <c>starvationThresholdNs</c> (1 ms), in <see cref="Stopwatch"/> ticks.</summary>
    private static readonly long s_starvationThreshold = Stopwatch.Frequency / 1000;

    /// <summary>Go's <c>ncpu &gt; 1</c>, for lockers outside any goroutine.</summary>
    private static readonly bool s_multicore = Environment.ProcessorCount > 1;

    /// <summary>Spinning rounds made by mutexes on this thread (owned by the thread; tests read it).</summary>
    [ThreadStatic]
    private static long t_spinRounds;

    /// <summary>Spinning rounds that lockers on the calling thread have made so far (for tests).</summary>
    internal static long SpinRoundsOnThisThread => t_spinRounds;

    /// <summary>The state word. Interlocked only.</summary>
    private int _state;

    private readonly Core.Semaphore _sema = new();

    /// <summary>Creates an unlocked mutex.</summary>
    public Mutex()
    {
    }

    /// <summary>True while locked (a racy snapshot, for tests and diagnostics).</summary>
    public bool IsLocked => (Volatile.Read(ref _state) & Locked) != 0;

    /// <summary>True while in starvation mode (a racy snapshot, for tests).</summary>
    internal bool IsStarving => (Volatile.Read(ref _state) & Starving) != 0;

    /// <summary>Locks the mutex, blocking until it is available.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public void Lock([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            return;
        }
        LockSlow(new CallerLocation(member, file, line));
    }

    /// <summary>Locks the mutex; the awaitable completes at once when it was free.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public WaitAwaitable LockAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        if (Interlocked.CompareExchange(ref _state, Locked, 0) == 0)
        {
            return default;
        }
        return new WaitAwaitable(LockSlowAsync(new CallerLocation(member, file, line)));
    }

    /// <inheritdoc/>
    void ILocker.Lock() => Lock();

    /// <inheritdoc/>
    WaitAwaitable ILocker.LockAsync() => LockAsync();

    /// <summary>Locks the mutex if it is free (Go's <c>TryLock</c>).</summary>
    /// <returns>True when locked.</returns>
    public bool TryLock()
    {
        int old = Volatile.Read(ref _state);
        if ((old & (Locked | Starving)) != 0)
        {
            return false;
        }
        return Interlocked.CompareExchange(ref _state, old | Locked, old) == old;
    }

    /// <summary>Unlocks the mutex, waking a waiter if any.</summary>
    public void Unlock()
    {
        int next = Interlocked.Add(ref _state, -Locked);
        if (next != 0)
        {
            UnlockSlow(next);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LockSlow(CallerLocation site)
    {
        long waitStart = 0;
        bool starving = false;
        bool awoke = false;
        int iter = 0;
        int old = Volatile.Read(ref _state);
        while (true)
        {
            if (TrySpin(ref old, ref iter, ref awoke))
            {
                continue;
            }
            int next = NextState(old, starving, awoke);
            if (Interlocked.CompareExchange(ref _state, next, old) != old)
            {
                old = Volatile.Read(ref _state);
                continue;
            }
            if ((old & (Locked | Starving)) == 0)
            {
                return; // locked with a compare-and-swap
            }
            bool queueLifo = waitStart != 0;
            if (waitStart == 0)
            {
                waitStart = Stopwatch.GetTimestamp();
            }
            _sema.Acquire(queueLifo, WaitReason.SyncMutexLock, site);
            if (AfterWake(waitStart, ref starving, out old))
            {
                return;
            }
            awoke = true;
            iter = 0;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask LockSlowAsync(CallerLocation site)
    {
        long waitStart = 0;
        bool starving = false;
        bool awoke = false;
        int iter = 0;
        int old = Volatile.Read(ref _state);
        while (true)
        {
            if (TrySpin(ref old, ref iter, ref awoke))
            {
                continue;
            }
            int next = NextState(old, starving, awoke);
            if (Interlocked.CompareExchange(ref _state, next, old) != old)
            {
                old = Volatile.Read(ref _state);
                continue;
            }
            if ((old & (Locked | Starving)) == 0)
            {
                return;
            }
            bool queueLifo = waitStart != 0;
            if (waitStart == 0)
            {
                waitStart = Stopwatch.GetTimestamp();
            }
            await _sema.AcquireAsync(queueLifo, WaitReason.SyncMutexLock, site).ConfigureAwait(false);
            if (AfterWake(waitStart, ref starving, out old))
            {
                return;
            }
            awoke = true;
            iter = 0;
        }
    }

    /// <summary>
    /// Go's active spinning: only in normal mode while locked, and only while the scheduler allows it (Go's
    /// <c>runtime_canSpin</c>: fewer than 4 rounds, a multicore machine, another P running, and an empty local run
    /// queue; outside a goroutine only the first two conditions apply). Each round is Go's <c>procyield(30)</c>.
    /// While spinning, sets <see cref="Woken"/> so that Unlock does not wake another waiter.
    /// </summary>
    private bool TrySpin(ref int old, ref int iter, ref bool awoke)
    {
        if ((old & (Locked | Starving)) != Locked || !CanSpin(iter))
        {
            return false;
        }
        if (!awoke && (old & Woken) == 0 && old >> WaiterShift != 0
            && Interlocked.CompareExchange(ref _state, old | Woken, old) == old)
        {
            awoke = true;
        }
        Thread.SpinWait(ActiveSpinCount); // Go's runtime_doSpin: procyield(active_spin_cnt)
        iter++;
        t_spinRounds++;
        old = Volatile.Read(ref _state);
        return true;
    }

    /// <summary>Go's <c>runtime_canSpin</c>, asked of the scheduler of the calling goroutine.</summary>
    private static bool CanSpin(int iter) => Goroutine.Current is { } g
        ? g.Scheduler.CanSpin(iter)
        : iter < ActiveSpin && s_multicore;

    private static int NextState(int old, bool starving, bool awoke)
    {
        int next = old;
        if ((old & Starving) == 0)
        {
            next |= Locked; // do not try to acquire a starving mutex: arrivals queue
        }
        if ((old & (Locked | Starving)) != 0)
        {
            next += 1 << WaiterShift;
        }
        if (starving && (old & Locked) != 0)
        {
            next |= Starving;
        }
        if (awoke)
        {
            if ((next & Woken) == 0)
            {
                RuntimeFatal.Fatal("sync: inconsistent mutex state", withGoroutines: false);
            }
            next &= ~Woken;
        }
        return next;
    }

    /// <summary>After a semaphore wake-up: in starvation mode the lock was handed to us (returns true).</summary>
    private bool AfterWake(long waitStart, ref bool starving, out int old)
    {
        starving = starving || Stopwatch.GetTimestamp() - waitStart > s_starvationThreshold;
        old = Volatile.Read(ref _state);
        if ((old & Starving) == 0)
        {
            return false;
        }
        if ((old & (Locked | Woken)) != 0 || old >> WaiterShift == 0)
        {
            RuntimeFatal.Fatal("sync: inconsistent mutex state", withGoroutines: false);
        }
        int delta = Locked - (1 << WaiterShift);
        if (!starving || old >> WaiterShift == 1)
        {
            delta -= Starving; // exit starvation mode
        }
        Interlocked.Add(ref _state, delta);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UnlockSlow(int next)
    {
        if (((next + Locked) & Locked) == 0)
        {
            RuntimeFatal.Fatal("sync: unlock of unlocked mutex", withGoroutines: false);
        }
        if ((next & Starving) != 0)
        {
            _sema.Release(handoff: true); // starvation mode: hand the lock to the head waiter
            return;
        }
        int old = next;
        while (true)
        {
            if (old >> WaiterShift == 0 || (old & (Locked | Woken | Starving)) != 0)
            {
                return;
            }
            int nw = (old - (1 << WaiterShift)) | Woken;
            if (Interlocked.CompareExchange(ref _state, nw, old) == old)
            {
                _sema.Release(handoff: false);
                return;
            }
            old = Volatile.Read(ref _state);
        }
    }
}
