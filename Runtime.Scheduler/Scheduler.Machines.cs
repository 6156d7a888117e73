using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    private const int MaxThreads = 10000; // Go's sched.maxmcount

    /// <summary>
    /// Go's <c>wakep</c>: if a P is idle and no M is spinning, starts a spinning M for it. See "Spinning handshake".
    /// Any thread.
    /// </summary>
    internal void WakeProcessor()
    {
        if (Volatile.Read(ref _npidle) == 0)
        {
            return;
        }
        if (Volatile.Read(ref _nmspinning) != 0 || Interlocked.CompareExchange(ref _nmspinning, 1, 0) != 0)
        {
            return;
        }
        Processor? p;
        lock (_lock)
        {
            p = TakeIdlePLocked();
        }
        if (p is null)
        {
            Interlocked.Decrement(ref _nmspinning);
            return;
        }
        StartM(p, spinning: true);
    }

    /// <summary>
    /// Go's <c>startm</c>: runs <paramref name="p"/> on an idle M, or on a new one. The caller has taken
    /// <paramref name="p"/> off the idle list (or owns it) and, if <paramref name="spinning"/>, has counted the M
    /// in nmspinning.
    /// </summary>
    private void StartM(Processor p, bool spinning)
    {
        Machine? m;
        lock (_lock)
        {
            m = _idleMs;
            if (m is not null)
            {
                _idleMs = m.IdleLink;
                m.IdleLink = null;
                m.OnIdleList = false;
                _nmidle--;
                _threadWakeups++;
            }
            else
            {
                m = NewMachineLocked(isSystem: false);
            }
        }
        m.Spinning = spinning;
        Volatile.Write(ref m.NextP, p); // release: published before the unpark; pairs with WaitForP's read
        if (m.Thread is null)
        {
            StartThread(m);
        }
        else
        {
            m.Parker.Unpark();
        }
    }

    private Machine NewMachineLocked(bool isSystem)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        if (_mcount >= MaxThreads)
        {
            Console.Error.Write("runtime: program exceeds " + MaxThreads + "-thread limit\n");
            RuntimeFatal.Fatal("thread exhaustion", withGoroutines: true);
        }
        var m = new Machine(this, _nextMachineId++, isSystem)
        {
            AllLink = _allm,
            CreateStack = ThreadCreateStack(),
        };
        _allm = m;
        _mcount++;
        _threadsCreated++;
        if (isSystem)
        {
            _nmsys++;
        }
        return m;
    }

    private static string? ThreadCreateStack() =>
        Goroutine.Current is { } g ? g.CreatedAt.Member : null;

    private void StartThread(Machine m)
    {
        var thread = new Thread(static state => ((Machine)state!).Scheduler.MachineMain((Machine)state!))
        {
            IsBackground = true,
            Name = m.IsSystem ? "GoSched sysmon" : "GoSched M" + m.Id,
        };
        m.Thread = thread;
        thread.UnsafeStart(m);
    }

    /// <summary>The body of an M's thread: wait for the first P, then run the schedule loop.</summary>
    private void MachineMain(Machine m)
    {
        Machine.SetCurrent(m);
        WaitForP(m);
        ScheduleLoop(m);
        // The loop returns only when the M must end its thread (a locked goroutine exited while locked).
        lock (_lock)
        {
            _mcount--;
            RemoveFromAllMLocked(m);
            CheckDeadLocked();
        }
        Machine.SetCurrent(null);
    }

    private void RemoveFromAllMLocked(Machine m)
    {
        if (_allm == m)
        {
            _allm = m.AllLink;
            return;
        }
        for (Machine? x = _allm; x is not null; x = x.AllLink)
        {
            if (x.AllLink == m)
            {
                x.AllLink = m.AllLink;
                return;
            }
        }
    }

    /// <summary>Parks until another thread hands this M a P (<see cref="Machine.NextP"/>), then acquires it.</summary>
    private static void WaitForP(Machine m)
    {
        if (m.InstalledContext is not null)
        {
            // Parking: drop the last goroutine's references so that a finished goroutine is not kept alive.
            SynchronizationContext.SetSynchronizationContext(null);
            m.InstalledContext = null;
        }
        if (m.LockedG is null)
        {
            Goroutine.SetCurrent(null);
        }
        Processor? p;
        while ((p = Volatile.Read(ref m.NextP)) is null)
        {
            m.Parker.Park();
        }
        m.NextP = null;
        AcquireP(m, p);
    }

    /// <summary>
    /// Go's <c>stopm</c>: puts the M (which holds no P) on the idle list, runs deadlock detection, and parks until
    /// <see cref="StartM"/> hands it a P.
    /// </summary>
    private void StopM(Machine m)
    {
        if (m.P is not null || m.Spinning)
        {
            RuntimeFatal.Throw(m.P is not null ? "stopm holding p" : "stopm spinning");
        }
        lock (_lock)
        {
            m.IdleLink = _idleMs;
            _idleMs = m;
            m.OnIdleList = true;
            _nmidle++;
            CheckDeadLocked();
        }
        WaitForP(m);
    }

    /// <summary>
    /// Go's <c>handoffp</c>: finds a home for a P whose M is going to block or exit. Starts an M for it if there
    /// is work (or nobody is spinning and no P is idle), else puts it on the idle list, or destroys it if
    /// GOMAXPROCS shrank below its id.
    /// </summary>
    private void HandOffP(Processor p)
    {
        if (p.Id < _gomaxprocs)
        {
            if (!p.RunQueue.IsEmpty || _global.Count > 0)
            {
                StartM(p, spinning: false);
                return;
            }
            if (Volatile.Read(ref _nmspinning) + Volatile.Read(ref _npidle) == 0
                && Interlocked.CompareExchange(ref _nmspinning, 1, 0) == 0)
            {
                StartM(p, spinning: true);
                return;
            }
        }
        bool start = false;
        lock (_lock)
        {
            if (p.Id >= _gomaxprocs)
            {
                DestroyP(p);
            }
            else if (_global.Count > 0 || !p.RunQueue.IsEmpty)
            {
                start = true;
            }
            else
            {
                PutIdleP(p);
            }
        }
        if (start)
        {
            StartM(p, spinning: false);
        }
        else if (_global.Count > 0)
        {
            WakeProcessor(); // the P went idle or died while work arrived: see "Releasing a P"
        }
    }

    /// <summary>Go's <c>resetspinning</c>: the M found work; wake another spinner if it was the last one.</summary>
    private void ResetSpinning(Machine m)
    {
        m.Spinning = false;
        if (Interlocked.Decrement(ref _nmspinning) < 0)
        {
            RuntimeFatal.Throw("findrunnable: negative nmspinning");
        }
        WakeProcessor();
    }
}
