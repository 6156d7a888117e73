using System.Diagnostics;
using System.Globalization;
using System.Text;
using GoSched;
using GoSched.Compare;

// The comparison runner: the same workloads on GoSched (GOMAXPROCS=1 and NumCPU), on the .NET thread pool, and on
// Go (GOMAXPROCS=1 and NumCPU) when go is on the PATH. Prints one table. See perf/README.md.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
bool full = false, noGo = false, goschedOnly = false, timerAccuracy = false;
int sleepers = TimerAccuracy.DefaultSleepers;
var only = new List<string>();
int? runsArg = null;
double? warmupArg = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": full = false; break;
        case "--full": full = true; break;
        case "--no-go": noGo = true; break;
        case "--gosched-only": goschedOnly = true; noGo = true; break;
        case "--timer-accuracy": timerAccuracy = true; break;
        case "--sleepers" when i + 1 < args.Length: sleepers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--workload" when i + 1 < args.Length: only.AddRange(args[++i].Split(',')); break;
        case "--runs" when i + 1 < args.Length: runsArg = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup" when i + 1 < args.Length: warmupArg = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--list":
            foreach (Workload w in Workloads.All)
            {
                Console.WriteLine($"{w.Name,-14} {w.Description}");
            }
            return 0;
        default:
            Console.Error.WriteLine("usage: GoSched.Compare [--quick|--full] [--workload NAME[,NAME]] [--runs N] [--warmup SECONDS] [--no-go] [--list] | --timer-accuracy [--sleepers N] [--warmup SECONDS] [--no-go] [--gosched-only]");
            return 2;
    }
}

if (timerAccuracy)
{
    // A separate report: lateness of 1 ms sleeps under load (see TimerAccuracy.cs), not a row of the table.
    string why = "--no-go";
    using GoRunner? goRunner = noGo ? null : GoRunner.TryCreate(out why);
    return TimerAccuracy.Run(sleepers, TimeSpan.FromSeconds(warmupArg ?? 1.0), TimeSpan.FromSeconds(3), goschedOnly,
        goRunner, why);
}

var unknown = only.Where(name => Workloads.All.All(w => w.Name != name)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine("unknown workload(s): " + string.Join(", ", unknown) + " (see --list)");
    return 2;
}
var selected = Workloads.All.Where(w => only.Count == 0 || only.Contains(w.Name)).ToList();

int ncpu = Runtime.NumCPU();
int runs = runsArg ?? (full ? 5 : 3);
// Tiered compilation promotes a method after 30 calls and a 100 ms delay, then compiles it in the background, and
// loops are promoted by on-stack replacement: one short run measures tier-0 code. 2 s of warm-up per workload and
// implementation reaches tier 1; --quick spends 1 s on the first GoSched and thread-pool run of a workload and
// 0.25 s on the second GoSched run (same code, already promoted).
TimeSpan warmup = TimeSpan.FromSeconds(warmupArg ?? (full ? 2.0 : 1.0));
TimeSpan rewarm = full ? warmup : TimeSpan.FromSeconds(Math.Min(0.25, warmup.TotalSeconds));
TimeSpan timeout = TimeSpan.FromSeconds(full ? 300 : 60);

Console.WriteLine($"GoSched comparison, {(full ? "--full" : "--quick")}: {runs} measured runs per cell (median), warm-up {warmup.TotalSeconds:0.##} s");
Console.WriteLine($".NET {Environment.Version}, {Runtime.Version()}, NumCPU={ncpu}, {Environment.OSVersion}");
if (!full)
{
    Console.WriteLine("--quick scales the counts down (column n; --full runs the issue's counts).");
}

GoRunner? go = null;
string goWhy = "--no-go";
if (!noGo)
{
    go = GoRunner.TryCreate(out goWhy);
}
Console.WriteLine(go is null ? $"Go: not run ({goWhy})" : $"Go: {go.Version}");
Console.WriteLine();

var total = Stopwatch.StartNew();
var rows = new List<(Workload W, int N, Outcome[] Cells)>();
int originalProcs = Runtime.GOMAXPROCS(0);
foreach (Workload w in selected)
{
    int n = full ? w.FullN : w.QuickN;
    long expected = w.Expected(n);
    var cells = new Outcome[5];
    Console.Error.Write($"{w.Name} (n={n:N0}):");

    // 0, 1: GoSched at GOMAXPROCS=1 and NumCPU.
    for (int k = 0; k < 2; k++)
    {
        int procs = k == 0 ? 1 : ncpu;
        if (w.IsMemory ? w.GoSchedParked is null : w.GoSched is null)
        {
            cells[k] = Outcome.Fail("n/a");
            continue;
        }
        Runtime.GOMAXPROCS(procs);
        cells[k] = w.IsMemory
            ? Harness.Memory(w.GoSchedParked!, n, timeout)
            : Harness.Time(m => GoSchedHost.Start(w.GoSched!, m), n, expected, k == 0 ? warmup : rewarm, runs, timeout);
        Console.Error.Write($" gosched/{procs}");
    }
    Runtime.GOMAXPROCS(originalProcs);

    // 2: the thread pool.
    cells[2] = goschedOnly ? Outcome.Fail("n/a") : w.IsMemory
        ? Harness.Memory(w.ThreadPoolParked!, n, timeout)
        : Harness.Time(m => Task.Run(() => w.ThreadPool(m)), n, expected, warmup, runs, timeout);
    Console.Error.Write(" threadpool");

    // 3, 4: Go at GOMAXPROCS=1 and NumCPU.
    for (int k = 0; k < 2; k++)
    {
        int procs = k == 0 ? 1 : ncpu;
        cells[3 + k] = go is null ? Outcome.Fail("n/a") : go.Run(w.Name, n, procs, runs, timeout);
        Console.Error.Write($" go/{procs}");
    }
    Console.Error.WriteLine();
    rows.Add((w, n, cells));
}
go?.Dispose();

