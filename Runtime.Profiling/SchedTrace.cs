using System.Globalization;
using System.Text;

namespace GoSched.Profiling;

/// <summary>
/// GODEBUG=schedtrace=X and scheddetail=1 output (proc.go <c>schedtrace</c>), in current Go's format:
/// <c>SCHED 0ms: gomaxprocs=4 idleprocs=0 threads=5 spinningthreads=0 needspinning=0 idlethreads=0 runqueue=2 [1 0 1 0]</c>.
/// </summary>
internal static class SchedTrace
{
    internal static string Format(SchedulerSnapshot s, bool detail)
    {
        var sb = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        sb.Append("SCHED ").Append(s.ElapsedMs.ToString(inv)).Append("ms: gomaxprocs=").Append(s.GOMAXPROCS.ToString(inv))
            .Append(" idleprocs=").Append(s.IdleProcs.ToString(inv))
            .Append(" threads=").Append(s.Threads.ToString(inv))
            .Append(" spinningthreads=").Append(s.SpinningThreads.ToString(inv))
            .Append(" needspinning=").Append(s.NeedSpinning ? '1' : '0')
            .Append(" idlethreads=").Append(s.IdleThreads.ToString(inv))
            .Append(" runqueue=").Append(s.GlobalRunQueue.ToString(inv));
        if (detail)
        {
            sb.Append(" gcwaiting=false nmidlelocked=").Append(s.IdleLockedThreads.ToString(inv))
                .Append(" stopwait=0 sysmonwait=false\n");
            foreach (ProcessorSnapshot p in s.Processors)
            {
                sb.Append("  P").Append(p.Id.ToString(inv)).Append(": status=").Append(p.Status.ToString(inv))
                    .Append(" schedtick=").Append(p.SchedTick.ToString(inv))
                    .Append(" syscalltick=").Append(p.SyscallTick.ToString(inv))
                    .Append(" m=").Append(p.MachineId < 0 ? "nil" : p.MachineId.ToString(inv))
                    .Append(" runqsize=").Append(p.RunQueueSize.ToString(inv))
                    .Append(" gfreecnt=0 timerslen=").Append(p.TimersLength.ToString(inv)).Append('\n');
            }
            foreach (MachineSnapshot m in s.Machines)
            {
                sb.Append("  M").Append(m.Id.ToString(inv)).Append(": p=")
                    .Append(m.ProcessorId < 0 ? "nil" : m.ProcessorId.ToString(inv))
                    .Append(" curg=").Append(m.CurrentGoroutine < 0 ? "nil" : m.CurrentGoroutine.ToString(inv))
                    .Append(" mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=")
                    .Append(m.Spinning ? "true" : "false").Append(" blocked=").Append(m.Blocked ? "true" : "false")
                    .Append(" lockedg=").Append(m.LockedGoroutine < 0 ? "nil" : m.LockedGoroutine.ToString(inv))
                    .Append('\n');
            }
            foreach (GoroutineSnapshot g in s.Goroutines)
            {
                sb.Append("  G").Append(g.Id.ToString(inv)).Append(": status=").Append(g.Status.ToString(inv))
                    .Append('(').Append(g.WaitReason).Append(") m=")
                    .Append(g.MachineId < 0 ? "nil" : g.MachineId.ToString(inv))
                    .Append(" lockedm=").Append(g.LockedMachineId < 0 ? "nil" : g.LockedMachineId.ToString(inv))
                    .Append('\n');
            }
            return sb.ToString();
        }
        sb.Append(" [");
        for (int i = 0; i < s.Processors.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            sb.Append(s.Processors[i].RunQueueSize.ToString(inv));
        }
        sb.Append("]\n");
        return sb.ToString();
    }
}
