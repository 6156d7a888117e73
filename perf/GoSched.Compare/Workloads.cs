namespace GoSched.Compare;

/// <summary>One workload: its counts, its expected result, and its implementations.</summary>
/// <param name="Name">The name used by --workload and by the Go binary's -workload flag.</param>
/// <param name="Description">One line for the table's footnotes.</param>
/// <param name="FullN">The count of --full (the count).</param>
/// <param name="QuickN">The count of --quick.</param>
/// <param name="Expected">The result a correct run returns for a count.</param>
/// <param name="Ops">The operations a run performs for a count (for ns/op).</param>
/// <param name="GoSched">The GoSched version, run in a root goroutine; null when it needs types GoSched lacks.</param>
/// <param name="ThreadPool">The .NET thread-pool version.</param>
/// <param name="Missing">Why <paramref name="GoSched"/> is null.</param>
internal sealed record Workload(
    string Name,
    string Description,
    int FullN,
    int QuickN,
    Func<int, long> Expected,
    Func<int, double> Ops,
    Func<int, Task<long>>? GoSched,
    Func<int, Task<long>> ThreadPool,
    string? Missing = null)
{
    /// <summary>For the memory workload: parks n, calls the action to measure, releases, returns the count.</summary>
    public Func<int, Action, Task<long>>? GoSchedParked { get; init; }

    /// <summary>The thread-pool version of <see cref="GoSchedParked"/>.</summary>
    public Func<int, Action, Task<long>>? ThreadPoolParked { get; init; }

    public bool IsMemory => ThreadPoolParked is not null;
}

/// <summary>The workloads, their constants, and the helpers they share.</summary>
internal static class Workloads
{
    public const int GoschedGoroutines = 1000;
    public const int MutexGoroutines = 100;
    public const int RingSize = 503;
    public const int BufferCapacity = 1024;
    public const int SleepsPerGoroutine = 10;

    /// <summary>Calls with n at or above this spawn a goroutine for fib(n-1); below it fib is sequential.</summary>
    public const int FibCutoff = 12;

    private const string NeedsSync = "needs GoSched channels/WaitGroup/Mutex (GOSCHED_SYNC)";
    private const string NeedsTimers = "needs GoSched timers (GOSCHED_TIMERS)";

    public static long FibSeq(int n) => n < 2 ? n : FibSeq(n - 1) + FibSeq(n - 2);

    /// <summary>The goroutines parallel fib starts: one per call with n at or above the cutoff.</summary>
    public static long FibSpawns(int n) => n < FibCutoff ? 0 : 1 + FibSpawns(n - 1) + FibSpawns(n - 2);

    public static long NthPrime(int n)
    {
        int count = 0;
        for (int i = 2; ; i++)
        {
            bool prime = true;
            for (int d = 2; d * d <= i; d++)
            {
                if (i % d == 0)
                {
                    prime = false;
                    break;
                }
            }
            if (prime && ++count == n)
            {
                return i;
            }
        }
    }

    private static long Triangle(int n) => (long)n * (n - 1) / 2;