PrintTable(rows, ncpu);
Console.WriteLine();
Console.WriteLine("Cells: median wall time of one run, then per operation (parked-memory: managed heap bytes per goroutine;");
Console.WriteLine("Go: runtime Sys bytes per goroutine). Ratios compare GoSched with Go at the same GOMAXPROCS and with the");
Console.WriteLine($"thread pool (GoSched at GOMAXPROCS={ncpu}); below 1 means GoSched is faster or smaller.");
foreach ((Workload w, int n, Outcome[] cells) in rows)
{
    Console.WriteLine($"  {w.Name}: {w.Description}.");
    if (w.Missing is not null)
    {
        Console.WriteLine($"    GoSched n/a: {w.Missing}.");
    }
    if (w.IsMemory)
    {
        Console.WriteLine($"    working-set delta per goroutine: GoSched P=1 {Bytes(cells[0].Secondary)}, P={ncpu} {Bytes(cells[1].Secondary)}, "
            + $"thread pool {Bytes(cells[2].Secondary)}; Go RSS delta {Bytes(cells[3].Secondary)} / {Bytes(cells[4].Secondary)}.");
        Console.WriteLine("    (The .NET working-set deltas understate: the GC keeps the memory of the warm-up run committed and reuses it.)");
    }
    foreach (Outcome c in cells.Where(c => c.Error is not null and not "n/a"))
    {
        Console.WriteLine($"    error: {c.Error}");
    }
}
#if !GOSCHED_SYNC
Console.WriteLine("  GoSched skynet, fib and parked-memory join through a task completed by the last child (awaited through the");
Console.WriteLine("    goroutine's Post) until GoSched channels exist; Go and the thread pool use channels / awaited tasks.");
#endif
Console.WriteLine("  Thread pool: unbuffered channels are BoundedChannelOptions(0) (a rendezvous channel on .NET 10); consumers");
Console.WriteLine("    read with WaitToReadAsync/TryRead; Gosched is Task.Yield; mutex is SemaphoreSlim(1, 1); sleep is Task.Delay(1).");
Console.WriteLine($"  Timings are wall clock on a shared {ncpu}-CPU machine: expect noise of 10-30% between invocations.");
Console.WriteLine($"Total time {total.Elapsed.TotalSeconds:0.0} s.");
return rows.Any(r => r.Cells.Any(c => c.Error is not null and not "n/a")) ? 1 : 0;

static void PrintTable(List<(Workload W, int N, Outcome[] Cells)> rows, int ncpu)
{
    string[] header =
    [
        "workload", "n", "GoSched P=1", $"GoSched P={ncpu}", "thread pool", "Go P=1", $"Go P={ncpu}",
        "GoSched/Go P=1", $"GoSched/Go P={ncpu}", "GoSched/pool",
    ];
    var table = new List<string[]> { header };
    foreach ((Workload w, int n, Outcome[] c) in rows)
    {
        double ops = w.Ops(n);
        var line = new string[header.Length];
        line[0] = w.Name;
        line[1] = n.ToString("N0", CultureInfo.InvariantCulture);
        for (int k = 0; k < 5; k++)
        {
            line[2 + k] = c[k].Error is { } e ? (e == "n/a" ? "n/a" : "error")
                : w.IsMemory ? Bytes(c[k].Ns) + "/g"
                : $"{Duration(c[k].Ns)} {PerOp(c[k].Ns / ops)}";
        }
        line[7] = Ratio(c[0], c[3]);
        line[8] = Ratio(c[1], c[4]);
        line[9] = Ratio(c[1], c[2]);
        table.Add(line);
    }
    int[] widths = Enumerable.Range(0, header.Length).Select(i => table.Max(r => r[i].Length)).ToArray();
    foreach (string[] r in table)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < r.Length; i++)
        {
            sb.Append(i < 2 ? r[i].PadRight(widths[i]) : r[i].PadLeft(widths[i])).Append("  ");
        }
        Console.WriteLine(sb.ToString().TrimEnd());
        if (ReferenceEquals(r, header))
        {
            Console.WriteLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
        }
    }
}

static string Ratio(Outcome a, Outcome b) => a.Ok && b.Ok ? $"{a.Ns / b.Ns:0.00}x" : "n/a";

static string Duration(double ns) => ns switch
{
    >= 1e9 => $"{ns / 1e9:0.00} s",
    >= 1e6 => $"{ns / 1e6:0.0} ms",
    _ => $"{ns / 1e3:0.0} us",
};

static string PerOp(double ns) => ns >= 1e4 ? $"({ns / 1e3:0.0} us/op)" : $"({ns:0} ns/op)";

static string Bytes(double b) => double.IsNaN(b) ? "n/a" : $"{b:0} B";
