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
}