    public static IReadOnlyList<Workload> All { get; } =
    [
        new("spawn", "spawn and join n goroutines (ns per goroutine)", 1_000_000, 200_000,
            n => n, n => n, GoSchedWorkloads.Spawn, ThreadPoolWorkloads.Spawn),
        new("skynet", "skynet, n leaves, branching 10 (ns per leaf)", 1_000_000, 100_000,
            Triangle, n => n, GoSchedWorkloads.Skynet, ThreadPoolWorkloads.Skynet),
#if GOSCHED_SYNC
        new("pingpong", "unbuffered ping-pong, n round trips (ns per round trip)", 1_000_000, 100_000,
            n => n, n => n, GoSchedWorkloads.PingPong, ThreadPoolWorkloads.PingPong),
        new("buffered-1x1", "capacity 1024, 1 producer, 1 consumer, n values (ns per value)", 10_000_000, 1_000_000,
            Triangle, n => n, GoSchedWorkloads.Buffered1x1, ThreadPoolWorkloads.Buffered1x1),
        new("buffered-4x4", "capacity 1024, 4 producers, 4 consumers, n values (ns per value)", 10_000_000, 1_000_000,
            Triangle, n => n, GoSchedWorkloads.Buffered4x4, ThreadPoolWorkloads.Buffered4x4),
#else
        new("pingpong", "unbuffered ping-pong, n round trips (ns per round trip)", 1_000_000, 100_000,
            n => n, n => n, null, ThreadPoolWorkloads.PingPong, NeedsSync),
        new("buffered-1x1", "capacity 1024, 1 producer, 1 consumer, n values (ns per value)", 10_000_000, 1_000_000,
            Triangle, n => n, null, ThreadPoolWorkloads.Buffered1x1, NeedsSync),
        new("buffered-4x4", "capacity 1024, 4 producers, 4 consumers, n values (ns per value)", 10_000_000, 1_000_000,
            Triangle, n => n, null, ThreadPoolWorkloads.Buffered4x4, NeedsSync),
#endif
        new("gosched", "1000 goroutines, n Gosched calls in all (ns per Gosched)", 1_000_000, 200_000,
            n => n, n => n, GoSchedWorkloads.Gosched, ThreadPoolWorkloads.Yield),
#if GOSCHED_SYNC
        new("sieve", "concurrent prime sieve to the n-th prime (ns per prime)", 3000, 1000,
            NthPrime, n => n, GoSchedWorkloads.Sieve, ThreadPoolWorkloads.Sieve),
        new("ring", "ring of 503 goroutines, n hops (ns per hop)", 10_000_000, 1_000_000,
            n => n % RingSize, n => n, GoSchedWorkloads.Ring, ThreadPoolWorkloads.Ring),
        new("mutex", "100 goroutines, n lock/unlock in all (ns per lock)", 1_000_000, 200_000,
            n => n, n => n, GoSchedWorkloads.Mutex, ThreadPoolWorkloads.Mutex),
#else
        new("sieve", "concurrent prime sieve to the n-th prime (ns per prime)", 3000, 1000,
            NthPrime, n => n, null, ThreadPoolWorkloads.Sieve, NeedsSync),
        new("ring", "ring of 503 goroutines, n hops (ns per hop)", 10_000_000, 1_000_000,
            n => n % RingSize, n => n, null, ThreadPoolWorkloads.Ring, NeedsSync),
        new("mutex", "100 goroutines, n lock/unlock in all (ns per lock)", 1_000_000, 200_000,
            n => n, n => n, null, ThreadPoolWorkloads.Mutex, NeedsSync),
#endif
#if GOSCHED_TIMERS
        new("sleep", "n goroutines each sleep 1 ms ten times (ns per sleep)", 100_000, 10_000,
            n => (long)n * SleepsPerGoroutine, n => (double)n * SleepsPerGoroutine, GoSchedWorkloads.Sleep,
            ThreadPoolWorkloads.Sleep),
#else
        new("sleep", "n goroutines each sleep 1 ms ten times (ns per sleep)", 100_000, 10_000,
            n => (long)n * SleepsPerGoroutine, n => (double)n * SleepsPerGoroutine, null, ThreadPoolWorkloads.Sleep,
            NeedsTimers),
#endif
        new("fib", "parallel fib(n), a goroutine per call with n >= 12 (ns per goroutine)", 32, 27,
            FibSeq, n => FibSpawns(n), GoSchedWorkloads.Fib, ThreadPoolWorkloads.Fib),
        new("parked-memory", "n goroutines parked on a channel: bytes per goroutine after a full GC", 1_000_000, 100_000,
            n => n, n => n, null, ThreadPoolWorkloads.Spawn)
        {
            GoSchedParked = GoSchedWorkloads.ParkedMemory,
            ThreadPoolParked = ThreadPoolWorkloads.ParkedMemory,
        },
    ];
}
