// ============================================================================================================
// The GoSched scheduler
// ============================================================================================================
//
// Glossary (Go's names in brackets).
//   G  [g]  a goroutine: an async body run as continuations, or a synchronous body run on a thread's stack.
//   M  [m]  a machine: one dedicated OS thread. Ms are created on demand, kept on an idle list, and reused.
//   P  [p]  a processor: the right to run Gs. Exactly GOMAXPROCS Ps exist; each has a local run queue of 256 Gs
//           plus a runnext slot. An M must hold a P to run Gs.
//
// The main loop of an M is Go's schedule(): FindRunnable returns a G (local runnext, local ring, global queue,
// stealing from other Ps, in Go's order, with the 1-in-61 global check for fairness), then Execute runs one step
// of it. For an async G a step is "run continuations until the G parks, yields or finishes"; for a synchronous G
// the step is its whole body, during which the thread may block (see "Blocking a thread" below).
//
// Why continuations and not threads. A parked async G is a heap object (the G, its state machine box and its
// waiter): a million of them cost memory, not threads. Switching Gs is a delegate call on the M's own stack.
//
// ---- Rejected alternatives ----------------------------------------------------------------------------------
// 1. A TaskScheduler or SynchronizationContext per P, letting .NET's await machinery queue continuations. It
//    queues every continuation through a delegate allocation and gives no place to commit a park after the
//    goroutine's frames have unwound (see below): a G could run on two threads at once.
// 2. The .NET thread pool as the set of Ms. Its hill-climbing injects and retires threads on its own schedule,
//    its queues are not Go's (no runnext, no 256-slot rings, no 1-in-61 global check), and GOMAXPROCS could not
//    be honoured.
// 3. One OS thread per goroutine for everything. Correct for synchronous bodies (and used for them while they
//    block), but a million goroutines would be a million threads.
//
// ---- The parking protocol -----------------------------------------------------------------------------------
// See Goroutine's remarks. An awaiter publishes the G's waiter and stores the continuation while the G's code still
// runs; the park is committed by the M's compare-and-swap Running → Waiting only after the step returned to
// Execute. A waker before the commit sets ReadyPending and the M keeps running the G; a waker after it enqueues the
// G. So a G is visible to wakers early but can never be *run* by a second thread before its first M is out of
// its frames (the .NET race where an outer await registers on an already-completed inner task is closed because
// that registration happens inside the step, before the commit).
//
// ---- Spinning handshake (no lost wake-ups) -------------------------------------------------------------------
// A submitter (Ready, spawn) first publishes the G on a queue, then calls WakeProcessor, which returns at once if
// an M is spinning (nmspinning != 0) or if no P is idle. A spinning M that finds nothing decrements nmspinning
// with an Interlocked operation (a full fence) and then re-checks every P's run queue and the global queue.
// Dekker's argument: the submitter's queue write and nmspinning read, and the spinner's nmspinning write and queue
// read, are each separated by a full fence (Interlocked), so at least one of them sees the other: either the
// submitter sees a spinner that will find the G, or the spinner sees the G and takes an idle P back.
//
// ---- Deferred wake-ups ---------------------------------------------------------------------------------------
// Go wakes an idle P (wakep) on every ready. When an async goroutine readies another into its P's empty runnext
// slot, this scheduler does not: the readier almost always parks soon after (a channel ping-pong, a hand-off
// through a mutex or a WaitGroup), and then its own M runs the readied goroutine at once. Waking a second M there
// costs a futex wake per ready and lets an idle M steal the pair apart, which made a ping-pong slower on two Ps
// than on one. The P records WakeDeferred instead. The step's end clears it (the M itself runs what it readied);
// if the step keeps running, sysmon sees the flag in the same step at two ticks in a row and wakes a P, so a
// readied goroutine waits at most two sysmon periods (1 to 10 ms each) for an idle P while its readier computes.
// A ready that leaves two or more goroutines queued (it kicks a runnext occupant to the ring) still wakes at once,
// and so does every ready made by a synchronous goroutine, whose step is its whole life. (Tokio's LIFO slot follows the same rule.)
//
// ---- Releasing a P -------------------------------------------------------------------------------------------
// An M with nothing to run puts its P on the idle list (npidle++, Interlocked) and then re-checks the global queue.
// A foreign thread that enqueues on the global queue reads npidle after a full fence. Either the foreign thread
// sees the idle P and starts an M for it, or the releasing M sees the G and takes a P back.
//
// ---- Retaking a P (sysmon) -----------------------------------------------------------------------------------
// .NET cannot preempt code that does not return, so sysmon does what Go does for system calls: every P carries an
// owner state word. The M sets it to InGoroutine before it enters goroutine code and leaves that state by CAS;
// every runtime call from goroutine code that needs the P (spawn, ready) takes it back to InScheduler by CAS for
// the duration of the call. Sysmon retakes a P whose M has stayed inside one step for 10 ms by CAS
// InGoroutine → Retaken and hands the P to another M. The old M finds out at its next CAS and continues without a
// P (its G shows as [syscall]); when the step ends it takes an idle P if there is one, else it parks.
//
// ---- Blocking a thread ---------------------------------------------------------------------------------------
// A blocking-form call (Receive instead of ReceiveAsync, a synchronous body's Gosched) wires the G to its M (Go's
// lockedInt), commits the park, hands the P off (handoffp) and parks the thread. When the G is readied it goes
// through the run queues like any G; the M that dequeues it sees that it is wired to another M and hands that M its
// own P (Go's startlockedm), then parks itself. LockOSThread uses exactly the same wiring.
// ============================================================================================================

