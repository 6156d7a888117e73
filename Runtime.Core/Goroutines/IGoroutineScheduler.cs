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

    /// <summary>
    /// Go's <c>goyield</c>: puts <paramref name="g"/>, the goroutine running on the calling thread, at the tail of
    /// its P's local run queue (not the global queue, as Gosched does) and lets the P run what is ahead of it, in
    /// particular the goroutine that the caller has just readied into runnext. The calling thread blocks until a P
    /// runs <paramref name="g"/> again (a goroutine cannot give up its processor in the middle of synchronous code
    /// otherwise). Returns at once when the P has nothing else to run, or when the caller holds no P.
    /// </summary>
    /// <param name="g">The current goroutine; it must not have a park in progress.</param>
    void YieldToLocalTail(Goroutine g);

    /// <summary>
    /// Go's <c>sync_runtime_canSpin</c>: whether a goroutine that finds a sync primitive locked may busy-wait for
    /// one more round (<paramref name="iteration"/> rounds done so far) instead of parking.
    /// </summary>
    /// <param name="iteration">The rounds already spun (0 for the first).</param>
    /// <returns>True if <paramref name="iteration"/> is below 4 (Go's <c>active_spin</c>), the machine has more than
    /// one CPU, some other P is running (GOMAXPROCS exceeds idle Ps plus spinning Ms plus one) and the caller's P
    /// has nothing in its local run queue.</returns>
    bool CanSpin(int iteration);
}
