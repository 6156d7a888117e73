namespace GoSched;

/// <summary>
/// Unwinds a goroutine for <c>Runtime.Goexit</c>. Finally blocks run on the way out; it is not a panic. Code that
/// catches every exception must let this one through (rethrow it), as it would a thread abort.
/// </summary>
public sealed class GoexitException : Exception
{
    internal GoexitException()
        : base("runtime.Goexit")
    {
    }
}
