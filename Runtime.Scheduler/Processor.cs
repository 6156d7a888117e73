using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>Go's P status values (printed by scheddetail).</summary>
/// <remarks>
/// Ownership: <see cref="Idle"/> Ps are on the idle list and owned by <c>Scheduler._lock</c>; a
/// <see cref="Running"/> P is owned by exactly one M (<see cref="Processor.M"/>); <see cref="Dead"/> Ps were removed
/// by a GOMAXPROCS shrink and are kept for reuse if it grows again.
/// </remarks>
internal enum ProcessorStatus
{
    Idle = 0,
    Running = 1,
    Syscall = 2,
    GCStop = 3,
    Dead = 4,
}

/// <summary>What the owning M is doing with its P; the word sysmon retakes by CAS (see "Retaking a P").</summary>
internal static class OwnerState
{
    /// <summary>The M runs scheduler code or a runtime call: the P is exclusively its own.</summary>
    internal const int InScheduler = 0;

    /// <summary>The M runs goroutine code: sysmon may retake the P.</summary>
    internal const int InGoroutine = 1;

    /// <summary>Sysmon took the P away; the M learns it at its next runtime call or step end.</summary>
    internal const int Retaken = 2;
}

/// <summary>
/// A processor (Go's <c>p</c>): the right to run goroutines, with a local run queue. There are exactly GOMAXPROCS
/// live Ps.
/// </summary>
[DebuggerDisplay("P{Id} {Status}")]
internal sealed class Processor
{
    internal Processor(int id, int runQueueCapacity, GlobalRunQueueLane globalLane)
    {
        Id = id;
        RunQueue = new LocalRunQueue(runQueueCapacity);
        GlobalLane = globalLane;
    }

    /// <summary>Index in <c>allp</c>; immutable.</summary>
    internal int Id { get; }

    /// <summary>The local run queue: owner verbs for the holding M, steal verbs for everyone.</summary>
    internal LocalRunQueue RunQueue { get; }

    /// <summary>This P's lane of the global run queue (see <see cref="GlobalRunQueue"/>): the holding M puts its
    /// Gosched, overflow and preemption there; any P takes from it.</summary>
    internal GlobalRunQueueLane GlobalLane { get; }

    // ---- Guarded by Scheduler._lock for transitions to and from Idle; read racily by stealers and schedtrace ----

    /// <summary>The P's status (an int holding a <see cref="ProcessorStatus"/>).</summary>
    internal volatile int StatusValue;

    /// <summary>Next P on the idle list; guarded by Scheduler._lock.</summary>
    internal Processor? IdleLink;

    /// <summary>The M that holds the P, or null. Written by the acquiring/releasing M; racy reads for dumps.</summary>
    internal volatile Machine? M;

    // ---- Owner-M only (sysmon reads racily) ----------------------------------------------------------------

    /// <summary>Go's <c>schedtick</c>: incremented on every non-inheriting schedule. Sysmon reads it racily.</summary>
    internal volatile uint SchedTick;

    /// <summary>Incremented each time the M enters goroutine code; sysmon's evidence of a stuck step.</summary>
    internal volatile uint StepTick;

    /// <summary>Go's <c>syscalltick</c>: incremented each time the P is retaken from a running M.</summary>
    internal uint SyscallTick;

    /// <summary>
    /// See <see cref="OwnerState"/>. The owner writes InScheduler→InGoroutine with a volatile write and leaves
    /// InGoroutine by CAS; sysmon moves InGoroutine→Retaken by CAS. Whoever wins the CAS owns the P.
    /// </summary>
    internal int Owner;

    /// <summary>Goroutine ids cached from the global counter (Go's <c>goidcache</c>), batches of 16.</summary>
    internal long GoidCache;

    /// <summary>End of the cached id batch.</summary>
    internal long GoidCacheEnd;

    /// <summary>Batch takes from the global queue (chooses when a take starts at <see cref="GlobalLaneCursor"/>).</summary>
    internal uint GlobalTakes;

    /// <summary>The rotating lane cursor of this P's global-queue takes (see <see cref="GlobalRunQueue"/>).</summary>
    internal uint GlobalLaneCursor;

    // ---- Sysmon only ---------------------------------------------------------------------------------------
    internal uint SysmonSchedTick;
    internal long SysmonSchedWhen;
    internal uint SysmonStepTick;
    internal long SysmonStepWhen;
    internal bool SysmonDeferredWakeSeen;
    internal uint SysmonDeferredWakeStep;

    /// <summary>Set by sysmon when the P ran one time slice for 10 ms; honoured at the next scheduling point.</summary>
    internal volatile bool PreemptRequested;

    /// <summary>Event counters; owner-M only (see <see cref="GoSched.Profiling.ProcessorCounters"/>).</summary>
    internal GoSched.Profiling.ProcessorCounters Counters;

    /// <summary>
    /// A goroutine was readied into the empty runnext slot during the current step without waking an idle P (see
    /// "Deferred wake-ups" in Scheduler.cs). Written by the owner M (set in the ready, cleared at the step's end);
    /// read racily by sysmon, which wakes a P for a step that keeps running with it set.
    /// </summary>
    internal volatile bool WakeDeferred;

    /// <summary>Exited goroutine objects kept for reuse (Go's <c>p.gFree</c>): a stack in
    /// [0, <see cref="FreeGoroutineCount"/>); owner-M only.</summary>
    internal readonly Goroutine?[] FreeGoroutines = new Goroutine?[Scheduler.LocalFreeMax];

    /// <summary>Entries in <see cref="FreeGoroutines"/>; owner-M only.</summary>
    internal int FreeGoroutineCount;

    /// <summary>Goroutines spawned minus goroutines exited on this P (owner-M writes with release; read racily by
    /// NumGoroutine, which sums every P's).</summary>
    internal long LiveGoroutines;

    /// <summary>This P's timers (Go's <c>p.timers</c>).</summary>
    internal readonly TimerHeap Timers = new();

    /// <summary>Timers in this P's heap (racy; for scheddetail).</summary>
    internal int TimerCount => Timers.Count;

    internal ProcessorStatus Status
    {
        get => (ProcessorStatus)StatusValue;
        set => StatusValue = (int)value;
    }
}
