using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    private static readonly long TicksPerMs = Stopwatch.Frequency / 1000;

    // The M parked with a deadline for the earliest timer (Go: the M blocked in netpoll until pollUntil), or null.
    private Machine? _timerSleeper;

    // Its deadline; written by the sleeper before it parks, read by AddTimer to decide whether to wake it.
    private long _timerSleeperDeadline;

    /// <summary>
    /// Arms <paramref name="t"/> (which must not be armed) to fire at <paramref name="when"/>, on the current P's
    /// heap (Go's <c>addtimer</c>), and makes sure some M will wake up for it.
    /// </summary>
    internal void AddTimer(TimerEntry t, long when)
    {
        Machine? m = Machine.Current;
        Processor p = m is not null && m.Scheduler == this && m.P is { } held ? held : _allp[0];
        while (true)
        {
            TimerHeap heap = p.Timers;
            lock (heap.SyncRoot)
            {
                if (p.Status != ProcessorStatus.Dead)
                {
                    Debug.Assert(t.Heap is null, "timer already armed");
                    t.When = when;
                    heap.AddLocked(t);
                    break;
                }
            }
            p = _allp[0]; // P 0 is never destroyed
        }
        AddPendingTimers(1);
        NoteNewTimer(when);
    }

    /// <summary>Disarms <paramref name="t"/>; returns true if it was armed (the call prevented a firing).</summary>
    internal bool StopTimer(TimerEntry t)
    {
        while (true)
        {
            TimerHeap? heap = Volatile.Read(ref t.Heap);
            if (heap is null)
            {
                return false;
            }
            lock (heap.SyncRoot)
            {
                if (t.Heap != heap)
                {
                    continue; // moved to another heap meanwhile
                }
                heap.RemoveLocked(t);
            }
            AddPendingTimers(-1);
            return true;
        }
    }

    /// <summary>Go's <c>resettimer</c>: re-arms <paramref name="t"/> for <paramref name="when"/>; returns whether it
    /// was armed before. Not atomic as a whole: owners of an entry serialise their resets (FuncTimer, ChannelTimer
    /// hold a lock around it).</summary>
    internal bool ResetTimer(TimerEntry t, long when)
    {
        bool wasArmed = StopTimer(t);
        AddTimer(t, when);
        return wasArmed;
    }

    /// <summary>Wakes whoever must take care of a timer due at <paramref name="when"/> (Go's <c>wakeNetPoller</c>).</summary>
    private void NoteNewTimer(long when)
    {
        Machine? sleeper = Volatile.Read(ref _timerSleeper);
        if (sleeper is not null)
        {
            if (when < Volatile.Read(ref _timerSleeperDeadline))
            {
                sleeper.Parker.Unpark();
            }
            return;
        }
        WakeProcessor();
    }

    /// <summary>
    /// Go's <c>timers.check</c>: runs every timer of <paramref name="p"/> due at <paramref name="now"/>. Callbacks
    /// run without the heap lock. Returns whether any ran.
    /// </summary>
    private bool RunTimers(Processor p, long now)
    {
        TimerHeap heap = p.Timers;
        if (heap.MinWhen > now)
        {
            return false;
        }
        bool ran = false;
        while (true)
        {
            TimerEntry? t;
            long scheduled;
            int sequence;
            bool oneShot;
            lock (heap.SyncRoot)
            {
                t = heap.TakeDueLocked(now, out scheduled);
                if (t is null)
                {
                    return ran;
                }
                sequence = t.Sequence;
                oneShot = t.Heap is null;
            }
            if (oneShot)
            {
                AddPendingTimers(-1);
            }
            ran = true;
            t.Callback!(t.Argument, scheduled, sequence);
        }
    }

    /// <summary>Runs the due timers of every live P; returns whether any ran. Caller holds a P.</summary>
    private bool RunAllDueTimers()
    {
        Processor[] all = _allp;
        int n = Math.Min(_gomaxprocs, all.Length);
        long now = Stopwatch.GetTimestamp();
        bool ran = false;
        for (int i = 0; i < n; i++)
        {
            ran |= RunTimers(all[i], now);
        }
        return ran;
    }

    /// <summary>The earliest timer of any live P (Go's <c>checkTimersNoP</c> bound), or long.MaxValue.</summary>
    private long EarliestTimer()
    {
        Processor[] all = _allp;
        int n = Math.Min(_gomaxprocs, all.Length);
        long min = long.MaxValue;
        for (int i = 0; i < n; i++)
        {
            min = Math.Min(min, all[i].Timers.MinWhen);
        }
        return min;
    }

    /// <summary>
    /// For an M with nothing to run and no P: if timers are pending and no other M waits for them, become the timer
    /// sleeper: park on the idle list until the earliest timer is due (or a P is handed over), then spin the last
    /// sub-millisecond so that a 1 ms sleep is not rounded up to 2 by the OS. Returns false if the M must park
    /// normally instead.
    /// </summary>
    private bool TryStopUntilNextTimer(Machine m)
    {
        long next = EarliestTimer();
        if (next == long.MaxValue || Interlocked.CompareExchange(ref _timerSleeper, m, null) is not null)
        {
            return false;
        }
        try
        {
            Volatile.Write(ref _timerSleeperDeadline, next);
            next = EarliestTimer(); // a timer added before we were visible as the sleeper
            Volatile.Write(ref _timerSleeperDeadline, next);
            lock (_lock)
            {
                m.IdleLink = _idleMs;
                _idleMs = m;
                m.OnIdleList = true;
                _nmidle++;
                CheckDeadLocked();
            }
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                long remainingMs = (next - now) / TicksPerMs;
                int waitMs = next <= now ? 1 : (int)Math.Clamp(remainingMs, 0, int.MaxValue);
                if (waitMs > 0)
                {
                    m.Parker.Park(waitMs);
                }
                if (Volatile.Read(ref m.NextP) is not null)
                {
                    WaitForP(m); // StartM handed us a P: FindRunnable runs the timers
                    return true;
                }
                long earliest = EarliestTimer();
                now = Stopwatch.GetTimestamp();
                if (earliest <= now + TicksPerMs || earliest == long.MaxValue)
                {
                    break; // due (or gone): leave the idle list and take a P
                }
                next = earliest; // an earlier timer arrived, or ours was stopped: sleep again
                Volatile.Write(ref _timerSleeperDeadline, next);
            }
            bool onList;
            lock (_lock)
            {
                onList = m.OnIdleList;
                if (onList)
                {
                    RemoveIdleMLocked(m);
                }
            }
            if (!onList)
            {
                WaitForP(m); // StartM took us off the list concurrently and is handing us a P
                return true;
            }
            SpinUntil(EarliestTimer());
            return true; // back to FindRunnable's top without a P: it takes an idle P and runs the timers
        }
        finally
        {
            Interlocked.CompareExchange(ref _timerSleeper, null, m);
        }
    }

    private static void SpinUntil(long deadline)
    {
        var spin = new SpinWait();
        while (Stopwatch.GetTimestamp() < deadline && deadline - Stopwatch.GetTimestamp() < TicksPerMs * 2)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void RemoveIdleMLocked(Machine m)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread && m.OnIdleList);
        if (_idleMs == m)
        {
            _idleMs = m.IdleLink;
        }
        else
        {
            for (Machine? x = _idleMs; x is not null; x = x.IdleLink)
            {
                if (x.IdleLink == m)
                {
                    x.IdleLink = m.IdleLink;
                    break;
                }
            }
        }
        m.IdleLink = null;
        m.OnIdleList = false;
        _nmidle--;
    }
}
