using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>Go's <c>schedule</c> loop. Returns only when the M must end its thread.</summary>
    private void ScheduleLoop(Machine m)
    {
        while (!m.ExitRequested)
        {
            Goroutine g;
            bool inheritTime;
            if (m.LockedG is { } locked)
            {
                // This M is wired to a goroutine that parked or yielded: it runs nothing else. Hand the P off and
                // wait for whoever dequeues the goroutine to hand a P back (Go's stoplockedm).
                StopLockedM(m);
                g = locked;
                inheritTime = false;
            }
            else
            {
                g = FindRunnable(m, out inheritTime);
                if (m.Spinning)
                {
                    ResetSpinning(m);
                }
                if (g.LockedM is Machine owner && owner != m)
                {
                    StartLockedM(m, g, owner);
                    continue;
                }
            }
            Execute(m, g, inheritTime);
        }
    }

    /// <summary>
    /// Go's <c>execute</c> plus one step of the goroutine: runs it until it parks, yields or exits, then does
    /// what the step asks for.
    /// </summary>
    private void Execute(Machine m, Goroutine g, bool inheritTime)
    {
        Processor p = m.P!;
        if (!inheritTime)
        {
            p.SchedTick++;
        }
        bool readyTaken = g.MarkRunningTakingReady();
        m.CurG = g;

        // The thread's current goroutine and synchronization context are left in place after the step (scheduler
        // code never awaits and never reads them); they are replaced at the next step and cleared when the M
        // parks. Thread-local accesses cost ~10 ns each here, four per step otherwise.
        Goroutine.SetCurrent(g);
        SynchronizationContext? context = g.Context;
        if (m.InstalledContext != context)
        {
            SynchronizationContext.SetSynchronizationContext(context);
            m.InstalledContext = context;
        }
        EnterGoroutineCode(m);
        StepResult result = g.RunStep(readyTaken);
        LeaveGoroutineCode(m);
        m.CurG = null;
        if (m.P is { WakeDeferred: true } stepP)
        {
            // The step is over: this M now runs the goroutine it readied (or, after a yield, the wake below covers
            // it), so the deferred wake-up is not needed.
            stepP.WakeDeferred = false;
        }

        switch (result)
        {
            case StepResult.Parked:
                if (m.P is { } parkedOn)
                {
                    parkedOn.Counters.Parks++;
                }
                break;
            case StepResult.Yielded:
                if (m.P is { } yieldedOn)
                {
                    yieldedOn.Counters.Yields++;
                }
                g.MarkRunnable(readyPending: g.HasResume); // Gosched stored its continuation; a self-post did not
                _global.LaneFor(m.P).Put(g);
                if (m.P is null)
                {
                    Interlocked.MemoryBarrier(); // see "Releasing a P"
                }
                WakeProcessor();
                break;
            case StepResult.Exited:
                GoroutineExit(m, g);
                break;
        }
    }

    /// <summary>
    /// Go's <c>startlockedm</c>: <paramref name="g"/> is wired to <paramref name="owner"/>; give it this M's P and
    /// park this M.
    /// </summary>
    private void StartLockedM(Machine m, Goroutine g, Machine owner)
    {
        Processor p = ReleaseP(m);
        lock (_lock)
        {
            if (owner.BlockedLocked)
            {
                owner.BlockedLocked = false;
                _nmidlelocked--;
            }
            else
            {
                owner.HandedBackEarly = true; // the owner has not counted itself parked yet
            }
        }
        Volatile.Write(ref owner.NextP, p); // release: pairs with WaitForP
        owner.Parker.Unpark();
        StopM(m);
    }

    /// <summary>
    /// Go's <c>stoplockedm</c>: the M's wired goroutine cannot run now; hand the P off, park until a P is handed
    /// back together with the goroutine.
    /// </summary>
    private void StopLockedM(Machine m)
    {
        MarkBlockedLocked(m);
        if (m.P is not null)
        {
            HandOffP(ReleaseP(m));
        }
        lock (_lock)
        {
            CheckDeadLocked();
        }
        WaitForP(m);
    }
}
