using System.Runtime.CompilerServices;
using GoSched.Core;
using GoSched.Scheduling;

namespace GoSched;

/// <summary>
/// The <c>go</c> statement, and the shape of a Go program. <c>Go.Run(async () =&gt; { ... })</c> starts an async
/// goroutine; <c>Go.Run(() =&gt; { ... })</c> starts a synchronous one (plain blocking code, as a Go-to-C#
/// transpiler emits); <c>Go.Main(...)</c> runs a program's main goroutine and returns when it returns.
/// </summary>
public static class Go
{
    /// <summary>
    /// For embedders: called on the goroutine's thread when an exception escapes a goroutine (an unrecovered
    /// panic). Return true to mark it handled: the goroutine ends and the process goes on. When unset, or when it
    /// returns false, the runtime does what Go does: prints <c>panic: ...</c> and the goroutine's trace to stderr
    /// and exits with status 2.
    /// </summary>
    public static Func<Goroutine, Exception, bool>? UnrecoveredPanicHandler
    {
        get => Scheduler.Default.PanicHandler;
        set => Scheduler.Default.PanicHandler = value;
    }

    /// <summary>
    /// For embedders: when true, a fatal error of a program run by <see cref="Main(Func{Task}, string?, string?, int)"/>
    /// (a deadlock, an unrecovered panic) is thrown from <c>Main</c> as a <see cref="FatalErrorException"/> whose
    /// <see cref="FatalErrorException.Report"/> is the text Go would print, instead of printing it and exiting with
    /// status 2.
    /// </summary>
    public static bool ThrowOnFatalError
    {
        get => Scheduler.Default.ThrowOnFatal;
        set
        {
            Scheduler.Default.ThrowOnFatal = value;
            // Fatal misuse detected inside a goroutine (sync: unlock of unlocked mutex) throws there too; the
            // exception ends the goroutine and reaches Main through the same path as an unrecovered panic.
            RuntimeFatal.ThrowInsteadOfExit = value;
        }
    }

    /// <summary>Starts an async goroutine. The body runs on the scheduler's threads, as continuations.</summary>
    /// <param name="body">The goroutine's body.</param>
    /// <param name="member">Caller info for "created by" lines (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Run(Func<Task> body, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        Scheduler.SpawnOnCurrent(body, null, new CallerLocation(member, file, line));
    }

    /// <summary>
    /// Starts a synchronous goroutine: its body runs on an M's thread, and a blocking call in it parks that thread
    /// while the M's P goes to another M.
    /// </summary>
    /// <param name="body">The goroutine's body.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Run(Action body, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        Scheduler.SpawnOnCurrent(null, body, new CallerLocation(member, file, line));
    }

    /// <summary>Starts an async goroutine with an argument evaluated at the spawn site (no closure needed).</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="body">The goroutine's body.</param>
    /// <param name="arg">The argument, evaluated now.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Run<T>(Func<T, Task> body, T arg, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        Scheduler.SpawnOnCurrent(() => body(arg), null, new CallerLocation(member, file, line));
    }

    /// <summary>Starts a synchronous goroutine with an argument evaluated at the spawn site.</summary>
    /// <typeparam name="T">The argument's type.</typeparam>
    /// <param name="body">The goroutine's body.</param>
    /// <param name="arg">The argument, evaluated now.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Run<T>(Action<T> body, T arg, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        Scheduler.SpawnOnCurrent(null, () => body(arg), new CallerLocation(member, file, line));
    }

    /// <summary>
    /// Runs a Go program: <paramref name="main"/> is the main goroutine (id 1). Returns 0 when it returns, without
    /// waiting for other goroutines, as a Go program exits when main.main returns. An unrecovered panic prints
    /// <c>panic: ...</c> and the goroutine's trace to stderr and exits the process with status 2; a deadlock prints
    /// <c>fatal error: all goroutines are asleep - deadlock!</c> and exits with status 2.
    /// </summary>
    /// <param name="main">The main goroutine's body.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The process exit code, 0.</returns>
    public static int Main(Func<Task> main, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(main);
        Scheduler.Default.RunMain(main, null, new CallerLocation(member, file, line));
        return 0;
    }

    /// <summary>Runs a Go program whose main goroutine is synchronous code. See <see cref="Main(Func{Task}, string?, string?, int)"/>.</summary>
    /// <param name="main">The main goroutine's body.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The process exit code, 0.</returns>
    public static int Main(Action main, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(main);
        Scheduler.Default.RunMain(null, main, new CallerLocation(member, file, line));
        return 0;
    }
}
