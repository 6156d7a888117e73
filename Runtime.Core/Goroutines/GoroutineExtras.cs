namespace GoSched.Core;

/// <summary>
/// The parts of a goroutine that most goroutines never use, kept out of <see cref="Goroutine"/> so that a parked
/// goroutine stays small. Fields are owned by the goroutine's own code or its M.
/// </summary>
internal sealed class GoroutineExtras
{
    /// <summary>The exception that ended the goroutine (Goexit excluded).</summary>
    internal Exception? Fault;

    /// <summary>The scheduler's per-goroutine bookkeeping (the reusable sleep timer).</summary>
    internal object? SchedulerData;

    /// <summary>Per-goroutine values (<see cref="Goroutine.Locals"/>).</summary>
    internal Dictionary<object, object?>? Locals;

    /// <summary>See <see cref="Goroutine.LockedM"/>.</summary>
    internal object? LockedM;

    /// <summary>See <see cref="Goroutine.LockedExternal"/>.</summary>
    internal int LockedExternal;

    /// <summary>See <see cref="Goroutine.LockedInternal"/>.</summary>
    internal int LockedInternal;

    /// <summary>The goroutine's reusable select (see <see cref="Goroutine.CachedSelect"/>); kept across reuse.</summary>
    internal GoSched.Select? CachedSelect;

    /// <summary>See <see cref="Goroutine.Goexited"/>.</summary>
    internal bool Goexited;

    /// <summary>The body task is watched for completion off the scheduler.</summary>
    internal bool WatchingBody;

    /// <summary>Continuations posted through the goroutine's context; guarded by locking the queue; created by any
    /// thread through LazyInitializer (see GoroutineSynchronizationContext's remarks).</summary>
    internal Queue<(SendOrPostCallback Callback, object? State)>? PostQueue;
}
