using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    // ---- Holding a P --------------------------------------------------------------------------------------

    /// <summary>Go's <c>acquirep</c>: wires an unowned P to <paramref name="m"/>. Caller: that M.</summary>
    private static void AcquireP(Machine m, Processor p)
    {
        Debug.Assert(m.P is null, "acquirep: already in go");
        Debug.Assert(p.M is null && p.Status != ProcessorStatus.Dead, "acquirep: invalid p state");
        int epoch = (Volatile.Read(ref p.Owner) >> 2) + 1;
        Volatile.Write(ref p.Owner, (epoch << 2) | OwnerState.InScheduler);
        m.OwnerBase = epoch << 2;
        p.M = m;
        p.Status = ProcessorStatus.Running;
        m.P = p;
    }

    /// <summary>Go's <c>releasep</c>: unwires the M's P and returns it. Caller: that M, in scheduler code.</summary>
    private static Processor ReleaseP(Machine m)
    {
        Processor p = m.P!;
        Debug.Assert(p.M == m, "releasep: invalid p state");
        p.M = null;
        m.P = null;
        return p;
    }

    /// <summary>
    /// Takes the M's P back for a runtime call made from goroutine code (see "Retaking a P"); returns null when
    /// the M has no P (sysmon retook it). Pair with <see cref="EndRuntimeCall"/>.
    /// </summary>
    internal static Processor? BeginRuntimeCall(Machine m)
    {
        Processor? p = m.P;
        if (p is null || !m.InGoroutine)
        {
            return p;
        }
        int inGoroutine = m.OwnerBase | OwnerState.InGoroutine;
        if (Interlocked.CompareExchange(ref p.Owner, m.OwnerBase | OwnerState.InScheduler, inGoroutine) == inGoroutine)
        {
            return p;
        }
        LoseP(m);
        return null;
    }

    /// <summary>Ends a runtime call begun by <see cref="BeginRuntimeCall"/>.</summary>
    internal static void EndRuntimeCall(Machine m, Processor? p)
    {
        if (p is not null && m.InGoroutine)
        {
            // Release: the run-queue writes of the call happen before sysmon can retake the P again.
            Volatile.Write(ref p.Owner, m.OwnerBase | OwnerState.InGoroutine);
        }
    }

    /// <summary>The M learned that sysmon retook its P while it ran goroutine code.</summary>
    private static void LoseP(Machine m)
    {
        m.P = null;
        m.CurG?.SetOwnedStatus(GoroutineStatus.Syscall);
    }

    /// <summary>The M enters goroutine code: its P becomes retakeable.</summary>
    private static void EnterGoroutineCode(Machine m)
    {
        m.InGoroutine = true;
        if (m.P is { } p)
        {
            p.StepTick++;
            Volatile.Write(ref p.Owner, m.OwnerBase | OwnerState.InGoroutine);
        }
    }

    /// <summary>The M leaves goroutine code; returns false if it lost its P meanwhile.</summary>
    private static bool LeaveGoroutineCode(Machine m)
    {
        m.InGoroutine = false;
        Processor? p = m.P;
        if (p is null)
        {
            return false;
        }
        int inGoroutine = m.OwnerBase | OwnerState.InGoroutine;
        if (Interlocked.CompareExchange(ref p.Owner, m.OwnerBase | OwnerState.InScheduler, inGoroutine) == inGoroutine)
        {
            return true;
        }
        m.P = null;
        return false;
    }

    // ---- Idle P list (guarded by _lock) -------------------------------------------------------------------

    /// <summary>Go's <c>pidleput</c>. Caller holds _lock; the P's run queue must be empty.</summary>
    private void PutIdleP(Processor p)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Debug.Assert(p.M is null);
        if (!p.RunQueue.IsEmpty)
        {
            RuntimeFatal.Throw("pidleput: P has non-empty run queue");
        }
        p.Status = ProcessorStatus.Idle;
        p.IdleLink = _idlePs;
        _idlePs = p;
        Interlocked.Increment(ref _npidle); // full fence: see "Releasing a P"
    }

    /// <summary>Go's <c>pidleget</c>. Caller holds _lock.</summary>
    private Processor? TakeIdlePLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Processor? p = _idlePs;
        if (p is null)
        {
            return null;
        }
        _idlePs = p.IdleLink;
        p.IdleLink = null;
        Interlocked.Decrement(ref _npidle);
        WakeSysmonIfSleeping();
        return p;
    }

    private Processor? TakeIdleP()
    {
        if (Volatile.Read(ref _npidle) == 0)
        {
            return null;
        }
        lock (_lock)
        {
            return TakeIdlePLocked();
        }
    }

    // ---- GOMAXPROCS (Go's procresize) ---------------------------------------------------------------------

    /// <summary>
    /// Changes the number of Ps. Caller holds _lock. Idle Ps beyond the new count are destroyed at once; a running
    /// P beyond it is destroyed by its M at its next scheduling point, or handed off and destroyed by sysmon if its
    /// M is stuck in goroutine code, so the change never waits for code that does not yield.
    /// </summary>
    private void Resize(int n)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Debug.Assert(n >= 1, "procresize: invalid arg");
        Processor[] all = _allp;
        if (n > all.Length)
        {
            var grown = new Processor[n];
            Array.Copy(all, grown, all.Length);
            for (int i = all.Length; i < n; i++)
            {
                grown[i] = new Processor(i, _options.RunQueueCapacity, _global.AddLane()) { Status = ProcessorStatus.Dead };
            }
            all = grown;
            _allp = all;
        }

        _gomaxprocs = n;
        for (int i = 0; i < n; i++)
        {
            if (all[i].Status == ProcessorStatus.Dead)
            {
                PutIdleP(all[i]);
            }
        }

        // Unlink and destroy idle Ps with id >= n.
        Processor? kept = null;
        Processor? keptTail = null;
        for (Processor? p = _idlePs; p is not null;)
        {
            Processor? next = p.IdleLink;
            p.IdleLink = null;
            if (p.Id >= n)
            {
                Interlocked.Decrement(ref _npidle);
                DestroyP(p);
            }
            else if (keptTail is null)
            {
                kept = keptTail = p;
            }
            else
            {
                keptTail.IdleLink = p;
                keptTail = p;
            }
            p = next;
        }
        _idlePs = kept;
    }

    /// <summary>
    /// Go's <c>p.destroy</c>: moves the P's goroutines to the head of the global queue in their run order
    /// (runnext first), then its lane of the global queue behind everything in the shared lane (Go has one global
    /// queue, in which the lane's goroutines already are behind the ones queued before them), and marks it dead.
    /// Caller owns the P (its M, or _lock for an unowned P).
    /// </summary>
    private void DestroyP(Processor p)
    {
        var pending = new List<Goroutine>();
        p.RunQueue.Drain(pending);
        for (int i = pending.Count - 1; i >= 0; i--)
        {
            _global.PutHead(pending[i]);
        }
        p.GlobalLane.MoveAllTo(_global.Shared);
        PurgeFreeGoroutines(p);
        p.M = null;
        p.Status = ProcessorStatus.Dead; // before moving the timers: see AddTimer
        if (p.Id != 0)
        {
            Processor target = _allp[0];
            lock (p.Timers.SyncRoot)
            {
                lock (target.Timers.SyncRoot)
                {
                    p.Timers.MoveAllToLocked(target.Timers);
                }
            }
        }
    }

    /// <summary>
    /// Go stops the world for GOMAXPROCS, so that no removed P runs anything after the call returns. The
    /// equivalent here: wait until every removed P held by an M in scheduler code has been destroyed by that M
    /// (which happens at its next loop turn, within microseconds). A removed P whose M runs goroutine code cannot be
    /// waited for (the code may never yield); sysmon retakes and destroys it at its next round instead.
    /// </summary>
    private void WaitForRemovedProcessors(int n)
    {
        Processor[] all = _allp;
        Machine? self = Machine.Current;
        var spin = new SpinWait();
        long deadline = Environment.TickCount64 + 100;
        for (int i = n; i < all.Length; i++)
        {
            Processor p = all[i];
            while (p.Status == ProcessorStatus.Running && p.M is { } holder && holder != self
                && (Volatile.Read(ref p.Owner) & 3) == OwnerState.InScheduler && Environment.TickCount64 < deadline)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>
    /// Go's procresize keeps the caller on its P if its id is below n, else switches it to another P. Here: if the
    /// calling goroutine's P was removed, destroy it now (its queued goroutines go to the head of the global queue,
    /// in order) and continue on an idle P if there is one, else without a P until the step ends.
    /// </summary>
    private void MoveCallerOffRemovedProcessor(int n)
    {
        Machine? m = Machine.Current;
        if (m is null || m.Scheduler != this || m.P is not { } held || held.Id < n)
        {
            return;
        }
        Processor? p = BeginRuntimeCall(m);
        if (p is null)
        {
            return;
        }
        Processor? replacement;
        lock (_lock)
        {
            ReleaseP(m);
            DestroyP(p);
            replacement = TakeIdlePLocked();
        }
        // Every remaining P may be held by an M that is only looking for work; it lets go within microseconds.
        var spin = new SpinWait();
        long deadline = Environment.TickCount64 + 2;
        while (replacement is null && Environment.TickCount64 <= deadline)
        {
            spin.SpinOnce();
            replacement = TakeIdleP();
        }
        if (replacement is null)
        {
            LoseP(m);
            return;
        }
        AcquireP(m, replacement);
        if (m.InGoroutine)
        {
            replacement.StepTick++;
            Volatile.Write(ref replacement.Owner, m.OwnerBase | OwnerState.InGoroutine);
        }
    }

    /// <summary>The public GOMAXPROCS: returns the previous value; n &lt; 1 only queries.</summary>
    internal int SetMaxProcs(int n)
    {
        int previous;
        lock (_lock)
        {
            previous = _gomaxprocs;
            if (n < 1 || n == previous)
            {
                return previous;
            }
            Resize(n);
        }
        if (_global.Count > 0 || n > previous)
        {
            WakeProcessor();
        }
        if (n < previous)
        {
            MoveCallerOffRemovedProcessor(n);
            WaitForRemovedProcessors(n);
        }
        return previous;
    }
}
