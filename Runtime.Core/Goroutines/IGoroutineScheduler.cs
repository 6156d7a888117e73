namespace GoSched.Core;

/// <summary>
/// The scheduling contract that Core's primitives (channels, locks, timers) program against. Runtime.Scheduler
/// implements it; tests may implement a deterministic double. Core never references the scheduler's types.
/// </summary>
internal interface IGoroutineScheduler
{
    /// <summary>
    /// Puts a goroutine that has just become <see cref="GoroutineStatus.Runnable"/> on a run queue: the current
    /// P's runnext when the caller runs on an M that holds a P (Go's <c>goready</c>), else the global queue; then
    /// wakes an idle P if one exists (<c>wakep</c>).
    /// </summary>
    /// <param name="g">A goroutine whose state word the caller has just moved from Waiting to Runnable.</param>
    /// <param name="fromForeignThread">True when the waker is not a goroutine (a .NET thread-pool callback, a
    /// timer thread): the goroutine goes to the global queue, as Go's <c>injectglist</c>.</param>
    void Enqueue(Goroutine g, bool fromForeignThread);

    /// <summary>
    /// Blocks the calling OS thread, which is running <paramref name="g"/>, until <paramref name="g"/> is readied.
    /// The thread's P is handed to another M meanwhile (Go's system-call path), and the thread takes a P again
    /// before it returns.
    /// </summary>
    /// <param name="g">The current goroutine, already registered with whatever will ready it.</param>
    void BlockCurrentThread(Goroutine g);
}
