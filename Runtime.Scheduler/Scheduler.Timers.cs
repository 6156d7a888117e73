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
    internal void AddTimer(TimerEntry t, long when) => AddTimer(t, when, Machine.Current);

    /// <summary>
    /// <see cref="AddTimer(TimerEntry, long)"/> for a caller that has already read <see cref="Machine.Current"/>
    /// (<paramref name="m"/>; null on a thread that is not an M).
    /// </summary>
    internal void AddTimer(TimerEntry t, long when, Machine? m)
    {
        Processor p = m is not null && m.Scheduler == this && m.P is { } held ? held : _allp[0];
        bool earliest;
        while (true)
        {
            TimerHeap heap = p.Timers;
            lock (heap.SyncRoot)
            {
                if (p.Status != ProcessorStatus.Dead)
                {
                    Debug.Assert(t.Heap is null, "timer already armed");
                    t.When = when;
                    earliest = heap.AddLocked(t);
                    break;
                }
            }
            p = _allp[0]; // P 0 is never destroyed
        }
        // Interlocked: also the full fence before NoteNewTimer reads the sleeper (see TryStopUntilNextTimer).
        AddPendingTimers(1);
        if (earliest)
        {
            // Only a new earliest timer of its heap can need a wake-up: a later one is covered by whoever waits
            // for the heap's earlier timer (the timer sleeper's deadline, or a scheduling loop that will run it).
            NoteNewTimer(when);
        }
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
    /// Go's <c>checkTimers</c>, at a scheduling point of the P <paramref name="p"/>: unless its run queue already holds
    /// plenty of work (see <see cref="TimerBudget"/>), runs due timers in deadline order across every P's heap. Reads
    /// the clock only when some timer may be due. With no timer in its own heap it looks at the other Ps' heaps on
    /// every 8th tick only, and only if some timer is pending at all (a read of the scheduler-wide pending count): at
    /// most scheduling points a program without timers reads only its own heap's minimum, as in Go.
    /// </summary>
    private void CheckTimers(Processor p)
    {
        if (p.Timers.MinWhen == long.MaxValue
            && (_gomaxprocs == 1 || (p.SchedTick & 7) != 0 || !HasPendingTimers()))
        {
            return;
        }
        int budget = TimerBudget(p);
        if (budget > 0)
        {
            RunDueTimers(p, budget, now: 0);
        }
    }

    /// <summary>
    /// How many due timers a scheduling point of <paramref name="p"/> may run: enough to refill its run queue to half
    /// its capacity; while the queue is a quarter full or more, none, except one on every 61st check (as the global
    /// queue's check), so that timers keep firing under a queue that never drains. One, because the timer's goroutine
    /// takes runnext and inherits the time slice, so the tick does not advance: a larger batch on that tick would
    /// repeat at every scheduling point of the chain and grow the queue until it overflows.
    /// </summary>
    /// <remarks>
    /// Go runs every due timer at each scheduling point. When more timers come due than the Ps can run (10,000
    /// goroutines sleeping 1 ms on two cores), that overflows the run queue into the global queue, which a busy P
    /// polls once per 61 ticks, and the goroutines there wait for hundreds of milliseconds while the ones readied
    /// last run at once. Left in the heaps instead, due timers wait in deadline order, and every sleeper is late by
    /// about the same amount.
    /// </remarks>
    private static int TimerBudget(Processor p)
    {
        LocalRunQueue q = p.RunQueue;
        int queued = q.Count;
        if (queued >= q.Capacity / 4)
        {
            return ++p.Timers.DeferredChecks % 61 == 0 ? 1 : 0;
        }
        return (q.Capacity / 2) - queued;
    }

    /// <summary>
    /// Runs up to <paramref name="budget"/> due timers, earliest deadline first, from this P's heap and from other Ps'
    /// heaps whose timers are due well before this P's own (Go's thieves run other Ps' timers when idle; here a busy P
    /// also takes them, so that one P's backlog of sleepers is not late while the other P's are on time). Timers are
    /// taken up to <see cref="FiredTimers.Capacity"/> per acquisition of a heap's lock and their callbacks run
    /// without it. <paramref name="now"/> is the clock, or 0 to read it when a timer may be due. Returns how many ran.
    /// Caller holds <paramref name="self"/> (the callbacks ready goroutines into its run queue).
    /// </summary>
    private int RunDueTimers(Processor self, int budget, long now)
    {
        int ran = 0;
        var fired = default(FiredTimers);
        if (now == 0)
        {
            if (EarliestTimer() == long.MaxValue)
            {
                return 0;
            }
            now = Stopwatch.GetTimestamp();
        }
        while (ran < budget)
        {
            TimerHeap heap = EarliestHeap(self, now, out long when);
            if (when > now)
            {
                break;
            }
            int max = Math.Min(budget - ran, FiredTimers.Capacity);
            fired.OneShots = 0;
            int n;
            if (heap == self.Timers)
            {
                lock (heap.SyncRoot)
                {
                    n = heap.TakeDueLocked(now, ref fired, max);
                }
            }
            else if (heap.SyncRoot.TryEnter())
            {
                // Another P's heap: never wait for its lock (its owner is adding or taking timers right now).
                try
                {
                    n = heap.TakeDueLocked(now, ref fired, max);
                }
                finally
                {
                    heap.SyncRoot.Exit();
                }
            }
            else
            {
                if (self.Timers.MinWhen > now)
                {
                    break;
                }
                lock (self.Timers.SyncRoot)
                {
                    n = self.Timers.TakeDueLocked(now, ref fired, max);
                }
            }
            if (n == 0)
            {
                break;
            }
            if (fired.OneShots > 0)
            {
                AddPendingTimers(-fired.OneShots);
            }
            for (int i = 0; i < n; i++)
            {
                Prefetch.Object(fired.Timers[i]!.Argument, lines: 4); // a sleep timer's goroutine: see Prefetch
            }
            for (int i = 0; i < n; i++)
            {
                TimerEntry t = fired.Timers[i]!;
                t.Callback!(t.Argument, fired.Scheduled[i], fired.Sequences[i]);
            }
            ran += n;
        }
        return ran;
    }

    // How much earlier than this P's own earliest timer another P's must be due for this P to take it: the most by
    // which one P's sleepers may be later than another's. Taking another P's timers moves their goroutines (and their
    // next timers) to this P, so the backlogs even out and such takes become rare; each one contends for the other
    // P's lock.
    private static readonly long TimerStealMargin = Stopwatch.Frequency / 2000; // 0.5 ms

    /// <summary>
    /// The heap to take the next due timer from, and that heap's earliest deadline: another live P's heap if its
    /// earliest timer is due before <paramref name="self"/>'s and either this P's own is not due at
    /// <paramref name="now"/> or the other is due <see cref="TimerStealMargin"/> earlier; else this P's own heap
    /// (long.MaxValue when it is empty). Racy reads of each heap's <see cref="TimerHeap.MinWhen"/>.
    /// </summary>
    private TimerHeap EarliestHeap(Processor self, long now, out long when)
    {
        TimerHeap own = self.Timers;
        long ownWhen = own.MinWhen;
        TimerHeap? other = null;
        long otherWhen = long.MaxValue;
        Processor[] all = _allp;
        int n = Math.Min(_gomaxprocs, all.Length);
        for (int i = 0; i < n; i++)
        {
            TimerHeap h = all[i].Timers;
            long w = h.MinWhen;
            if (w < otherWhen && h != own)
            {
                other = h;
                otherWhen = w;
            }
        }
        if (other is not null && otherWhen < ownWhen && (ownWhen > now || otherWhen < ownWhen - TimerStealMargin))
        {
            when = otherWhen;
            return other;
        }
        when = ownWhen;
        return own;
    }

    /// <summary>
    /// Runs the due timers of every live P, within the budget of <paramref name="self"/>'s run queue; returns whether
    /// any ran. For an M whose P found no other work. Caller holds <paramref name="self"/>.
    /// </summary>
    private bool RunAllDueTimers(Processor self) =>
        RunDueTimers(self, Math.Max((self.RunQueue.Capacity / 2) - self.RunQueue.Count, 1),
            Stopwatch.GetTimestamp()) > 0;

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
    /// For an M with nothing to run and no P (Go's M blocking in netpoll until <c>pollUntil</c>): if timers are
    /// pending and no other M waits for them, become the timer sleeper: park on the idle list until the earliest timer
    /// is due or a P is handed over, leave the list, and nap the last fraction of a millisecond (a park waits whole
    /// milliseconds). Returns false if the M must park normally instead; true to go back to FindRunnable's top
    /// without a P, which takes an idle P and runs the due timers.
    /// </summary>
    /// <remarks>
    /// Lost wake-ups: the sleeper publishes its deadline, then (after a full fence) reads the heaps again; an adder
    /// writes the heap's minimum, then (after the full fence of AddPendingTimers) reads the sleeper and its deadline
    /// (<see cref="NoteNewTimer"/>). One of the two sees the other's write, as in "Spinning handshake".
    /// </remarks>
    private bool TryStopUntilNextTimer(Machine m)
    {
        long next = EarliestTimer();
        if (next == long.MaxValue || Interlocked.CompareExchange(ref _timerSleeper, m, null) is not null)
        {
            return false;
        }
        try
        {
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
                Volatile.Write(ref _timerSleeperDeadline, next);
                Interlocked.MemoryBarrier(); // see the remarks: publish the deadline before reading the heaps
                long earliest = EarliestTimer();
                if (earliest < next)
                {
                    next = earliest; // added before it could see our deadline: publish the earlier one
                    continue;
                }
                next = earliest;
                long remaining = next - Stopwatch.GetTimestamp();
                if (next == long.MaxValue || remaining < TicksPerMs)
                {
                    break; // gone, due, or due within the nap below
                }
                // Whole milliseconds, rounded down: the park ends at most 1 ms (plus the OS's wake-up delay) early.
                m.Parker.Park((int)Math.Min(remaining / TicksPerMs, int.MaxValue));
                if (Volatile.Read(ref m.NextP) is not null)
                {
                    WaitForP(m); // StartM handed us a P: FindRunnable runs the timers
                    return true;
                }
                next = EarliestTimer();
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
        }
        finally
        {
            Interlocked.CompareExchange(ref _timerSleeper, null, m);
        }
        // Off the idle list and no longer the sleeper (an earlier timer added now wakes a P instead of us).
        NapUntil(EarliestTimer());
        return true;
    }

    /// <summary>
    /// Sleeps until <paramref name="deadline"/> if it is less than 2 ms away: a microsecond sleep where the OS has one
    /// (it ends some tens of microseconds late, the kernel's timer slack), else a spin.
    /// </summary>
    private static void NapUntil(long deadline)
    {
        long remaining = deadline - Stopwatch.GetTimestamp();
        if (remaining <= 0 || remaining >= 2 * TicksPerMs)
        {
            return;
        }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            OsSleep.Microseconds((uint)(remaining * 1_000_000 / Stopwatch.Frequency));
            return;
        }
        var spin = new SpinWait();
        while (Stopwatch.GetTimestamp() < deadline)
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
