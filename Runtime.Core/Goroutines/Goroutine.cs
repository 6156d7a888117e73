using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace GoSched.Core;

/// <summary>
/// A goroutine (Go's <c>g</c>). While an async goroutine runs, its <see cref="GoroutineSynchronizationContext"/> is
/// installed, so an ordinary <c>await</c> on a .NET task inside it resumes it on the scheduler.
/// </summary>
/// <remarks>
/// <para><b>The goroutine state word.</b> <see cref="_state"/> packs the <see cref="GoroutineStatus"/> (low byte)
/// with two flags:</para>
/// <list type="bullet">
/// <item><see cref="ReadyPendingFlag"/>: a waker readied the goroutine's current park. Every park is paired with
/// exactly one ready: a primitive that publishes a waiter makes its goroutine suspend exactly once for it.</item>
/// <item><see cref="PostPendingFlag"/>: a foreign continuation was posted to the post queue.</item>
/// <item>The generation (bits 12 and up): which incarnation of this object the word describes. Goroutine objects
/// are recycled after they exit (Go's <c>gfput</c>/<c>gfget</c>); <see cref="Reinitialize"/> bumps the generation,
/// so a compare-and-swap made on behalf of an earlier incarnation (a late post) fails.</item>
/// </list>
/// <para><b>Parking protocol</b> (Go's <c>gopark</c> with an unlock function). A goroutine parks in two steps. First,
/// while its code still runs, the primitive publishes its waiter (enqueues it on a channel's queue, say) and the
/// awaiter stores the continuation in <see cref="_resume"/>. Second, only after the goroutine's code has returned all
/// the way to the scheduler loop, its M commits the park with a compare-and-swap Running → Waiting. A waker that
/// comes between the two steps finds the goroutine Running and only sets <see cref="ReadyPendingFlag"/>; the M's
/// commit then fails and the M runs the continuation itself. A waker that comes after the commit wins Waiting →
/// Runnable and enqueues the goroutine. Either way exactly one thread runs the goroutine, and never while its
/// previous M is still inside its frames: the compare-and-swap on the state word is the only hand-over point.</para>
/// <para><b>Recycling.</b> A goroutine object that exited cleanly goes to a free list and is reinitialized for a
/// later <c>go</c> statement, with a new <see cref="Id"/>. Code must not keep a <see cref="Goroutine"/> reference
/// past the goroutine's end and expect it to describe the ended goroutine.</para>
/// </remarks>
[DebuggerDisplay("goroutine {Id} [{DebugStatus}]")]
public sealed partial class Goroutine
{
    internal const int StatusMask = 0xFF;
    internal const int ReadyPendingFlag = 0x100;
    internal const int PostPendingFlag = 0x200;
    private const int GenerationShift = 12;
    private const int GenerationMask = ~((1 << GenerationShift) - 1);

    [ThreadStatic]
    private static Goroutine? t_current;

    // ---- Identity: fixed for one incarnation; written only by the spawning thread while it owns the object ------
    // (construction or Reinitialize), published to other threads by the run-queue hand-off.

    /// <summary>The goroutine id: 1 for the main goroutine; never reused.</summary>
    public long Id { get; private set; }

    /// <summary>The id of the goroutine that started this one (0 when started from outside any goroutine).</summary>
    public long ParentId { get; private set; }

    /// <summary>Where the goroutine was started (the <c>go</c> statement), for "created by" lines.</summary>
    public CallerLocation CreatedAt { get; private set; }

    /// <summary>True when the body is synchronous code that runs on, and blocks, an OS thread.</summary>
    public bool IsSynchronous { get; private set; }

    /// <summary>True for the program's main goroutine.</summary>
    public bool IsMain { get; }

    internal readonly IGoroutineScheduler Scheduler;
    // Func<Task> for an async goroutine, Action for a synchronous one (one field: a parked goroutine's bytes count).
    private Delegate _body;

    // The synchronization context of this incarnation (async goroutines only). Written by the spawning thread
    // with the identity; read by the goroutine's M and by its own code.
    private GoroutineSynchronizationContext? _context;


    // ---- The state word: see the remarks. Every write is an Interlocked operation (full fence). ----------------
    private int _state;

    // ---- Owned by the M that runs the goroutine (or by the thread that holds it Runnable) ----------------------

    /// <summary>
    /// The continuation of the current park. Written by the goroutine's own code (an awaiter's
    /// <c>UnsafeOnCompleted</c>) before the park commits; read by the M that consumes <see cref="ReadyPendingFlag"/>.
    /// Published by the release/acquire pair of the state-word compare-and-swap and the run-queue hand-off.
    /// </summary>
    private Action? _resume;

