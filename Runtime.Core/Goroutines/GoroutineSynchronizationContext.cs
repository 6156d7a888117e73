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
/// <para><b>Posted queue.</b> Guarded by locking the queue. A poster enqueues first and then sets the goroutine's
/// PostPending flag by compare-and-swap on the state word, expecting its own generation; the goroutine's M clears
/// the flag and drains the queue. When the goroutine exits, its M marks it dead (a state-word write) and then
/// drains what is left to the thread pool, so a post either lands before the death and is drained by the exit, or
/// sees the death (or a later generation) in its compare-and-swap and drains itself.</para>
/// </remarks>
public sealed class GoroutineSynchronizationContext : SynchronizationContext
{
    private readonly Goroutine _goroutine;
    private readonly int _generation;
    private Queue<(SendOrPostCallback Callback, object? State)>? _posted;

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
        Queue<(SendOrPostCallback, object?)> q = LazyInitializer.EnsureInitialized(ref _posted);
        lock (q)
        {
            q.Enqueue((d, state));
        }
        if (!_goroutine.SignalPosted(this))
        {
            DrainToThreadPool();
        }
    }

    /// <summary>Runs <paramref name="d"/> inline, as the default context does.</summary>
    public override void Send(SendOrPostCallback d, object? state) => d(state);

    /// <summary>Returns this context: a goroutine's context is not copied.</summary>
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs the posted callbacks. Called by the goroutine's M, inside the goroutine.</summary>
    internal void RunPosted(Goroutine g)
    {
        Queue<(SendOrPostCallback Callback, object? State)>? q = Volatile.Read(ref _posted);
        if (q is null)
        {
            return;
        }
        while (true)
        {
            (SendOrPostCallback Callback, object? State) item;
            lock (q)
            {
                if (!q.TryDequeue(out item))
                {
                    return;
                }
            }
            g.ClearWait();
            item.Callback(item.State);
        }
    }

    /// <summary>Hands whatever is still queued to the thread pool (the goroutine has ended).</summary>
    internal void DrainToThreadPool()
    {
        Queue<(SendOrPostCallback Callback, object? State)>? q = Volatile.Read(ref _posted);
        if (q is null)
        {
            return;
        }
        lock (q)
        {
            while (q.TryDequeue(out var item))
            {
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Callback(s.State), item, preferLocal: false);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "goroutine context (" + _goroutine.Id + ")";
}
