namespace GoSched.Profiling;

/// <summary>
/// Cumulative scheduler counters since the runtime started (racy snapshot: each P counts its own events
/// without synchronisation, and a read sums them).
/// </summary>
/// <param name="Spawned">Goroutines started.</param>
/// <param name="RunNextTaken">Goroutines run from a P's runnext slot (inheriting the time slice).</param>
/// <param name="LocalTaken">Goroutines run from a P's local ring.</param>
/// <param name="GlobalTaken">Goroutines run from the global queue (1-in-61 checks and batches).</param>
/// <param name="Steals">Successful steals from another P.</param>
/// <param name="Parks">Steps that ended with the goroutine parked.</param>
/// <param name="Yields">Steps that ended with the goroutine yielding to the global queue (Gosched, preemption).</param>
/// <param name="Preemptions">Time slices that sysmon ended after 10 ms.</param>
/// <param name="Retakes">Ps that sysmon took from an M stuck 10 ms in one step.</param>
/// <param name="ThreadsCreated">Ms (OS threads) created.</param>
/// <param name="ThreadWakeups">Times an idle M was woken to run a P.</param>
public sealed record SchedStats(
    long Spawned,
    long RunNextTaken,
    long LocalTaken,
    long GlobalTaken,
    long Steals,
    long Parks,
    long Yields,
    long Preemptions,
    long Retakes,
    long ThreadsCreated,
    long ThreadWakeups);

/// <summary>Per-P counters, written only by the P's owner (plain increments) and read racily.</summary>
internal struct ProcessorCounters
{
    internal long Spawned;
    internal long RunNextTaken;
    internal long LocalTaken;
    internal long GlobalTaken;
    internal long Steals;
    internal long Parks;
    internal long Yields;
    internal long Preemptions;
}
