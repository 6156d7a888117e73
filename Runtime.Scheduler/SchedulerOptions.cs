using System.Globalization;

namespace GoSched.Scheduling;

/// <summary>Settings of one scheduler instance. The default runtime reads them from the environment.</summary>
internal sealed class SchedulerOptions
{
    /// <summary>GOMAXPROCS at start.</summary>
    internal int MaxProcs { get; set; } = Environment.ProcessorCount;

    /// <summary>Ring size of each P's local run queue (Go: 256). Tests shrink it to reach overflow paths.</summary>
    internal int RunQueueCapacity { get; set; } = LocalRunQueue.DefaultCapacity;

    /// <summary>Randomly demote runnext and shuffle steal order (Go's race-mode <c>randomizeScheduler</c>).</summary>
    internal bool RandomizeScheduling { get; set; }

    /// <summary>Sysmon retakes the P of an M stuck 10 ms in one step (GODEBUG=asyncpreemptoff=1 turns it off).</summary>
    internal bool RetakeLongRunning { get; set; } = true;

    /// <summary>GODEBUG=schedtrace=X: print a scheduler summary every X ms (0: off).</summary>
    internal int SchedTraceMs { get; set; }

    /// <summary>GODEBUG=scheddetail=1.</summary>
    internal bool SchedDetail { get; set; }

    /// <summary>Report "all goroutines are asleep - deadlock!" (on for programs run through Go.Main).</summary>
    internal bool DeadlockDetection { get; set; }

    /// <summary>Reads GOMAXPROCS and GODEBUG as Go does: invalid or non-positive GOMAXPROCS is ignored.</summary>
    internal static SchedulerOptions FromEnvironment()
    {
        var o = new SchedulerOptions();
        string? procs = Environment.GetEnvironmentVariable("GOMAXPROCS");
        if (int.TryParse(procs, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            o.MaxProcs = n;
        }
        GoDebug debug = GoDebug.Parse(Environment.GetEnvironmentVariable("GODEBUG"));
        o.SchedTraceMs = debug.GetInt("schedtrace", 0);
        o.SchedDetail = debug.GetInt("scheddetail", 0) == 1;
        o.RetakeLongRunning = debug.GetInt("asyncpreemptoff", 0) != 1;
        return o;
    }

    internal void Validate()
    {
        if (MaxProcs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxProcs), MaxProcs, "GOMAXPROCS must be at least 1");
        }
        if (RunQueueCapacity < 4 || (RunQueueCapacity & (RunQueueCapacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RunQueueCapacity), RunQueueCapacity,
                "run queue capacity must be a power of two, at least 4");
        }
    }
}

/// <summary>The GODEBUG variable: comma-separated name=value pairs; the last setting of a name wins.</summary>
internal sealed class GoDebug
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    internal static GoDebug Parse(string? text)
    {
        var d = new GoDebug();
        if (string.IsNullOrEmpty(text))
        {
            return d;
        }
        foreach (string part in text.Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                d._values[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }
        return d;
    }

    internal int GetInt(string name, int fallback) =>
        _values.TryGetValue(name, out string? v) && int.TryParse(v, NumberStyles.AllowLeadingSign,
            CultureInfo.InvariantCulture, out int n) ? n : fallback;
}
