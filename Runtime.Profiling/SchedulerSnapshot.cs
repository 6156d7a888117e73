namespace GoSched.Profiling;

/// <summary>A consistent-enough copy of the scheduler's counters, taken by the scheduler for schedtrace.</summary>
internal sealed record SchedulerSnapshot(
    long ElapsedMs,
    int GOMAXPROCS,
    int IdleProcs,
    int Threads,
    int SpinningThreads,
    int IdleThreads,
    int IdleLockedThreads,
    bool NeedSpinning,
    int GlobalRunQueue,
    IReadOnlyList<ProcessorSnapshot> Processors,
    IReadOnlyList<MachineSnapshot> Machines,
    IReadOnlyList<GoroutineSnapshot> Goroutines);

/// <summary>One P in a <see cref="SchedulerSnapshot"/>.</summary>
internal sealed record ProcessorSnapshot(int Id, int Status, uint SchedTick, uint SyscallTick, long MachineId,
    int RunQueueSize, int TimersLength);

/// <summary>One M in a <see cref="SchedulerSnapshot"/>.</summary>
internal sealed record MachineSnapshot(long Id, int ProcessorId, long CurrentGoroutine, bool Spinning, bool Blocked,
    long LockedGoroutine);

/// <summary>One G in a <see cref="SchedulerSnapshot"/>.</summary>
internal sealed record GoroutineSnapshot(long Id, int Status, string WaitReason, long MachineId, long LockedMachineId);
