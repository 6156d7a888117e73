using System.Runtime.CompilerServices;
using GoSched.Core;
using GoSched.Scheduling;

namespace GoSched;

/// <summary>
/// Go's <c>runtime</c> package: the functions that control goroutines and the scheduler, with Go's names and
/// semantics. Awaitable forms carry the <c>Async</c> suffix; the plain forms block the calling thread (for
/// synchronous goroutines) while its P runs other goroutines.
/// </summary>
public static class Runtime
{
    private static readonly int s_numCpu = Environment.ProcessorCount;

    /// <summary>Go's <c>runtime.Compiler</c>: the toolchain that built the running program.</summary>
    public const string Compiler = "gc";

    /// <summary>Go's <c>runtime.GOOS</c>: the operating system, in Go's spelling ("linux", "windows", "darwin").</summary>
    public static readonly string GOOS = OperatingSystem.IsWindows() ? "windows"
        : OperatingSystem.IsMacOS() ? "darwin"
        : OperatingSystem.IsFreeBSD() ? "freebsd"
        : "linux";

    /// <summary>Go's <c>runtime.GOARCH</c>: the processor architecture, in Go's spelling ("amd64", "arm64").</summary>
    public static readonly string GOARCH = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.Wasm => "wasm",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => "unknown",
    };

    /// <summary>
    /// Go's <c>runtime.Gosched</c> for async goroutines: <c>await Runtime.GoschedAsync()</c> puts the goroutine on
    /// the global run queue and lets others run. Allocates nothing.
    /// </summary>
    /// <returns>An awaitable that yields the processor.</returns>
    public static YieldAwaitable GoschedAsync() => default;

    /// <summary>
    /// Go's <c>runtime.Gosched</c>, blocking form: the goroutine goes to the global run queue and its thread
    /// waits until a P runs it again. Outside a goroutine it yields the thread's time slice.
    /// </summary>
    public static void Gosched()
    {
        Goroutine? g = Goroutine.Current;
        if (g is null || Machine.Current is null)
        {
            Thread.Yield();
            return;
        }
        ((Scheduler)g.Scheduler).YieldCurrentThread(g);
    }

    /// <summary>
    /// Go's <c>runtime.Goexit</c>: ends the calling goroutine after running its finally blocks. It is not a panic
    /// (it is a <see cref="GoexitException"/>, which code that catches everything must rethrow). From the main
    /// goroutine the program goes on until the other goroutines finish, then fails with
    /// <c>fatal error: no goroutines (main called runtime.Goexit) - deadlock!</c>.
    /// </summary>
    /// <exception cref="GoexitException">Always.</exception>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Goexit() => throw new GoexitException();

    /// <summary>
    /// Go's <c>runtime.GOMAXPROCS</c>: sets the number of processors that run goroutines at once and returns the
    /// previous setting. A value below 1 only queries. The change takes effect at once, under load, without losing
    /// or duplicating a goroutine, and without waiting for code that never yields.
    /// </summary>
    /// <param name="n">The new setting, or &lt; 1 to query.</param>
    /// <returns>The previous setting.</returns>
    public static int GOMAXPROCS(int n) => Scheduler.Current.SetMaxProcs(n);

    /// <summary>
    /// Go's <c>runtime.LockOSThread</c>: wires the calling goroutine to its OS thread until a matching number of
    /// <see cref="UnlockOSThread"/> calls. While wired, the goroutine always runs on that thread and no other
    /// goroutine runs there. A goroutine that exits while wired ends the thread.
    /// </summary>
    public static void LockOSThread() => Scheduler.LockOSThread();

    /// <summary>Go's <c>runtime.UnlockOSThread</c>: undoes one <see cref="LockOSThread"/>; a no-op when none.</summary>
    public static void UnlockOSThread() => Scheduler.UnlockOSThread();

    /// <summary>Go's <c>runtime.NumGoroutine</c>: the goroutines that exist now (running, runnable or waiting).</summary>
    /// <returns>The count.</returns>
    public static int NumGoroutine() => (int)Math.Min(int.MaxValue, Scheduler.Current.GoroutineCount);

    /// <summary>Go's <c>runtime.NumCPU</c>: the logical CPUs usable by the process, read once at start.</summary>
    /// <returns>The count.</returns>
    public static int NumCPU() => s_numCpu;

    /// <summary>
    /// Go's <c>runtime.Version</c>: the Go release whose runtime semantics this runtime follows, followed by
    /// this runtime's own version.
    /// </summary>
    /// <returns>For example "go1.25 gosched/0.1.0".</returns>
    public static string Version() => "go1.25 gosched/" + (typeof(Runtime).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>
    /// Go's <c>runtime.GOROOT</c>: the GOROOT environment variable at process start, or "" (as a Go binary built
    /// with -trimpath: there is no Go tree behind this runtime).
    /// </summary>
    /// <returns>The root, or "".</returns>
    public static string GOROOT() => s_goroot;

    private static readonly string s_goroot = Environment.GetEnvironmentVariable("GOROOT") ?? "";

    /// <summary>
    /// The scheduler's cumulative counters (spawns, where goroutines were taken from, steals, parks, yields,
    /// preemptions, retakes, threads): what <c>GODEBUG=schedtrace</c> summarises, as numbers a program can read.
    /// </summary>
    /// <returns>A racy snapshot.</returns>
    public static GoSched.Profiling.SchedStats ReadSchedStats() => Scheduler.Current.ReadStats();

    /// <summary>Go's <c>panic(v)</c>.</summary>
    /// <param name="value">The panic value.</param>
    /// <exception cref="PanicException">Always.</exception>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Panic(object? value) => throw new PanicException(value);
}

/// <summary>The awaitable of <see cref="Runtime.GoschedAsync"/>.</summary>
public readonly struct YieldAwaitable
{
    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public YieldAwaiter GetAwaiter() => default;
}

/// <summary>The awaiter of <see cref="Runtime.GoschedAsync"/>: always suspends; resumes from the global queue.</summary>
public readonly struct YieldAwaiter : ICriticalNotifyCompletion
{
    /// <summary>Always false: Gosched always gives up the processor.</summary>
    public bool IsCompleted => false;

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <summary>Parks the goroutine on the global run queue.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks the goroutine on the global run queue.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation)
    {
        Goroutine? g = Goroutine.Current;
        if (g is null)
        {
            // Not in a goroutine: behave like Task.Yield.
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
            return;
        }
        g.SetResume(continuation);
        g.YieldRequested = true; // the M moves it to Runnable with its ready pending in one CAS
    }
}
