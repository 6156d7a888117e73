using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace GoSched.Benchmarks;

/// <summary>
/// One switcher for every benchmark class: <c>dotnet run -c Release --project perf/GoSched.Benchmarks -- --filter '*'</c>
/// runs the full job (out of process; the generated project may take minutes to build on a busy machine, hence the
/// long build timeout); <c>--ci</c> selects a short in-process job (3 warm-up and 5 measured iterations) that
/// finishes in a few minutes.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
#if DEBUG
        Console.Error.WriteLine("warning: benchmarks built in Debug; numbers are meaningless (use -c Release).");
#endif
        bool ci = args.Contains("--ci");
        string[] rest = args.Where(a => a != "--ci").ToArray();
        IConfig config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
        if (ci)
        {
            config = config.AddJob(Job.ShortRun
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(5)
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("ci"));
        }
        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
