using System.Diagnostics;
using GoSched.Core;
using GoSched.Profiling;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>Go's <c>forcePreemptNS</c>: one time slice, and how long an M may hold a P inside one step.</summary>
    internal static readonly long ForcePreemptTicks = Stopwatch.Frequency / 100; // 10 ms

    private Machine? _sysmon;
    private readonly Parker _sysmonParker = new();

    // 1 while sysmon sleeps until woken (all Ps idle); Interlocked.
    private int _sysmonSleeping;
    private long _lastSchedTrace;
    private long _schedTraceStart;

    private void StartSysmon()
    {
        lock (_lock)
        {
            _sysmon = NewMachineLocked(isSystem: true);
        }
        var thread = new Thread(() => SysmonLoop())
        {
            IsBackground = true,
            Name = "GoSched sysmon",
        };
        _sysmon.Thread = thread;
        thread.UnsafeStart();
    }

    /// <summary>
    /// Go's <c>sysmon</c>: retakes Ps from Ms stuck in one step for 10 ms (blocking or CPU-bound code), asks Ps
    /// whose time slice lasted 10 ms to stop inheriting it (cooperative preemption at the next scheduling point),
    /// prints schedtrace, and sleeps when every P is idle so that an idle runtime burns no CPU.
    /// </summary>
    /// <remarks>
    /// Polling period: 1 ms while Ps are busy (the finest sleep .NET offers without spinning; Go uses 20 µs),
    /// doubling to 10 ms after 50 idle rounds. Retake decisions need 10 ms of evidence anyway.
    /// </remarks>
    private void SysmonLoop()
    {
        Machine.SetCurrent(null);
        int idleRounds = 0;
        int delayMs = 1;
        while (true)
        {
            if (_options.SchedTraceMs <= 0 && Volatile.Read(ref _npidle) == _gomaxprocs)
            {
                // Everything is idle: sleep until a P is taken (TakeIdlePLocked wakes us).
                Interlocked.Exchange(ref _sysmonSleeping, 1);
                if (Volatile.Read(ref _npidle) == _gomaxprocs)
                {
                    _sysmonParker.Park(60_000);
                }
                Interlocked.Exchange(ref _sysmonSleeping, 0);
                idleRounds = 0;
                delayMs = 1;
            }
            Thread.Sleep(delayMs);
            CoarseClock.Update();
            long now = Stopwatch.GetTimestamp();
            if (EarliestTimer() < now - TicksPerMs)
            {
                WakeProcessor(); // an overdue timer and busy Ms: start an idle P to run it
            }
            if (Retake(now))
            {
                idleRounds = 0;
                delayMs = 1;
            }
            else if (++idleRounds > 50)
            {
                delayMs = Math.Min(delayMs * 2, 10);
            }
            if (_options.SchedTraceMs > 0)
            {
                long intervalTicks = _options.SchedTraceMs * Stopwatch.Frequency / 1000;
                if (_lastSchedTrace == 0 || now - _lastSchedTrace >= intervalTicks)
                {
                    // Go measures from the first trace, so the first line is "SCHED 0ms:".
                    if (_lastSchedTrace == 0)
                    {
                        _schedTraceStart = now;
                    }
                    _lastSchedTrace = now;
                    Console.Error.Write(SchedTrace.Format(Snapshot(_schedTraceStart, now), _options.SchedDetail));
                }
            }
        }
    }

    private void WakeSysmonIfSleeping()
    {
        if (Volatile.Read(ref _sysmonSleeping) != 0)
        {
            _sysmonParker.Unpark();
        }
    }

    /// <summary>Go's <c>retake</c>. Returns true if it did anything.</summary>
    private bool Retake(long now)
    {
        bool acted = false;
        Processor[] all = _allp;
        int procs = _gomaxprocs;
        foreach (Processor p in all)
        {
            if (p.Status != ProcessorStatus.Running)
            {
                continue;
            }

            uint tick = p.SchedTick;
            if (tick != p.SysmonSchedTick)
            {
                p.SysmonSchedTick = tick;
                p.SysmonSchedWhen = now;
            }
            else if (now - p.SysmonSchedWhen >= ForcePreemptTicks)
            {
                // One time slice has lasted 10 ms: preempt at the next scheduling point (Go's preemptone).
                p.PreemptRequested = true;
                if (p.M?.CurG is { } running)
                {
                    running.PreemptRequested = true;
                }
                p.SysmonSchedWhen = now;
            }

            int owner = Volatile.Read(ref p.Owner);
            if ((owner & 3) != OwnerState.InGoroutine)
            {
                continue;
            }
            if (p.WakeDeferred)
            {
                // A step readied a goroutine into runnext without waking an idle P. If the same step is still
                // running at the next tick, wake one, so the readied goroutine waits at most two sysmon periods
                // (see "Deferred wake-ups"). A hand-off chain sets the flag in nearly every step; waking on the
                // flag alone would wake the idle P at every tick and let it steal a partner.
                uint stepNow = p.StepTick;
                if (p.SysmonDeferredWakeSeen && p.SysmonDeferredWakeStep == stepNow)
                {
                    p.WakeDeferred = false;
                    p.SysmonDeferredWakeSeen = false;
                    WakeProcessor();
                }
                else
                {
                    p.SysmonDeferredWakeSeen = true;
                    p.SysmonDeferredWakeStep = stepNow;
                }
            }
            else
            {
                p.SysmonDeferredWakeSeen = false;
            }
            uint step = p.StepTick;
            if (step != p.SysmonStepTick)
            {
                p.SysmonStepTick = step;
                p.SysmonStepWhen = now;
                continue;
            }
            // A P that GOMAXPROCS removed is retaken after 10 ms even with asyncpreemptoff=1: the change must not
            // wait for code that never yields.
            bool stuck = now - p.SysmonStepWhen >= ForcePreemptTicks;
            if (!stuck || (!_options.RetakeLongRunning && p.Id < procs))
            {
                continue;
            }
            // Retake: the M has been inside one step for 10 ms (or holds a P that GOMAXPROCS removed).
            if (Interlocked.CompareExchange(ref p.Owner, (owner & ~3) | OwnerState.Retaken, owner) == owner)
            {
                p.SyscallTick++;
                Interlocked.Increment(ref _retakes);
                p.M = null;
                HandOffP(p);
                acted = true;
            }
        }
        return acted;
    }
}
