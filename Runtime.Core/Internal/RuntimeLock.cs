using System.Diagnostics;

namespace GoSched.Core;

/// <summary>
/// A lock for the runtime's tiny critical sections (a channel's queues, the global run queue): one
/// compare-and-swap to enter, one release store to leave, and spinning that yields the core under contention
/// (Go's runtime <c>mutex</c> also spins before it sleeps). Never held across a park, a callback or user code.
/// </summary>
/// <remarks>
/// <see cref="Lock"/> costs an interlocked operation on exit as well, which showed up as ~11% of a channel
/// ping-pong profile. Not reentrant. Debug builds track the owner for <see cref="IsHeldByCurrentThread"/>.
/// </remarks>
internal sealed class RuntimeLock
{
    // 0 free, 1 held. Enter: CAS (acquire); Exit: Volatile.Write (release), pairs with the next Enter's CAS.
    private int _state;
#if DEBUG
    private int _owner;
#endif

    /// <summary>Takes the lock.</summary>
    internal void Enter()
    {
        RuntimeLockWord.Enter(ref _state);
#if DEBUG
        _owner = Environment.CurrentManagedThreadId;
#endif
    }

    /// <summary>Releases the lock. Caller holds it.</summary>
    internal void Exit()
    {
#if DEBUG
        Debug.Assert(_owner == Environment.CurrentManagedThreadId, "RuntimeLock released by a thread that does not hold it");
        _owner = 0;
#endif
        RuntimeLockWord.Exit(ref _state);
    }

    /// <summary>Whether the calling thread holds the lock (Debug builds; Release answers whether anyone does).</summary>
    internal bool IsHeldByCurrentThread
    {
        get
        {
#if DEBUG
            return Volatile.Read(ref _state) == 1 && _owner == Environment.CurrentManagedThreadId;
#else
            return Volatile.Read(ref _state) == 1;
#endif
        }
    }
}

/// <summary>
/// The lock word behind <see cref="RuntimeLock"/>, for a structure that keeps the word inline next to the data it
/// guards (on a cache line of its own) instead of in a separate lock object: 0 free, 1 held.
/// </summary>
internal static class RuntimeLockWord
{
    /// <summary>Takes the lock: one compare-and-swap (acquire) when free; spins, then yields the core, when held.</summary>
    /// <param name="word">The lock word.</param>
    internal static void Enter(ref int word)
    {
        if (Interlocked.CompareExchange(ref word, 1, 0) != 0)
        {
            EnterContended(ref word);
        }
    }

    /// <summary>Releases the lock with a release store (pairs with the next <see cref="Enter"/>'s CAS).</summary>
    /// <param name="word">The lock word; the caller holds it.</param>
    internal static void Exit(ref int word) => Volatile.Write(ref word, 0);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void EnterContended(ref int word)
    {
        var spin = new SpinWait();
        while (true)
        {
            if (Volatile.Read(ref word) == 0 && Interlocked.CompareExchange(ref word, 1, 0) == 0)
            {
                return;
            }
            spin.SpinOnce(sleep1Threshold: -1); // spins, then yields the core to a descheduled holder
        }
    }
}
