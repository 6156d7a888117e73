namespace GoSched;

/// <summary>
/// Thrown instead of exiting the process when an embedder asked for it: carries the text Go would have printed
/// (<c>fatal error: ...</c> and the goroutine dump).
/// </summary>
public sealed class FatalErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message after "fatal error: ".</param>
    /// <param name="report">The full report.</param>
    public FatalErrorException(string message, string report)
        : base(message)
    {
        Report = report;
    }

    /// <summary>Creates an empty exception.</summary>
    public FatalErrorException()
        : this("fatal error", "fatal error\n")
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FatalErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Report = "fatal error: " + message + "\n";
    }

    /// <summary>What Go prints to stderr for this error: the message line and the goroutine dump.</summary>
    public string Report { get; } = "";
}
