using System.Diagnostics;

namespace GoSched.Compare;

/// <summary>The outcome of one implementation of one workload.</summary>
/// <param name="Ns">Median wall time of a run in ns (for the memory workload: managed bytes per goroutine).</param>
/// <param name="Error">Why there is no number ("n/a", "timeout", "wrong result"), else null.</param>
/// <param name="Secondary">For the memory workload: resident (working-set) bytes per goroutine.</param>
internal sealed record Outcome(double Ns, string? Error = null, double Secondary = double.NaN)
{
    public bool Ok => Error is null;

    public static Outcome Fail(string error) => new(double.NaN, error);
}

/// <summary>Warm-up, repeated runs, median; every run's result is checked.</summary>
internal static class Harness
{
    public static Outcome Time(Func<int, Task<long>> start, int n, long expected, TimeSpan warmup, int runs,
        TimeSpan timeout)
    {
        try
        {
            // Warm up until tiered compilation has had time to promote the hot methods (at least one run).
            var clock = Stopwatch.StartNew();
            do
            {
                Check(Wait(start(n), timeout), expected);
            }
            while (clock.Elapsed < warmup);

            var samples = new double[runs];
            for (int i = 0; i < runs; i++)
            {
                FullCollect();
                long t0 = Stopwatch.GetTimestamp();
                long result = Wait(start(n), timeout);
                samples[i] = Stopwatch.GetElapsedTime(t0).Ticks * 100.0;
                Check(result, expected);
            }
            Array.Sort(samples);
            return new Outcome(samples[runs / 2]);
        }
        catch (TimeoutException)
        {
            return Outcome.Fail("timeout");
        }
        catch (WrongResultException e)
        {
            return Outcome.Fail(e.Message);
        }
    }

    /// <summary>
    /// Parks n goroutines (or async methods) and reads the managed heap (after a full, compacting collection) and
    /// the working set while they are parked. A first run at the same count warms up the runtime's own tables.
    /// </summary>
    public static Outcome Memory(Func<int, Action, Task<long>> start, int n, TimeSpan timeout)
    {
        try
        {
            Check(Wait(start(n, () => { }), timeout), n);
            FullCollect();
            long heap0 = GC.GetTotalMemory(forceFullCollection: true);
            long ws0 = WorkingSet();
            double perG = double.NaN, wsPerG = double.NaN;
            Action measure = () =>
            {
                Thread.Sleep(100); // let the last goroutines reach their park
                FullCollect();
                long heap1 = GC.GetTotalMemory(forceFullCollection: true);
                long ws1 = WorkingSet();
                perG = (heap1 - heap0) / (double)n;
                wsPerG = (ws1 - ws0) / (double)n;
            };
            Check(Wait(start(n, measure), timeout), n);
            return new Outcome(perG, null, wsPerG);
        }
        catch (TimeoutException)
        {
            return Outcome.Fail("timeout");
        }
        catch (WrongResultException e)
        {
            return Outcome.Fail(e.Message);
        }
    }

    private static long Wait(Task<long> task, TimeSpan timeout)
    {
        if (!task.Wait(timeout))
        {
            throw new TimeoutException();
        }
        return task.Result;
    }

    private static void Check(long result, long expected)
    {
        if (result != expected)
        {
            throw new WrongResultException($"wrong result {result}, want {expected}");
        }
    }

    private static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    private sealed class WrongResultException(string message) : Exception(message);
}
