using System.Diagnostics;
using GoSched.Core;
using GoSched.Profiling;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    /// <summary>Copies the counters that schedtrace prints (racy reads, as Go's schedtrace).</summary>
    internal SchedulerSnapshot Snapshot(long since = 0, long now = 0)
    {
        now = now == 0 ? Stopwatch.GetTimestamp() : now;
        long elapsedMs = (now - (since == 0 ? _startTimestamp : since)) * 1000 / Stopwatch.Frequency;
        Processor[] all = _allp;
        int procs = _gomaxprocs;
        var ps = new List<ProcessorSnapshot>(procs);
        for (int i = 0; i < Math.Min(procs, all.Length); i++)
        {
            Processor p = all[i];
            ps.Add(new ProcessorSnapshot(p.Id, p.StatusValue, p.SchedTick, p.SyscallTick, p.M?.Id ?? -1,
                p.RunQueue.Count, TimerCount(p)));
        }
        var ms = new List<MachineSnapshot>();
        int threads, idle, idleLocked;
        lock (_lock)
        {
            threads = _mcount;
            idle = _nmidle;
            idleLocked = _nmidlelocked;
            for (Machine? m = _allm; m is not null; m = m.AllLink)
            {
                ms.Add(new MachineSnapshot(m.Id, m.P?.Id ?? -1, m.CurG?.Id ?? -1, m.Spinning, m.BlockedLocked,
                    m.LockedG?.Id ?? -1));
            }
        }
        var running = new Dictionary<Goroutine, long>();
        lock (_lock)
        {
            for (Machine? m = _allm; m is not null; m = m.AllLink)
            {
                if (m.CurG is { } cur)
                {
                    running[cur] = m.Id;
                }
            }
        }
        var gs = new List<GoroutineSnapshot>();
        foreach (Goroutine g in _registry.Snapshot())
        {
            GoroutineStatus status = g.Status;
            gs.Add(new GoroutineSnapshot(g.Id, (int)status,
                status == GoroutineStatus.Waiting ? g.WaitReason.ToGoString() : "",
                running.GetValueOrDefault(g, -1), (g.LockedM as Machine)?.Id ?? -1));
        }
        return new SchedulerSnapshot(elapsedMs, procs, Volatile.Read(ref _npidle), threads,
            Volatile.Read(ref _nmspinning), idle, idleLocked, NeedSpinning: false, _global.Count, ps, ms, gs);
    }

    private static int TimerCount(Processor p) => p.TimerCount;

    private long _foreignSpawns; // Interlocked
    private long _retakes;       // Interlocked (sysmon)
    private long _threadsCreated; // guarded by _lock
    private long _threadWakeups;  // guarded by _lock

    /// <summary>Sums the per-P counters (racy, as Go's schedtrace).</summary>
    internal SchedStats ReadStats()
    {
        ProcessorCounters sum = default;
        foreach (Processor p in _allp)
        {
            sum.Spawned += p.Counters.Spawned;
            sum.RunNextTaken += p.Counters.RunNextTaken;
            sum.LocalTaken += p.Counters.LocalTaken;
            sum.GlobalTaken += p.Counters.GlobalTaken;
            sum.Steals += p.Counters.Steals;
            sum.Parks += p.Counters.Parks;
            sum.Yields += p.Counters.Yields;
            sum.Preemptions += p.Counters.Preemptions;
        }
        long created, wakeups;
        lock (_lock)
        {
            created = _threadsCreated;
            wakeups = _threadWakeups;
        }
        return new SchedStats(sum.Spawned + Interlocked.Read(ref _foreignSpawns), sum.RunNextTaken, sum.LocalTaken,
            sum.GlobalTaken, sum.Steals, sum.Parks, sum.Yields, sum.Preemptions, Interlocked.Read(ref _retakes),
            created, wakeups);
    }
}
