using System.Diagnostics;
using System.Text.Json;

namespace GoSched.Compare;

/// <summary>Builds perf/go once into a temporary directory and runs its workloads at a given GOMAXPROCS.</summary>
internal sealed class GoRunner : IDisposable
{
    private readonly string _dir;
    private readonly string _exe;

    private GoRunner(string dir, string exe, string version)
    {
        _dir = dir;
        _exe = exe;
        Version = version;
    }

    public string Version { get; }

    /// <summary>Returns null (and why in <paramref name="why"/>) when go is not on the PATH or the build fails.</summary>
    public static GoRunner? TryCreate(out string why)
    {
        string? go = FindOnPath(OperatingSystem.IsWindows() ? "go.exe" : "go");
        if (go is null)
        {
            why = "go is not on the PATH";
            return null;
        }
        string? source = FindSource();
        if (source is null)
        {
            why = "perf/go not found (run from the repository)";
            return null;
        }
        string dir = Directory.CreateTempSubdirectory("gosched-perf-go-").FullName;
        string exe = Path.Combine(dir, OperatingSystem.IsWindows() ? "goperf.exe" : "goperf");
        (int code, string output) = Exec(go, source, ["build", "-o", exe, "."], null, TimeSpan.FromMinutes(3));
        if (code != 0)
        {
            Directory.Delete(dir, recursive: true);
            why = "go build failed: " + output.Trim();
            return null;
        }
        (_, string version) = Exec(go, source, ["version"], null, TimeSpan.FromSeconds(30));
        why = "";
        return new GoRunner(dir, exe, version.Trim());
    }

    /// <summary>Runs one workload; returns its median (or bytes per goroutine for parked-memory).</summary>
    public Outcome Run(string workload, int n, int procs, int runs, TimeSpan timeout)
    {
        (int code, string output) = Exec(_exe, _dir,
            ["-workload", workload, "-n", n.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-runs", runs.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            procs, timeout);
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            return Outcome.Fail(code == -1 ? "timeout" : "no output (exit " + code + ")");
        }
        using var doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        if (!root.GetProperty("ok").GetBoolean())
        {
            return Outcome.Fail($"wrong result {root.GetProperty("result").GetInt64()}, want {root.GetProperty("expected").GetInt64()}");
        }
        if (workload == "parked-memory")
        {
            return new Outcome(root.GetProperty("bytes_per_g").GetDouble(), null, root.GetProperty("rss_per_g").GetDouble());
        }
        return new Outcome(root.GetProperty("median_ns").GetInt64());
    }

    /// <summary>Runs perf/go's timer-accuracy report (timeracc.go) with <paramref name="sleepers"/> sleepers.</summary>
    public TimerAccuracyOutcome RunTimerAccuracy(int sleepers, int procs, TimeSpan warmup, TimeSpan measure)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        (int code, string output) = Exec(_exe, _dir,
            ["-workload", "timer-accuracy", "-n", sleepers.ToString(inv),
             "-warmup-seconds", warmup.TotalSeconds.ToString(inv), "-measure-seconds", measure.TotalSeconds.ToString(inv)],
            procs, warmup + measure + TimeSpan.FromSeconds(60));
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            return new TimerAccuracyOutcome(code == -1 ? "timeout" : "no output (exit " + code + "): " + output.Trim());
        }
        using var doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        return new TimerAccuracyOutcome(null)
        {
            Sleeps = root.GetProperty("sleeps").GetInt64(),
            Seconds = root.GetProperty("seconds").GetDouble(),
            MedianMs = root.GetProperty("median_ms").GetDouble(),
            P90Ms = root.GetProperty("p90_ms").GetDouble(),
            P99Ms = root.GetProperty("p99_ms").GetDouble(),
            MeanMs = root.GetProperty("mean_ms").GetDouble(),
            MaxMs = root.GetProperty("max_ms").GetDouble(),
            MinPerSleeper = root.GetProperty("min_per_sleeper").GetInt64(),
        };
    }

    /// <summary>Go's timer-accuracy numbers (percentiles in ms, -1 past the last bucket), or an error.</summary>
    public sealed record TimerAccuracyOutcome(string? Error)
    {
        public long Sleeps { get; init; }
        public double Seconds { get; init; }
        public double MedianMs { get; init; }
        public double P90Ms { get; init; }
        public double P99Ms { get; init; }
        public double MeanMs { get; init; }
        public double MaxMs { get; init; }
        public long MinPerSleeper { get; init; }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, name)))
            {
                return Path.Combine(dir, name);
            }
        }
        return null;
    }

    private static string? FindSource()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "perf", "go");
                if (File.Exists(Path.Combine(candidate, "main.go")))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static (int Code, string Output) Exec(string file, string workingDir, string[] args, int? procs,
        TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (procs is int p)
        {
            psi.Environment["GOMAXPROCS"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, "");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
