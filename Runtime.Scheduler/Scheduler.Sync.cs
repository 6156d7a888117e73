using GoSched.Core;

namespace GoSched.Scheduling;

/// <content>
/// What the sync primitives ask of the scheduler (Go's <c>sync_runtime_canSpin</c> and the <c>goyield</c> of a
/// semaphore hand-off).
/// </content>
internal sealed partial class Scheduler
{
    /// <summary>Go's <c>active_spin</c>: the most rounds a sync primitive spins before it parks.</summary>
    internal const int ActiveSpin = 4;

    /// <summary>Go's <c>ncpu</c>, read once.</summary>
    private static readonly int s_ncpu = Environment.ProcessorCount;

    /// <inheritdoc/>
    public bool CanSpin(int iteration)
    {
        Machine? m = Machine.Current;
        if (m is null || m.Scheduler != this || m.P is not { } p || !StillOwns(m, p))
        {
            return false; // not on one of our Ps, or sysmon retook it (Go: a goroutine in a syscall does not spin)
        }
        // Racy reads, as Go's: the answer is a hint, and a wrong one costs at most a few rounds of spinning.
        return CanSpin(iteration, s_ncpu, _gomaxprocs, Volatile.Read(ref _npidle), Volatile.Read(ref _nmspinning),
            p.RunQueue.IsEmpty);
    }

    /// <summary>Whether <paramref name="m"/> still owns <paramref name="p"/>, the P it holds: sysmon has not retaken
    /// it (see "Retaking a P"). A racy read of the owner word; the answer may be stale at once.</summary>
    private static bool StillOwns(Machine m, Processor p)
    {
        int owner = Volatile.Read(ref p.Owner);
        return (owner & ~3) == m.OwnerBase && (owner & 3) != OwnerState.Retaken;
    }

    /// <summary>
    /// Go's <c>sync_runtime_canSpin</c> decision on explicit inputs: spin only a few rounds, only on a multicore
    /// machine, only while some other P is running (otherwise nobody can be about to unlock), and only when no
    /// goroutine waits in the caller's local run queue (it would wait for the spinning too).
    /// </summary>
    internal static bool CanSpin(int iteration, int ncpu, int gomaxprocs, int idleProcs, int spinningMachines,
        bool localRunQueueEmpty) =>
        iteration < ActiveSpin && ncpu > 1 && gomaxprocs > idleProcs + spinningMachines + 1 && localRunQueueEmpty;

    /// <inheritdoc/>
    public void YieldToLocalTail(Goroutine g)
    {
        Machine? m = Machine.Current;
        if (m is null || m.Scheduler != this || m.CurG != g || !m.InGoroutine || m.P is not { } p)
        {
            return; // not inside g's step on one of our Ms, or no P to give up (sysmon retook it)
        }
        if (p.RunQueue.IsEmpty)
        {
            // The readied goroutine did not land here (its own M kept it, or a thief took it): Go's schedule would
            // take g straight back from the local queue. Skip the two thread hand-offs that round trip costs.
            return;
        }
        BlockThread(g, yieldToGlobal: true, toLocalTail: true);
    }
}
