using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    private const int StealTries = 4; // Go's stealTries

    /// <summary>
    /// Go's <c>findRunnable</c>: returns a goroutine for <paramref name="m"/> to run, blocking the M while there is
    /// none. On return the M holds a P. Order: the 1-in-61 global check, local runnext and ring, a global batch,
    /// stealing (at most half the busy Ps spin), then release the P, re-check, and park.
    /// </summary>
    private Goroutine FindRunnable(Machine m, out bool inheritTime)
    {
        while (true)
        {
            Processor? p = m.P;
            if (p is null)
            {
                // The M lost its P (sysmon retook it, or it was destroyed): take an idle one, or park.
                p = TakeIdleP();
                if (p is null)
                {
                    StopM(m);
                    continue;
                }
                AcquireP(m, p);
            }

            if (p.Id >= _gomaxprocs)
            {
                // GOMAXPROCS shrank below this P's id: destroy it and look for another.
                lock (_lock)
                {
                    ReleaseP(m);
                    DestroyP(p);
                }
                if (m.Spinning)
                {
                    m.Spinning = false;
                    Interlocked.Decrement(ref _nmspinning);
                }
                WakeProcessor();
                continue;
            }

            if (p.PreemptRequested)
            {
                // Sysmon saw one time slice last 10 ms: preempt the chain (see PreemptRunNext).
                p.PreemptRequested = false;
                p.Counters.Preemptions++;
                p.RunQueue.PreemptRunNext(p.GlobalLane);
            }
            else if (_options.RandomizeScheduling && (FastRandom.Next() & 1) == 0)
            {
                // Go's race-mode randomisation: skip runnext half the time.
                p.RunQueue.PreemptRunNext(p.GlobalLane);
            }

            CheckTimers(p);

            Goroutine? g;
            if (p.SchedTick % 61 == 0 && _global.Count > 0)
            {
                g = _global.TryGetOne(ref p.GlobalLaneCursor);
                if (g is not null)
                {
                    p.Counters.GlobalTaken++;
                    inheritTime = false;
                    return g;
                }
            }

            g = p.RunQueue.TryGet(out inheritTime);
            if (g is not null)
            {
                if (inheritTime)
                {
                    p.Counters.RunNextTaken++;
                }
                else
                {
                    p.Counters.LocalTaken++;
                }
                return g;
            }

            if (p.Id >= _gomaxprocs)
            {
                continue; // removed meanwhile: destroy it at the top of the loop
            }
            g = _global.TryGetBatch(p.RunQueue, p.GlobalLane, ref p.GlobalTakes, ref p.GlobalLaneCursor, _gomaxprocs);
            if (g is not null)
            {
                p.Counters.GlobalTaken++;
                inheritTime = false;
                return g;
            }

            // Timers of other Ps (idle ones included) that are due: run them here, whether or not this M may steal
            // (Go runs them on the last steal pass and from the M that waited for the earliest timer).
            if (EarliestTimer() <= Stopwatch.GetTimestamp() && RunAllDueTimers(p))
            {
                g = p.RunQueue.TryGet(out inheritTime);
                if (g is not null)
                {
                    return g;
                }
            }

            int procs = _gomaxprocs;
            if (m.Spinning || 2 * Volatile.Read(ref _nmspinning) < procs - Volatile.Read(ref _npidle))
            {
                if (!m.Spinning)
                {
                    m.Spinning = true;
                    Interlocked.Increment(ref _nmspinning);
                }
                g = StealWork(p);
                if (g is not null)
                {
                    p.Counters.Steals++;
                    inheritTime = false;
                    return g;
                }
            }

            // Nothing to do: give up the P. See "Releasing a P" and "Spinning handshake" in Scheduler.cs.
            lock (_lock)
            {
                g = _global.TryGetBatch(p.RunQueue, p.GlobalLane, ref p.GlobalTakes, ref p.GlobalLaneCursor, procs);
                if (g is not null)
                {
                    inheritTime = false;
                    return g;
                }
                ReleaseP(m);
                PutIdleP(p); // Interlocked: full fence before the re-checks below
            }

            bool wasSpinning = m.Spinning;
            if (wasSpinning)
            {
                m.Spinning = false;
                if (Interlocked.Decrement(ref _nmspinning) < 0)
                {
                    RuntimeFatal.Throw("findrunnable: negative nmspinning");
                }
            }
            if (_global.Count > 0 || (wasSpinning && AnyLocalWork()))
            {
                p = TakeIdleP();
                if (p is not null)
                {
                    AcquireP(m, p);
                    if (wasSpinning)
                    {
                        m.Spinning = true;
                        Interlocked.Increment(ref _nmspinning);
                    }
                    continue;
                }
            }
            if (!TryStopUntilNextTimer(m))
            {
                StopM(m);
            }
        }
    }

    /// <summary>True if any live P has a goroutine in its run queue (Go's <c>checkRunqsNoP</c>).</summary>
    private bool AnyLocalWork()
    {
        Processor[] all = _allp;
        int n = Math.Min(_gomaxprocs, all.Length);
        for (int i = 0; i < n; i++)
        {
            if (all[i].Status != ProcessorStatus.Idle && !all[i].RunQueue.IsEmpty)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Go's <c>stealWork</c>: four passes over every other P in a random order (random start, random stride
    /// coprime with the P count); runnext only on the last pass.
    /// </summary>
    private Goroutine? StealWork(Processor self)
    {
        Processor[] all = _allp;
        int n = Math.Min(_gomaxprocs, all.Length);
        if (n <= 1)
        {
            return null;
        }
        for (int pass = 0; pass < StealTries; pass++)
        {
            bool stealRunNext = pass == StealTries - 1;
            var order = new StealOrder(n, FastRandom.Next());
            for (int i = 0; i < n; i++)
            {
                if (self.Id >= _gomaxprocs)
                {
                    return null; // this P was removed by GOMAXPROCS: it must not take more work
                }
                Processor victim = all[order.At(i)];
                if (victim == self || victim.Status == ProcessorStatus.Idle || victim.Status == ProcessorStatus.Dead)
                {
                    continue;
                }
                Goroutine? g = self.RunQueue.StealFrom(victim.RunQueue, stealRunNext,
                    victimIsRunning: victim.M?.CurG is not null);
                if (g is not null)
                {
                    return g;
                }
            }
        }
        return null;
    }
}

/// <summary>
/// A pseudo-random permutation of 0..n-1: a random start and a random stride coprime with n (Go's
/// <c>randomOrder</c>/<c>randomEnum</c>). No allocation.
/// </summary>
internal readonly struct StealOrder
{
    private readonly int _count;
    private readonly int _start;
    private readonly int _stride;

    internal StealOrder(int count, uint random)
    {
        Debug.Assert(count > 0);
        _count = count;
        _start = (int)(random % (uint)count);
        int stride = (int)((random >> 16) % (uint)count) | 1;
        while (Gcd(stride, count) != 1)
        {
            stride++;
        }
        _stride = stride;
    }

    internal int At(int i) => (int)((_start + (long)i * _stride) % _count);

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
