using System.Diagnostics;

namespace GoSched.Compare;

/// <summary>
/// <c>--timer-accuracy</c>: how late a 1 ms sleep wakes up under load. 10,000 sleepers (<c>--sleepers N</c>) each sleep 1 ms in a loop;
/// after a warm-up, every sleep's lateness (measured sleep minus 1 ms) goes into a histogram for a fixed window, and
/// the median and 99th percentile are printed. Runs GoSched (<c>Time.SleepAsync</c>, GOMAXPROCS=NumCPU), the
/// thread pool (<c>await Task.Delay(1)</c>) and, when go is installed, Go's <c>time.Sleep</c> (perf/go timeracc.go,
/// the same loop and histogram).
/// </summary>
/// <remarks>
/// Percentiles are taken over completed sleeps, so a sleeper that starves completes few sleeps and weighs little in
/// them; the "min/sleeper" column (fewest sleeps any one sleeper completed in the window) shows such starvation, and
/// sleeps/s against the demand (sleepers × 1000/s) shows whether the machine kept up at all.
/// </remarks>
internal static class TimerAccuracy
{
    public const int DefaultSleepers = 10_000;

    private static readonly TimeSpan Sleep = TimeSpan.FromMilliseconds(1);

    public static int Run(int sleepers, TimeSpan warmup, TimeSpan measure, bool goschedOnly, GoRunner? go, string goWhy)
    {
        int ncpu = Runtime.NumCPU();
        Console.WriteLine($"Timer accuracy: {sleepers:N0} sleepers, 1 ms sleeps in a loop, warm-up {warmup.TotalSeconds:0.##} s, "
            + $"measured {measure.TotalSeconds:0.##} s");
        Console.WriteLine($".NET {Environment.Version}, {Runtime.Version()}, NumCPU={ncpu}, {Environment.OSVersion}");
        Console.WriteLine(go is null ? $"Go: not run ({goWhy})" : $"Go: {go.Version}");
        Console.WriteLine($"Demand: {sleepers * 1000.0:N0} sleeps/s (every sleeper on time)");
        Console.WriteLine();
        Console.WriteLine($"{"implementation",-30} {"sleeps",12} {"sleeps/s",12} {"median late",12} {"p90 late",12} "
            + $"{"p99 late",12} {"mean late",12} {"max late",12} {"min/sleeper",12} {"GCs 0/1/2",10} {"B/sleep",8}");

        Result? gosched = null;
#if GOSCHED_TIMERS
        int original = Runtime.GOMAXPROCS(ncpu);
        gosched = Measure(run => GoSchedHost.Start(n => GoSchedSleepers(run, n), sleepers), warmup, measure);
        Runtime.GOMAXPROCS(original);
        Print($"GoSched SleepAsync P={ncpu}", gosched);
#else
        Console.WriteLine($"{"GoSched SleepAsync",-30} n/a (needs GoSched timers, GOSCHED_TIMERS)");
#endif
        Result? pool = null;
        if (!goschedOnly)
        {
            pool = Measure(run => Task.Run(() => ThreadPoolSleepers(run, sleepers)), warmup, measure);
            Print("thread pool Task.Delay(1)", pool);
        }
        bool goFailed = false;
        if (go is not null)
        {
            GoRunner.TimerAccuracyOutcome o = go.RunTimerAccuracy(sleepers, ncpu, warmup, measure);
            if (o.Error is not null)
            {
                Console.WriteLine($"{$"Go time.Sleep P={ncpu}",-30} error: {o.Error}");
                goFailed = true;
            }
            else
            {
                Console.WriteLine($"{$"Go time.Sleep P={ncpu}",-30} {o.Sleeps,12:N0} {o.Sleeps / o.Seconds,12:N0} {Ms(o.MedianMs),12} "
                    + $"{Ms(o.P90Ms),12} {Ms(o.P99Ms),12} {Ms(o.MeanMs),12} {Ms(o.MaxMs),12} {o.MinPerSleeper,12:N0}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("Lateness = measured sleep (Stopwatch around the await) minus 1 ms, in a histogram of 10 us buckets up to");
        Console.WriteLine("10 ms and 100 us buckets up to 100 ms (values are bucket upper bounds). Every sleeper starts its next sleep");
        Console.WriteLine("as soon as it wakes, so the machine is busy: sleeps/s shows the load each implementation sustained.");
        Console.WriteLine("min/sleeper: the fewest sleeps one sleeper completed in the window (starvation). GCs: collections per");
        Console.WriteLine("generation during the window; B/sleep: bytes allocated per sleep (all threads, harness included).");
        return (gosched?.Timeout ?? false) || (pool?.Timeout ?? false) || goFailed ? 1 : 0;
    }

    private static void Print(string name, Result r)
    {
        if (r.Timeout)
        {
            Console.WriteLine($"{name,-30} timeout");
            return;
        }
        Console.WriteLine($"{name,-30} {r.Count,12:N0} {r.Count / r.Seconds,12:N0} {Ms(r.Histogram.Percentile(0.50)),12} "
            + $"{Ms(r.Histogram.Percentile(0.90)),12} {Ms(r.Histogram.Percentile(0.99)),12} {Ms(r.Histogram.Mean),12} "
            + $"{Ms(r.Histogram.Max),12} {r.MinPerSleeper,12:N0} {$"{r.Gen0}/{r.Gen1}/{r.Gen2}",10} "
            + $"{(r.Count == 0 ? 0 : (double)r.AllocatedBytes / r.Count),8:0.0}");
    }

    // Percentiles past the last bucket are infinite in LatenessHistogram and -1 in Go's JSON.
    private static string Ms(double ms) => double.IsPositiveInfinity(ms) || ms < 0 ? "> 100 ms" : $"{ms:0.000} ms";

    private static Result Measure(Func<RunState, Task<long>> start, TimeSpan warmup, TimeSpan measure)
    {
        FullCollect();
        var run = new RunState();
        Task<long> all = start(run);
        Thread.Sleep(warmup);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        long t0 = Stopwatch.GetTimestamp();
        Volatile.Write(ref run.Phase, RunState.Measuring);
        Thread.Sleep(measure);
        Volatile.Write(ref run.Phase, RunState.Stopping);
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        gen0 = GC.CollectionCount(0) - gen0;
        gen1 = GC.CollectionCount(1) - gen1;
        gen2 = GC.CollectionCount(2) - gen2;
        bool finished = all.Wait(TimeSpan.FromSeconds(60));
        return new Result(run.Histogram, run.Histogram.Count, seconds, !finished, run.MinPerSleeper(), gen0, gen1, gen2,
            allocated);
    }

#if GOSCHED_TIMERS
    private static async Task<long> GoSchedSleepers(RunState run, int sleepers)
    {
        run.SetSleepers(sleepers);
        var join = new Join(sleepers);
        for (int i = 0; i < sleepers; i++)
        {
            int stripe = i;
            Go.Run(async () =>
            {
                while (Volatile.Read(ref run.Phase) != RunState.Stopping)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    await Time.SleepAsync(Sleep);
                    run.Record(stripe, Stopwatch.GetElapsedTime(t0));
                }
                join.Done();
            });
        }
        await join.WaitAsync();
        return 0;
    }
#endif

    private static async Task<long> ThreadPoolSleepers(RunState run, int sleepers)
    {
        run.SetSleepers(sleepers);
        var tasks = new Task[sleepers];
        for (int i = 0; i < sleepers; i++)
        {
            int stripe = i;
            tasks[i] = Task.Run(async () =>
            {
                while (Volatile.Read(ref run.Phase) != RunState.Stopping)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    await Task.Delay(1).ConfigureAwait(false);
                    run.Record(stripe, Stopwatch.GetElapsedTime(t0));
                }
            });
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return 0;
    }

    private static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private sealed record Result(LatenessHistogram Histogram, long Count, double Seconds, bool Timeout, long MinPerSleeper,
        int Gen0, int Gen1, int Gen2, long AllocatedBytes);

    /// <summary>What the sleepers share: the phase (warm-up, measuring, stopping) and the histogram.</summary>
    private sealed class RunState
    {
        public const int WarmingUp = 0;
        public const int Measuring = 1;
        public const int Stopping = 2;

        /// <summary>Written by the driver thread, read by every sleeper after each sleep.</summary>
        public int Phase;

        public LatenessHistogram Histogram { get; } = new();

        // Sleeps completed in the window, per sleeper; each slot is written only by its sleeper and read after all
        // sleepers have finished (the join orders the writes before the read).
        private long[] _perSleeper = [];

        public void SetSleepers(int sleepers) => _perSleeper = new long[sleepers];

        public long MinPerSleeper() => _perSleeper.Length == 0 ? 0 : _perSleeper.Min();

        public void Record(int sleeper, TimeSpan slept)
        {
            if (Volatile.Read(ref Phase) == Measuring)
            {
                Histogram.Add(sleeper, (slept - Sleep).TotalMilliseconds);
                _perSleeper[sleeper]++;
            }
        }
    }
}

/// <summary>
/// A fixed-bucket histogram of lateness in ms: 10 us buckets to 10 ms, 100 us buckets to 100 ms, one overflow
/// bucket. Striped (64 copies, chosen by the sleeper's index) so that 10,000 concurrent sleepers do not all
/// contend on the same counters.
/// </summary>
internal sealed class LatenessHistogram
{
    private const int Stripes = 64;
    private const int Fine = 1_000;   // 10 us each: 0..10 ms
    private const int Coarse = 900;   // 100 us each: 10..100 ms
    private const int Buckets = Fine + Coarse + 1;

    private readonly long[][] _counts = Enumerable.Range(0, Stripes).Select(_ => new long[Buckets]).ToArray();

    // Per stripe, spaced a cache line (8 longs) apart: the sum of the lateness in microseconds.
    private readonly long[] _sumMicros = new long[Stripes * 8];
    private long _maxMicros;

    public long Count => _counts.Sum(stripe => stripe.Sum());

    /// <summary>The mean lateness in ms (exact, not bucketed).</summary>
    public double Mean => Count == 0 ? double.NaN : _sumMicros.Sum() / 1000.0 / Count;

    public double Max => Volatile.Read(ref _maxMicros) / 1000.0;

    public void Add(int sleeper, double lateMs)
    {
        double ms = Math.Max(0, lateMs);
        int bucket = ms < 10 ? (int)(ms * 100) : ms < 100 ? Fine + (int)((ms - 10) * 10) : Buckets - 1;
        Interlocked.Increment(ref _counts[sleeper % Stripes][Math.Min(bucket, Buckets - 1)]);
        long micros = (long)(ms * 1000);
        Interlocked.Add(ref _sumMicros[sleeper % Stripes * 8], micros);
        long seen = Volatile.Read(ref _maxMicros);
        while (micros > seen)
        {
            long was = Interlocked.CompareExchange(ref _maxMicros, micros, seen);
            if (was == seen)
            {
                break;
            }
            seen = was;
        }
    }

    /// <summary>The upper bound (ms) of the bucket holding quantile <paramref name="q"/>; NaN when empty.</summary>
    public double Percentile(double q)
    {
        var merged = new long[Buckets];
        long total = 0;
        foreach (long[] stripe in _counts)
        {
            for (int i = 0; i < Buckets; i++)
            {
                merged[i] += stripe[i];
                total += stripe[i];
            }
        }
        if (total == 0)
        {
            return double.NaN;
        }
        long rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (int i = 0; i < Buckets; i++)
        {
            seen += merged[i];
            if (seen >= rank)
            {
                return i < Fine ? (i + 1) / 100.0 : i < Buckets - 1 ? 10 + ((i - Fine + 1) / 10.0) : double.PositiveInfinity;
            }
        }
        return double.PositiveInfinity;
    }
}
