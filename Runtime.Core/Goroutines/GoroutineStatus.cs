namespace GoSched.Core;

/// <summary>
/// The status of a goroutine, with Go's numeric values (<c>_Gidle</c> = 0 ... <c>_Gdead</c> = 6), so that
/// scheddetail and tracebacks print the numbers and words that Go prints.
/// </summary>
/// <remarks>
/// Ownership, per state (see "The goroutine state word" in <see cref="Goroutine"/>):
/// <list type="bullet">
/// <item><see cref="Idle"/>: just allocated; only the spawning thread touches the G.</item>
/// <item><see cref="Runnable"/>: on exactly one run queue (a P's ring or runnext, or the global queue), or in
/// hand-off to a locked M. Whoever dequeues it owns it.</item>
/// <item><see cref="Running"/>: owned by exactly one M, which is executing the goroutine's code.</item>
/// <item><see cref="Syscall"/>: owned by its M, which runs it without a P (the P was retaken by sysmon).</item>
/// <item><see cref="Waiting"/>: owned by nobody; the one waker that observes it (through the state word) moves it
/// to <see cref="Runnable"/> and enqueues it.</item>
/// <item><see cref="Dead"/>: finished; never runs again. Ids are never reused.</item>
/// </list>
/// </remarks>
public enum GoroutineStatus
{
    /// <summary>Go's <c>_Gidle</c>: just allocated, not yet started.</summary>
    Idle = 0,

    /// <summary>Go's <c>_Grunnable</c>: on a run queue.</summary>
    Runnable = 1,

    /// <summary>Go's <c>_Grunning</c>: executing on an M.</summary>
    Running = 2,

    /// <summary>Go's <c>_Gsyscall</c>: executing on an M that has no P (blocking code; the P was handed off).</summary>
    Syscall = 3,

    /// <summary>Go's <c>_Gwaiting</c>: parked in the runtime; see <see cref="WaitReason"/>.</summary>
    Waiting = 4,

    /// <summary>Go's <c>_Gdead</c>: finished.</summary>
    Dead = 6,
}
