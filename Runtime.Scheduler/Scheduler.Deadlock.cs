using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>
    /// Go's <c>checkdead</c>, run under _lock whenever the count of running Ms may have dropped to zero. Only for
    /// programs run through <see cref="RunMain"/>: an embedding host may ready goroutines from its own threads.
    /// </summary>
    /// <remarks>
    /// No report while: an M runs (including one blocked in ordinary .NET code inside a goroutine, which counts as
    /// running, like Go's Ms in system calls); a goroutine is runnable; a goroutine awaits a .NET task (IO wait);
    /// a timer is pending.
    /// </remarks>
    private void CheckDeadLocked()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        if (!_options.DeadlockDetection || _fatal is not null)
        {
            return;
        }
        int run = _mcount - _nmidle - _nmidlelocked - _nmsys;
        if (run > 0)
        {
            return;
        }
        if (run < 0)
        {
            RuntimeFatal.Throw($"checkdead: inconsistent counts mcount={_mcount} nmidle={_nmidle} nmidlelocked={_nmidlelocked} nmsys={_nmsys}");
        }
        if (_global.Count > 0)
        {
            return;
        }

        List<Goroutine> all = _registry.Snapshot();
        int waiting = 0;
        foreach (Goroutine g in all)
        {
            switch (g.Status)
            {
                case GoroutineStatus.Waiting:
                    if (g.WaitReason == WaitReason.IOWait)
                    {
                        return; // a .NET task will post back
                    }
                    waiting++;
                    break;
                case GoroutineStatus.Runnable:
                case GoroutineStatus.Running:
                case GoroutineStatus.Syscall:
                    return; // being readied or run right now
            }
        }
        if (waiting == 0)
        {
            if (_mainGoexited)
            {
                ReportFatal("no goroutines (main called runtime.Goexit) - deadlock!", withGoroutines: false);
            }
            return;
        }
        if (HasPendingTimers())
        {
            return;
        }
        ReportFatal("all goroutines are asleep - deadlock!", withGoroutines: true);
    }

    /// <summary>Whether any timer is pending anywhere (a pending timer keeps the program alive).</summary>
    private bool HasPendingTimers() => Volatile.Read(ref _pendingTimers) > 0;

    /// <summary>Timers armed and not yet fired or stopped (maintained by the timer implementation). Interlocked.</summary>
    private long _pendingTimers;

    /// <summary>A timer was armed (+1) or fired or was stopped (-1).</summary>
    internal void AddPendingTimers(int delta) => Interlocked.Add(ref _pendingTimers, delta);
}