using System.Diagnostics;
using GoSched.Core;

namespace GoSched.Scheduling;

/// <summary>
/// The M:N work-stealing scheduler. One instance is the process's runtime (<see cref="Default"/>); tests may create
/// others with their own options.
/// </summary>
internal sealed partial class Scheduler : IGoroutineScheduler
{
    private static Scheduler? s_default;
    private static readonly Lock s_defaultLock = new();

    // ---- Guarded by _lock (Go's sched.lock) ---------------------------------------------------------------
    private readonly Lock _lock = new();
    private Processor? _idlePs;      // idle P list (Go's sched.pidle)
    private Machine? _idleMs;        // idle M list (Go's sched.midle)
    private int _nmidle;             // idle Ms
    private int _nmidlelocked;       // Ms parked in a blocking call of their locked G
    private int _mcount;             // all Ms ever started and not exited, sysmon included
    private int _nmsys;              // system Ms (sysmon)
    private long _nextMachineId;
    private Machine? _allm;          // newest first

    // ---- Atomics -------------------------------------------------------------------------------------------

    /// <summary>Idle Ps (Go's npidle). Written under _lock with Interlocked; read lock-free.</summary>
    private int _npidle;

    /// <summary>Spinning Ms (Go's nmspinning). Interlocked; see "Spinning handshake".</summary>
    private int _nmspinning;

    /// <summary>All Ps ever created, indexed by id; replaced (never mutated in place) under _lock.</summary>
    private volatile Processor[] _allp = [];

    /// <summary>GOMAXPROCS. Written under _lock; read lock-free.</summary>
    private volatile int _gomaxprocs;

    /// <summary>The global goroutine id counter (ids are handed to Ps in batches of 16).</summary>
    private long _goidGen = 1;

    private readonly GlobalRunQueue _global = new();
    private readonly GoroutineRegistry _registry = new();
    private readonly SchedulerOptions _options;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();

    internal Scheduler(SchedulerOptions options)
    {
        _options = options;
        _options.Validate();
        lock (_lock)
        {
            Resize(options.MaxProcs);
        }
        StartSysmon();
    }

    /// <summary>The process's runtime, created on first use from the environment (GOMAXPROCS, GODEBUG).</summary>
    internal static Scheduler Default
    {
        get
        {
            Scheduler? s = Volatile.Read(ref s_default);
            if (s is not null)
            {
                return s;
            }
            lock (s_defaultLock)
            {
                if (s_default is null)
                {
                    var created = new Scheduler(SchedulerOptions.FromEnvironment());
                    RuntimeFatal.DumpGoroutines = created.DumpAllGoroutines;
                    Volatile.Write(ref s_default, created);
                }
                return s_default!;
            }
        }
    }

    /// <summary>The scheduler running the current goroutine, else <see cref="Default"/>.</summary>
    internal static Scheduler Current => Machine.Current?.Scheduler ?? Default;

    internal SchedulerOptions Options => _options;

    internal int GOMAXPROCSValue => _gomaxprocs;

    internal int IdleProcessorCount => Volatile.Read(ref _npidle);

    internal int SpinningMachineCount => Volatile.Read(ref _nmspinning);

    internal GlobalRunQueue GlobalQueue => _global;

    internal GoroutineRegistry Registry => _registry;

    internal Processor[] AllProcessors => _allp;

    internal long StartTimestamp => _startTimestamp;

}
