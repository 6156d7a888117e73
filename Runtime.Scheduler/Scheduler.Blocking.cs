using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    /// <inheritdoc/>
    public void BlockCurrentThread(Goroutine g) => BlockThread(g, yieldToGlobal: false);

    /// <summary>
    /// The blocking form of Gosched: the goroutine goes to the global queue and its thread waits until a P runs
    /// it again.
    /// </summary>
    internal void YieldCurrentThread(Goroutine g)
    {
        // With nothing else runnable on this P or in the global queue, Go's Gosched would put the goroutine on the
        // global queue and at once take it back; skip the two thread hand-offs that round trip costs here.
        if (Machine.Current is { P: { } p } && p.RunQueue.IsEmpty && _global.Count == 0)
        {
            p.SchedTick++;
            return;
        }
        BlockThread(g, yieldToGlobal: true);
    }

    /// <summary>
    /// Blocks the calling thread, which runs <paramref name="g"/> inside a step, until <paramref name="g"/> is
    /// readied (or, with <paramref name="yieldToGlobal"/>, dequeued from the global queue; with
    /// <paramref name="toLocalTail"/> too, from the tail of the P's local queue). See "Blocking a thread".
    /// </summary>
    private void BlockThread(Goroutine g, bool yieldToGlobal, bool toLocalTail = false)
    {
        Machine? m = Machine.Current;
        if (m is null || m.CurG != g)
        {
            RuntimeFatal.Throw("blocking call on a goroutine that is not running on this thread");
        }

        // Wire first: an M that dequeues g must find it wired before it can observe it Runnable.
        g.LockedInternal++;
        g.LockedM = m;
        m.LockedG = g;

        MarkBlockedLocked(m);
        if (yieldToGlobal)
        {
            g.MarkRunnable(readyPending: true); // consumed when the thread continues
        }
        else if (!g.TryCommitThreadPark())
        {
            UnmarkBlockedLocked(m);
            Unwire(m, g);
            return; // readied before we could park
        }

        Processor? p = m.P;
        bool keptP = LeaveGoroutineCode(m);
        if (keptP)
        {
            ReleaseP(m);
        }
        m.CurG = null;
        if (yieldToGlobal)
        {
            if (toLocalTail && keptP)
            {
                p!.RunQueue.Put(g, next: false, p.GlobalLane); // goyield; nobody else owns p until HandOffP
            }
            else
            {
                _global.LaneFor(p).Put(g);
            }
            Interlocked.MemoryBarrier(); // see "Releasing a P"
        }
        if (keptP)
        {
            HandOffP(p!);
        }
        else if (yieldToGlobal)
        {
            WakeProcessor();
        }
        lock (_lock)
        {
            CheckDeadLocked();
        }
        WaitForP(m);

        // A P was handed to us together with g (startlockedm): continue the goroutine's code.
        m.P!.SchedTick++;
        g.MarkRunning();
        g.ConsumeThreadReady();
        m.CurG = g;
        Unwire(m, g);
        EnterGoroutineCode(m);
    }

    /// <summary>
    /// Counts the M as parked for its locked goroutine (Go's <c>incidlelocked(1)</c>) before the goroutine can be
    /// seen by a waker; if the hand-back (<see cref="StartLockedM"/>) already came, it cancels out instead.
    /// </summary>
    private void MarkBlockedLocked(Machine m)
    {
        lock (_lock)
        {
            if (m.HandedBackEarly)
            {
                m.HandedBackEarly = false;
                return;
            }
            m.BlockedLocked = true;
            _nmidlelocked++;
        }
    }

    private void UnmarkBlockedLocked(Machine m)
    {
        lock (_lock)
        {
            if (m.BlockedLocked)
            {
                m.BlockedLocked = false;
                _nmidlelocked--;
            }
        }
    }

    private static void Unwire(Machine m, Goroutine g)
    {
        g.LockedInternal--;
        if (g.LockedInternal == 0 && g.LockedExternal == 0)
        {
            g.LockedM = null;
            m.LockedG = null;
        }
    }

    /// <summary>Go's LockOSThread: wires the current goroutine to its thread (nesting counted).</summary>
    internal static void LockOSThread()
    {
        Goroutine? g = Goroutine.Current;
        Machine? m = Machine.Current;
        if (g is null || m is null)
        {
            return; // outside a goroutine the caller already owns its thread
        }
        if (g.LockedExternal == int.MaxValue)
        {
            throw new PanicException("LockOSThread nesting overflow");
        }
        g.LockedExternal++;
        g.LockedM = m;
        m.LockedG = g;
    }

    /// <summary>Go's UnlockOSThread: undoes one LockOSThread; a no-op when not locked.</summary>
    internal static void UnlockOSThread()
    {
        Goroutine? g = Goroutine.Current;
        Machine? m = Machine.Current;
        if (g is null || m is null || g.LockedExternal == 0)
        {
            return;
        }
        g.LockedExternal--;
        if (g.LockedExternal == 0 && g.LockedInternal == 0)
        {
            g.LockedM = null;
            m.LockedG = null;
        }
    }

    /// <summary>
    /// Go's <c>goexit0</c>: the goroutine finished. A goroutine that exits while locked to its thread takes the
    /// thread with it.
    /// </summary>
    private void GoroutineExit(Machine m, Goroutine g)
    {
        bool lockedExit = g.LockedExternal > 0;
        g.LockedExternal = 0;
        g.LockedInternal = 0;
        g.LockedM = null;
        m.LockedG = null;
        g.MarkDead();
        CountExit(m.P);

        if (g.Fault is not null)
        {
            ReportUnrecoveredPanic(g, g.Fault);
        }
        if (g.IsMain)
        {
            OnMainExit(g);
        }
        else if (_mainGoexited && GoroutineCount == 0)
        {
            ReportFatal("no goroutines (main called runtime.Goexit) - deadlock!", withGoroutines: false);
        }

        if (lockedExit)
        {
            // The thread may carry state the goroutine set up; Go never reuses it. Give the P away and end it.
            if (m.P is not null)
            {
                HandOffP(ReleaseP(m));
            }
            m.ExitRequested = true;
        }
        Debug.Assert(g.Status == GoroutineStatus.Dead);
        RecycleGoroutine(m.P, g);
    }
}
