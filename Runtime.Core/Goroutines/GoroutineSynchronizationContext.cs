namespace GoSched.Core;

/// <summary>
/// The <see cref="SynchronizationContext"/> installed while an async goroutine runs, so that an ordinary
/// <c>await</c> on a .NET task inside a goroutine resumes that goroutine on the scheduler. One per goroutine
/// incarnation.
/// </summary>
/// <remarks>
/// <para>Why not the <see cref="Goroutine"/> itself: goroutine objects are recycled after they exit (Go's
/// <c>gfput</c>/<c>gfget</c>), while a context captured by a fire-and-forget task may post long after its
/// goroutine ended. The context remembers the incarnation (the generation bits of the state word) it belongs to;
/// a post that arrives after that incarnation ended runs on the .NET thread pool instead of inside whichever
/// goroutine reuses the object.</para>
/// <para><b>Posted queue.</b> The queue lives in the goroutine object's cold side object (one per object, not per
/// incarnation: a parked goroutine's bytes count) and is guarded by locking it. A poster checks, under that lock,
/// that the state word still shows its incarnation alive, and only then enqueues; then it sets the PostPending flag
/// by compare-and-swap, expecting its generation; the goroutine's M clears the flag and drains the queue. When the
/// goroutine exits, its M marks it dead (a state-word write) and then drains the queue to the thread pool under the
/// same lock, so a post either enqueues before the death and is drained by the exit, or sees the death (or a later
/// generation) under the lock and runs on the thread pool itself. Nothing of an ended incarnation is ever left in
/// the queue for the next one.</para>
/// </remarks>
public sealed class GoroutineSynchronizationContext : SynchronizationContext
{
    private readonly Goroutine _goroutine;
    private readonly int _generation;

    internal GoroutineSynchronizationContext(Goroutine goroutine, int generation)
    {
        _goroutine = goroutine;
        _generation = generation;
    }

    /// <summary>The goroutine this context resumes, or null once that goroutine has ended.</summary>
    public Goroutine? Goroutine => _goroutine.IsIncarnation(_generation) ? _goroutine : null;

    internal int Generation => _generation;

    /// <summary>Queues <paramref name="d"/> to run in the goroutine (or on the thread pool if it has ended).</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        if (!_goroutine.EnqueuePosted(_generation, d, state))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
            return;
        }
        // If the incarnation ends between the enqueue and this signal, its exit drains the queue (see remarks).
        _goroutine.SignalPosted(this);
    }

    /// <summary>Runs <paramref name="d"/> inline, as the default context does.</summary>
    public override void Send(SendOrPostCallback d, object? state) => d(state);

    /// <summary>Returns this context: a goroutine's context is not copied.</summary>
    public override SynchronizationContext CreateCopy() => this;

    /// <inheritdoc/>
    public override string ToString() => "goroutine context (" + _goroutine.Id + ")";
}
