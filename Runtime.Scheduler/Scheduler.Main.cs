using GoSched.Core;
using GoSched.Profiling;

namespace GoSched.Scheduling;

internal sealed partial class Scheduler
{
    private readonly ManualResetEventSlim _mainDone = new(false);
    private volatile bool _mainGoexited;
    private volatile FatalErrorException? _fatal;

    /// <summary>Handler for unrecovered panics installed by an embedder; null means print and exit 2.</summary>
    internal Func<Goroutine, Exception, bool>? PanicHandler { get; set; }

    /// <summary>When true, fatal errors of a program run by <see cref="RunMain"/> are thrown to its caller.</summary>
    internal bool ThrowOnFatal { get; set; }

    /// <summary>
    /// Runs a program: the main goroutine (id 1) and everything it starts. Returns when the main goroutine
    /// returns, as a Go program exits when main.main returns, without waiting for other goroutines.
    /// </summary>
    internal void RunMain(Func<Task>? asyncBody, Action? syncBody, in CallerLocation site)
    {
        _options.DeadlockDetection = true;
        SpawnMain(asyncBody, syncBody, site);
        _mainDone.Wait();
        if (_fatal is { } fatal)
        {
            throw fatal;
        }
    }

    private void OnMainExit(Goroutine g)
    {
        if (g.Goexited)
        {
            // main called Goexit: the program goes on until every other goroutine is done (or deadlocked).
            _mainGoexited = true;
            if (GoroutineCount == 0)
            {
                ReportFatal("no goroutines (main called runtime.Goexit) - deadlock!", withGoroutines: false);
            }
            return;
        }
        _mainDone.Set();
    }

    /// <summary>An exception escaped a goroutine: Go prints the panic and the goroutine's trace and exits 2.</summary>
    private void ReportUnrecoveredPanic(Goroutine g, Exception e)
    {
        if (PanicHandler is { } handler && handler(g, e))
        {
            return;
        }
        if (e is FatalErrorException fatalInGoroutine && ThrowOnFatal)
        {
            _fatal = fatalInGoroutine; // a fatal error raised in the goroutine: its report is Go's, keep it
            _mainDone.Set();
            return;
        }
        string report = Traceback.FormatUnrecoveredPanic(g, e);
        if (ThrowOnFatal)
        {
            _fatal = new FatalErrorException(PanicException.FormatValue(e), report);
            _mainDone.Set();
            return;
        }
        Console.Out.Flush();
        Console.Error.Write(report);
        Console.Error.Flush();
        Environment.Exit(2);
    }

    /// <summary>Go's <c>fatal</c> from the scheduler (deadlock and the like).</summary>
    private void ReportFatal(string message, bool withGoroutines)
    {
        if (ThrowOnFatal)
        {
            string text = "fatal error: " + message + "\n";
            if (withGoroutines)
            {
                string dump = DumpAllGoroutines();
                if (dump.Length > 0)
                {
                    text += "\n" + dump;
                }
            }
            _fatal = new FatalErrorException(message, text);
            _mainDone.Set();
            return;
        }
        RuntimeFatal.Fatal(message, withGoroutines);
    }

    /// <summary>Every live goroutine in Go's traceback format, as the deadlock report prints them.</summary>
    internal string DumpAllGoroutines() => Traceback.FormatGoroutines(_registry.Snapshot(), current: null);
}
