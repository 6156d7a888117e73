using System.Globalization;

namespace GoSched;

/// <summary>
/// A Go panic: <c>Runtime.Panic(value)</c> throws it, and the runtime's own panics ("send on closed channel",
/// "sync: negative WaitGroup counter") are instances of it. Any other exception that escapes a goroutine is treated
/// as a panic with that exception as its value.
/// </summary>
public class PanicException : Exception
{
    /// <summary>Creates a panic carrying <paramref name="value"/>.</summary>
    /// <param name="value">The panic value, printed as Go prints it.</param>
    public PanicException(object? value)
        : base(FormatValue(value))
    {
        Value = value;
    }

    /// <summary>Creates a panic with a plain-error message.</summary>
    public PanicException()
        : this((object?)"panic")
    {
    }

    /// <summary>Creates a panic with a plain-error message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PanicException(string message, Exception innerException)
        : base(message, innerException)
    {
        Value = message;
    }

    /// <summary>The panic value (what <c>recover()</c> returns in Go).</summary>
    public object? Value { get; }

    /// <summary>Formats a panic value as Go's <c>printpanicval</c> does for the types .NET has.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text that follows <c>panic: </c>.</returns>
    public static string FormatValue(object? value) => value switch
    {
        null => "panic called with nil argument",
        string s => s,
        Exception e => e is PanicException p ? p.Message : e.GetType().FullName + ": " + e.Message,
        bool b => b ? "true" : "false",
        float f => FormatFloat(f),
        double d => FormatFloat(d),
        sbyte or byte or short or ushort or int or uint or long or ulong
            => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => value.ToString() ?? value.GetType().FullName!,
    };

    // Go's runtime print of a float: +1.500000e+000.
    private static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }
        string s = d.ToString("0.000000e+000", CultureInfo.InvariantCulture);
        return d >= 0 || (d == 0 && !double.IsNegative(d)) ? "+" + s : s;
    }
}

/// <summary>Go's <c>plainError</c> panics raised by the runtime itself (printed without "runtime error: ").</summary>
public sealed class RuntimePanicException : PanicException
{
    /// <summary>Creates the runtime panic.</summary>
    /// <param name="message">Go's message, for example "close of closed channel".</param>
    public RuntimePanicException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an empty runtime panic.</summary>
    public RuntimePanicException()
        : base("runtime panic")
    {
    }

    /// <summary>Creates a runtime panic with a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RuntimePanicException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
