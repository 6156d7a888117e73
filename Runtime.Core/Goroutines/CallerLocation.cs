namespace GoSched.Core;

/// <summary>A source location captured with caller-info parameters (free at run time).</summary>
/// <param name="Member">The calling member's name.</param>
/// <param name="File">The calling source file's absolute path.</param>
/// <param name="Line">The calling line.</param>
public readonly record struct CallerLocation(string? Member, string? File, int Line)
{
    /// <summary>True when nothing was captured.</summary>
    public bool IsEmpty => Member is null && File is null;
}
