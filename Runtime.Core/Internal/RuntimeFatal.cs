using System.Diagnostics.CodeAnalysis;

namespace GoSched.Core;

/// <summary>
/// Go's <c>throw</c> and <c>fatal</c>: an unrecoverable runtime error. By default it prints
/// <c>fatal error: msg</c> and the goroutine dump to stderr and exits with status 2. In embedded mode
/// (<see cref="FatalErrorException"/> handling enabled) it throws instead.
/// </summary>
internal static class RuntimeFatal
{
    /// <summary>Produces the goroutine dump that follows the message (installed by the scheduler).</summary>
    internal static Func<string>? DumpGoroutines;

    /// <summary>When true, fatal errors throw <see cref="FatalErrorException"/> instead of exiting the process.</summary>
    internal static volatile bool ThrowInsteadOfExit;

    /// <summary>Reports a broken runtime invariant (Go's <c>throw</c>).</summary>
    /// <param name="message">What broke.</param>
    [DoesNotReturn]
    internal static void Throw(string message) => Fatal(message, withGoroutines: true);

    /// <summary>Reports a fatal user error (Go's <c>fatal</c>), optionally with every goroutine's trace.</summary>
    /// <param name="message">The message after "fatal error: ".</param>
    /// <param name="withGoroutines">Whether to print the goroutines.</param>
    [DoesNotReturn]
    internal static void Fatal(string message, bool withGoroutines)
    {
        string text = "fatal error: " + message + "\n";
        if (withGoroutines && DumpGoroutines is { } dump)
        {
            string goroutines = dump();
            if (goroutines.Length > 0)
            {
                text += "\n" + goroutines;
            }
        }
        if (ThrowInsteadOfExit)
        {
            throw new FatalErrorException(message, text);
        }
        Console.Out.Flush();
        Console.Error.Write(text);
        Console.Error.Flush();
        Environment.Exit(2);
        throw new InvalidOperationException("unreachable");
    }
}