    private Task? _bodyTask;
    private bool _started;

    /// <summary>Set by the goroutine's code to ask its M to put it on the global queue after this step (Gosched).</summary>
    internal bool YieldRequested;

    /// <summary>Set by sysmon when the goroutine's time slice lasted 10 ms: at its next park point it goes to the
    /// global queue instead of continuing (cooperative preemption). Racy by design.</summary>
    internal volatile bool PreemptRequested;

    /// <summary>The exception that ended the goroutine, if any (Goexit excluded).</summary>
    internal Exception? Fault
    {
        get => _extras?.Fault;
        set => Extras.Fault = value;
    }

    /// <summary>True once the goroutine ran <see cref="Runtime"/>'s Goexit (a normal, non-panicking exit).</summary>
    internal bool Goexited
    {
        get => _extras?.Goexited ?? false;
        set
        {
            if (value || _extras is not null)
            {
                Extras.Goexited = value;
            }
        }
    }

    // True once the body finished off the scheduler could be watched (see WatchBodyCompletion); cold.
    private bool WatchingBody
    {
        get => _extras?.WatchingBody ?? false;
        set
        {
            if (value || _extras is not null)
            {
                Extras.WatchingBody = value;
            }
        }
    }

    // ---- Cold state, allocated on first use: most goroutines never need it, and every parked goroutine's bytes
    // count (a million parked goroutines are a workload). Created by the goroutine's own code or its M, except
    // PostQueue, created by LazyInitializer from any thread.
    private GoroutineExtras? _extras;

    private GoroutineExtras Extras => _extras ?? LazyInitializer.EnsureInitialized(ref _extras);

    // ---- Wait information: written by the goroutine before it parks; read racily by dumps and profiles --------

    /// <summary>Why the goroutine is parked (meaningful while <see cref="Status"/> is Waiting).</summary>
    public WaitReason WaitReason { get; internal set; }

    /// <summary>
    /// When the goroutine parked, in milliseconds of <see cref="Environment.TickCount64"/> (0 when not parked).
    /// Read from <see cref="CoarseClock"/> (sysmon's resolution): a precise clock read on every park cost more
    /// than the rest of the park.
    /// </summary>
    public long WaitSince { get; internal set; }

    /// <summary>The source location of the blocking call the goroutine is parked in.</summary>
    public CallerLocation WaitSite { get; internal set; }

    // ---- Thread wiring (LockOSThread); owned by the goroutine's own code and its M -----------------------------

    // The thread-wiring fields live in the cold side object (a parked goroutine's bytes count; most goroutines
    // never lock a thread); reading them on a goroutine that never did costs one null check.

    /// <summary>Go's <c>m.lockedExt</c>: nesting count of user LockOSThread calls.</summary>
    internal int LockedExternal
    {
        get => _extras?.LockedExternal ?? 0;
        set
        {
            if (value != 0 || _extras is not null)
            {
                Extras.LockedExternal = value;
            }
        }
    }

    /// <summary>Go's <c>m.lockedInt</c>: internal wiring (a synchronous goroutine blocked on its thread).</summary>
    internal int LockedInternal
    {
        get => _extras?.LockedInternal ?? 0;
        set
        {
            if (value != 0 || _extras is not null)
            {
                Extras.LockedInternal = value;
            }
        }
    }

