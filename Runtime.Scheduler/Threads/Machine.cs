using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// A machine (Go's <c>m</c>): one dedicated OS thread that runs goroutines while it holds a P.
/// </summary>
/// <remarks>
/// Fields are owned by the M's own thread unless their comment says otherwise. Other threads hand an M work only
/// through <see cref="NextP"/> + <see cref="Parker"/> while it is parked (Go's <c>startm</c>).
/// </remarks>
[DebuggerDisplay("M{Id} P={P}")]
internal sealed class Machine
{
    [ThreadStatic]
    private static Machine? t_current;

    internal Machine(Scheduler scheduler, long id, bool isSystem)
    {
        Scheduler = scheduler;
        Id = id;
        IsSystem = isSystem;
    }

    /// <summary>The M running on the calling thread, or null.</summary>
    internal static Machine? Current => t_current;

    internal Scheduler Scheduler { get; }

    /// <summary>Go's <c>m.id</c>.</summary>
    internal long Id { get; }

    /// <summary>True for sysmon (no P, excluded from deadlock detection; Go's <c>nmsys</c>).</summary>
    internal bool IsSystem { get; }

    /// <summary>The thread; set once at start.</summary>
    internal Thread? Thread;

    /// <summary>The P held, or null. Written by this M (and by sysmon only through the owner-state CAS protocol).</summary>
    internal Processor? P;

    /// <summary>Epoch bits of the owner word of <see cref="P"/> when this M acquired it (see "Retaking a P").</summary>
    internal int OwnerBase;

    /// <summary>The P handed to this M while parked (Go's <c>m.nextp</c>); written by the waker before Unpark.</summary>
    internal Processor? NextP;

    /// <summary>Go's <c>m.spinning</c>; set by the waker before Unpark or by the M itself.</summary>
    internal bool Spinning;

    /// <summary>The goroutine being run (Go's <c>m.curg</c>); racy reads by dumps and sysmon.</summary>
    internal volatile Goroutine? CurG;

    /// <summary>Go's <c>m.lockedg</c>: the goroutine wired to this thread, if any.</summary>
    internal Goroutine? LockedG;

    /// <summary>The synchronization context installed on the thread (a goroutine, or null); owner only.</summary>
    internal SynchronizationContext? InstalledContext;

    /// <summary>True while the M is inside goroutine code (a step), false in scheduler code.</summary>
    internal bool InGoroutine;

    /// <summary>True while parked in a blocking call of its locked goroutine; guarded by Scheduler._lock.</summary>
    internal bool BlockedLocked;

    /// <summary>A P was handed back before the M counted itself parked; guarded by Scheduler._lock.</summary>
    internal bool HandedBackEarly;

    /// <summary>Set when the M must end its thread (a locked goroutine exited without unlocking).</summary>
    internal bool ExitRequested;

    /// <summary>True while on the idle M list; guarded by Scheduler._lock.</summary>
    internal bool OnIdleList;

    /// <summary>Next M on the idle list; guarded by Scheduler._lock.</summary>
    internal Machine? IdleLink;

    /// <summary>Next M in allm (newest first); written once under Scheduler._lock before publication.</summary>
    internal Machine? AllLink;

    /// <summary>Where this M parks when it has nothing to do.</summary>
    internal readonly Parker Parker = new();

    /// <summary>The stack that created the M, for ThreadCreateProfile.</summary>
    internal string? CreateStack;

    internal static void SetCurrent(Machine? m) => t_current = m;
}