    /// <summary>The M this goroutine is wired to (Go's <c>g.lockedm</c>), or null. Set and cleared by the
    /// goroutine's own thread; read by any M that dequeues the goroutine (published by the run-queue hand-off).</summary>
    internal object? LockedM
    {
        get => _extras?.LockedM;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.LockedM = value;
            }
        }
    }


    /// <summary>Intrusive links for the registry of live goroutines; guarded by the registry shard's lock.</summary>
    internal Goroutine? AllPrev, AllNext;

    /// <summary>Opaque slot for the scheduler's per-goroutine bookkeeping (the blocking parker of a thread).</summary>
    internal object? SchedulerData
    {
        get => _extras?.SchedulerData;
        set => Extras.SchedulerData = value;
    }



    internal Goroutine(IGoroutineScheduler scheduler, long id, long parentId, Func<Task>? asyncBody, Action? syncBody,
        CallerLocation createdAt, bool isMain)
    {
        Debug.Assert((asyncBody is null) != (syncBody is null), "exactly one body");
        Scheduler = scheduler;
        Id = id;
        ParentId = parentId;
        _body = (Delegate?)asyncBody ?? syncBody!;
        IsSynchronous = syncBody is not null;
        CreatedAt = createdAt;
        IsMain = isMain;
        _state = (int)GoroutineStatus.Runnable;
        _context = asyncBody is null ? null : new GoroutineSynchronizationContext(this, 0);
    }

    /// <summary>
    /// Go's <c>gfget</c> reuse: turns an exited goroutine object into a new goroutine. Called by the spawning
    /// thread, which owns the object (it came off a free list), before it is queued.
    /// </summary>
    internal void Reinitialize(long id, long parentId, Func<Task>? asyncBody, Action? syncBody, in CallerLocation createdAt)
    {
        Debug.Assert((asyncBody is null) != (syncBody is null), "exactly one body");
        Debug.Assert(Status == GoroutineStatus.Dead && !IsMain, "only an exited goroutine is reused");
        Id = id;
        ParentId = parentId;
        _body = (Delegate?)asyncBody ?? syncBody!;
        IsSynchronous = syncBody is not null;
        CreatedAt = createdAt;
        _started = false;
        YieldRequested = false;
        PreemptRequested = false;
        Goexited = false;
        WaitReason = WaitReason.Zero;
        WaitSince = 0;
        WaitSite = default;
        if (_extras is { } extras)
        {
            extras.Fault = null;
            extras.Locals = null;
        }
        int generation = (Volatile.Read(ref _state) & GenerationMask) + (1 << GenerationShift);
        _context = asyncBody is null ? null : new GoroutineSynchronizationContext(this, generation);
        Volatile.Write(ref _state, generation | (int)GoroutineStatus.Runnable);
    }

    /// <summary>
    /// True when the goroutine ended cleanly and nothing outside the scheduler can still act on this object (no
    /// watcher of a body that finished off-scheduler), so it may go to a free list. Called by its M at exit.
    /// </summary>
    internal bool CanBeRecycled => !IsMain && Fault is null && !WatchingBody;

    /// <summary>True while the state word still describes incarnation <paramref name="generation"/> (alive).</summary>
    internal bool IsIncarnation(int generation)
    {
        int s = Volatile.Read(ref _state);
        return (s & GenerationMask) == generation && (s & StatusMask) != (int)GoroutineStatus.Dead;
    }

    /// <summary>The goroutine running on the calling thread, or null outside any goroutine.</summary>
    public static Goroutine? Current => t_current;

    /// <summary>The current status (a racy snapshot).</summary>
    public GoroutineStatus Status => (GoroutineStatus)(Volatile.Read(ref _state) & StatusMask);

    private string DebugStatus => Status == GoroutineStatus.Waiting ? WaitReason.ToGoString() : Status.ToString();

    /// <summary>
    /// Per-goroutine values that follow the goroutine across awaits and threads (what a transpiler needs for
    /// defer, panic and recover state). Only the goroutine's own code may use it.
    /// </summary>
    public IDictionary<object, object?> Locals => Extras.Locals ??= new Dictionary<object, object?>();

    internal int RawState => Volatile.Read(ref _state);

    // ---- Running -------------------------------------------------------------------------------------------

    /// <summary>Installs <paramref name="g"/> as the current goroutine of this thread; returns the previous one.</summary>
    internal static Goroutine? SetCurrent(Goroutine? g)
    {
        Goroutine? previous = t_current;
        t_current = g;
        return previous;
    }

    /// <summary>Runnable → Running (keeping the flags). Called by the M that dequeued the goroutine.</summary>
    internal void MarkRunning(GoroutineStatus status = GoroutineStatus.Running)
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            Debug.Assert((s & StatusMask) is (int)GoroutineStatus.Runnable or (int)GoroutineStatus.Running
                or (int)GoroutineStatus.Syscall, "MarkRunning from " + (s & StatusMask));
            int prev = Interlocked.CompareExchange(ref _state, (s & ~StatusMask) | (int)status, s);
            if (prev == s)
            {
                return;
            }
            s = prev;
        }
    }

    /// <summary>
    /// Runnable → Running for an async goroutine about to run a step, consuming <see cref="ReadyPendingFlag"/> in
    /// the same compare-and-swap (one interlocked operation per switch instead of two). Returns whether a ready was
    /// pending; pass it to <see cref="RunStep"/>. Called by the M that dequeued the goroutine.
    /// </summary>
    internal bool MarkRunningTakingReady()
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            Debug.Assert((s & StatusMask) is (int)GoroutineStatus.Runnable or (int)GoroutineStatus.Running,
                "MarkRunningTakingReady from " + (s & StatusMask));
            int prev = Interlocked.CompareExchange(ref _state,
                (s & ~(StatusMask | ReadyPendingFlag)) | (int)GoroutineStatus.Running, s);
            if (prev == s)
            {
                return (s & ReadyPendingFlag) != 0;
            }
            s = prev;
        }
    }

    /// <summary>Sets the status while the caller owns the goroutine (Running ↔ Syscall), keeping the flags.</summary>
    internal void SetOwnedStatus(GoroutineStatus status) => MarkRunning(status);

    /// <summary>
    /// Runs the goroutine's async code until it parks, yields, or finishes: the body on the first call, then every
    /// readied continuation and posted foreign continuation. Called only by the M that owns the goroutine, with
    /// <see cref="Current"/> set to it.
    /// </summary>
    /// <param name="readyTaken">True when <see cref="MarkRunningTakingReady"/> consumed a pending ready: the
    /// stored continuation runs first.</param>
    /// <returns>What the M must do with the goroutine next.</returns>
    internal StepResult RunStep(bool readyTaken = false)
    {
        Debug.Assert(t_current == this);
        if (readyTaken)
        {
            if (PreemptRequested)
            {
                // See below: the M puts it on the global queue with the ready pending again (its continuation is
                // still stored).
                PreemptRequested = false;
                return StepResult.Yielded;
            }
            RunResume();
        }
        if (!_started)
        {
            _started = true;
            if (IsSynchronous)
            {
                RunSyncBody();
                return StepResult.Exited;
            }
            StartAsyncBody();
        }

        while (true)
        {
            if (_bodyTask is { IsCompleted: true })
            {
                ObserveBodyCompletion();
                return StepResult.Exited;
            }

            if (YieldRequested)
            {
                YieldRequested = false;
                return StepResult.Yielded;
            }

            int s = Volatile.Read(ref _state);
            if ((s & ReadyPendingFlag) != 0)
            {
                if (PreemptRequested)
                {
                    // A chain of wake-ups has kept this goroutine on the CPU for a whole time slice: go to the
                    // global queue with the ready still pending (Go's gopreempt_m).
                    PreemptRequested = false;
                    return StepResult.Yielded;
                }
                Interlocked.And(ref _state, ~ReadyPendingFlag);
                RunResume();
                continue;
            }

            if ((s & PostPendingFlag) != 0)
            {
                Interlocked.And(ref _state, ~PostPendingFlag);
                RunPosted();
                continue;
            }

            // Commit the park: Running (no flags) → Waiting. Fails only if a waker or a post came in meanwhile.
            int running = s & StatusMask;
            Debug.Assert(running is (int)GoroutineStatus.Running or (int)GoroutineStatus.Syscall);
            if (_resume is null && WaitReason == WaitReason.Zero)
            {
                // Suspended on something that is not ours (an awaited .NET task): it will post back to us.
                WaitReason = WaitReason.IOWait;
                WaitSince = CoarseClock.NowMs;
                WaitSite = default;
                WatchBodyCompletion();
            }
            int generation = s & GenerationMask;
            if (Interlocked.CompareExchange(ref _state, generation | (int)GoroutineStatus.Waiting, generation | running)
                == (generation | running))
            {
                return StepResult.Parked;
            }
        }
    }

    private void RunResume()
    {
        Action? resume = _resume;
        _resume = null;
        if (resume is null)
        {
            RuntimeFatal.Throw("goroutine readied with no continuation");
        }
        ClearWait();
        resume();
    }

    /// <summary>
    /// Code that leaves the scheduler (an <c>await ... ConfigureAwait(false)</c>) may finish the body on a thread
    /// of the .NET thread pool, where no step observes it. Once a goroutine first waits on foreign work, watch its
    /// body task and post a wake-up when it completes outside a step, so that the goroutine still exits.
    /// </summary>
    private void WatchBodyCompletion()
    {
        if (WatchingBody || _bodyTask is null)
        {
            return;
        }
        WatchingBody = true;
        _bodyTask.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(OnBodyCompletedElsewhere);
    }

    private void OnBodyCompletedElsewhere()
    {
        if (t_current != this)
        {
            _context?.Post(static _ => { }, null); // the step that runs the no-op sees the body completed and exits
        }
    }

    private void StartAsyncBody()
    {
        try
        {
            _bodyTask = ((Func<Task>)_body)();
        }
        catch (Exception e)
        {
            _bodyTask = Task.FromException(e);
        }
    }

    private void RunSyncBody()
    {
        try
        {
            ((Action)_body)();
        }
        catch (Exception e)
        {
            RecordExit(e);
        }
    }

    private void ObserveBodyCompletion()
    {
        if (_bodyTask!.IsFaulted)
        {
            Exception e = _bodyTask.Exception!.InnerExceptions.Count == 1
                ? _bodyTask.Exception.InnerException!
                : _bodyTask.Exception;
            RecordExit(e);
        }
        else if (_bodyTask.IsCanceled)
        {
            RecordExit(new TaskCanceledException(_bodyTask));
        }
    }

    private void RecordExit(Exception e)
    {
        if (e is GoexitException)
        {
            Goexited = true;
        }
        else
        {
            Fault = e;
        }
    }

    /// <summary>
    /// Marks the goroutine dead (keeping its generation) and sends continuations still posted to its context to
    /// the thread pool. Called once, by the M that saw it exit.
    /// </summary>
    internal void MarkDead()
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            int prev = Interlocked.CompareExchange(ref _state, (s & GenerationMask) | (int)GoroutineStatus.Dead, s);
            if (prev == s)
            {
                break;
            }
            s = prev;
        }
        _resume = null;
        _bodyTask = null;
        DrainPostedToThreadPool();
    }

    /// <summary>The context installed while this async goroutine runs (null for synchronous goroutines).</summary>
    internal GoroutineSynchronizationContext? Context => _context;

    // ---- Parking and readying --------------------------------------------------------------------------------

    /// <summary>
    /// Records the wait reason and call site of the park that the goroutine is about to make. Called by the
    /// goroutine's own code before it publishes its waiter.
    /// </summary>
    internal void PrepareToPark(WaitReason reason, in CallerLocation site)
    {
        WaitReason = reason;
        WaitSince = CoarseClock.NowMs;
        WaitSite = site;
    }

    /// <summary>
    /// The awaitable that parks the current async goroutine (after <see cref="PrepareToPark"/> and publishing a
    /// waiter). The blocking form is <see cref="BlockThread"/>.
    /// </summary>
    internal ParkAwaitable Park() => new(this);

    /// <summary>
    /// The blocking form of <see cref="Park"/>: blocks the calling thread (which runs this goroutine) until
    /// readied; the thread's P runs other goroutines meanwhile.
    /// </summary>
    internal void BlockThread() => Scheduler.BlockCurrentThread(this);

    /// <summary>Stores the continuation of the current park (an awaiter's <c>UnsafeOnCompleted</c>).</summary>
    internal void SetResume(Action continuation)
    {
        Debug.Assert(t_current == this, "a goroutine can only park itself");
        if (_resume is not null)
        {
            RuntimeFatal.Throw("goroutine parked twice: an awaitable was started and not awaited before another");
        }
        _resume = continuation;
    }

    /// <summary>True while a park's continuation is stored (owner only).</summary>
    internal bool HasResume => _resume is not null;

    /// <summary>Clears the wait information when the goroutine resumes.</summary>
    internal void ClearWait()
    {
        WaitReason = WaitReason.Zero;
        WaitSince = 0;
    }

    /// <summary>
    /// Go's <c>goready</c>: readies the goroutine's current park. Exactly one call per park. Safe from any thread.
    /// </summary>
    /// <param name="fromForeignThread">True when the caller is not running on an M (see
    /// <see cref="IGoroutineScheduler.Enqueue"/>).</param>
    public void Ready(bool fromForeignThread = false)
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            Debug.Assert((s & ReadyPendingFlag) == 0, "double ready");
            int status = s & StatusMask;
            int next = status == (int)GoroutineStatus.Waiting
                ? (s & ~StatusMask) | (int)GoroutineStatus.Runnable | ReadyPendingFlag
                : s | ReadyPendingFlag;
            int prev = Interlocked.CompareExchange(ref _state, next, s);
            if (prev == s)
            {
                if (status == (int)GoroutineStatus.Waiting)
                {
                    Scheduler.Enqueue(this, fromForeignThread);
                }
                return;
            }
            s = prev;
        }
    }

    /// <summary>
    /// For a goroutine that blocks its thread: consumes the ready of the park it is about to make, if it already
    /// came, or moves Running → Waiting. Returns true when the thread must block.
    /// </summary>
    internal bool TryCommitThreadPark()
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            if ((s & ReadyPendingFlag) != 0)
            {
                Interlocked.And(ref _state, ~ReadyPendingFlag);
                return false;
            }
            int status = s & StatusMask;
            int prev = Interlocked.CompareExchange(ref _state, (s & ~StatusMask) | (int)GoroutineStatus.Waiting, s);
            if (prev == s)
            {
                Debug.Assert(status is (int)GoroutineStatus.Running or (int)GoroutineStatus.Syscall);
                return true;
            }
            s = prev;
        }
    }

    /// <summary>Consumes the ready flag after a thread park was woken (the M got the goroutine back).</summary>
    internal void ConsumeThreadReady()
    {
        int old = Interlocked.And(ref _state, ~ReadyPendingFlag);
        Debug.Assert((old & ReadyPendingFlag) != 0, "thread woken without a ready");
    }

    /// <summary>
    /// Puts a Running goroutine back to Runnable (Gosched, preemption). With <paramref name="readyPending"/> its
    /// stored continuation is marked ready in the same compare-and-swap (a yield is a park readied at once).
    /// </summary>
    internal void MarkRunnable(bool readyPending = false)
    {
        int flag = readyPending ? ReadyPendingFlag : 0;
        int s = Volatile.Read(ref _state);
        while (true)
        {
            int prev = Interlocked.CompareExchange(ref _state, (s & ~StatusMask) | (int)GoroutineStatus.Runnable | flag, s);
            if (prev == s)
            {
                return;
            }
            s = prev;
        }
    }

    // ---- Foreign continuations come back to the goroutine (see GoroutineSynchronizationContext) -------------

    /// <summary>
    /// Enqueues a continuation posted through the context of incarnation <paramref name="generation"/>, or returns
    /// false if that incarnation has ended (see GoroutineSynchronizationContext's remarks). Any thread.
    /// </summary>
    internal bool EnqueuePosted(int generation, SendOrPostCallback d, object? state)
    {
        Queue<(SendOrPostCallback Callback, object? State)> q = LazyInitializer.EnsureInitialized(ref Extras.PostQueue);
        lock (q)
        {
            if (!IsIncarnation(generation))
            {
                return false;
            }
            q.Enqueue((d, state));
            return true;
        }
    }

    private void RunPosted()
    {
        Queue<(SendOrPostCallback Callback, object? State)>? q = _extras is { } extras ? Volatile.Read(ref extras.PostQueue) : null;
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
            ClearWait();
            item.Callback(item.State);
        }
    }

    // After the state word says Dead: hands what is still queued to the thread pool (see the context's remarks).
    private void DrainPostedToThreadPool()
    {
        Queue<(SendOrPostCallback Callback, object? State)>? q = _extras is { } extras ? Volatile.Read(ref extras.PostQueue) : null;
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

    /// <summary>
    /// Sets PostPending for a post made through <paramref name="context"/> and enqueues the goroutine if it was
    /// parked; does nothing once the context's incarnation has ended. Any thread.
    /// </summary>
    internal void SignalPosted(GoroutineSynchronizationContext context)
    {
        if (t_current == this && _context == context)
        {
            // The goroutine posts to itself (await Task.Yield()): treat it as Gosched, so that others run first.
            YieldRequested = true;
        }

        int s = Volatile.Read(ref _state);
        while (true)
        {
            int status = s & StatusMask;
            if ((s & GenerationMask) != context.Generation || status == (int)GoroutineStatus.Dead)
            {
                return; // ended: its exit drained the queue (see the context's remarks)
            }
            int next = status == (int)GoroutineStatus.Waiting
                ? (s & ~StatusMask) | (int)GoroutineStatus.Runnable | PostPendingFlag
                : s | PostPendingFlag;
            int prev = Interlocked.CompareExchange(ref _state, next, s);
            if (prev == s)
            {
                if (status == (int)GoroutineStatus.Waiting)
                {
                    Scheduler.Enqueue(this, fromForeignThread: t_current?.Scheduler != Scheduler || t_current is null);
                }
                return;
            }
            s = prev;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"goroutine {Id} [{DebugStatus}]";
}

/// <summary>What an M does with a goroutine after running a step of it.</summary>
internal enum StepResult
{
    /// <summary>The goroutine committed a park (Waiting); a waker will enqueue it.</summary>
    Parked,

    /// <summary>The goroutine asked to go to the global run queue (Gosched).</summary>
    Yielded,

    /// <summary>The goroutine finished.</summary>
    Exited,
}
