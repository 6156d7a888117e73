using System.Diagnostics;
using System.Globalization;
using System.Text;
using GoSched.Core;

namespace GoSched.Profiling;

/// <summary>
/// Go's traceback format (traceback.go) for goroutines: <c>goroutine N [status]:</c>, then two lines per frame
/// (<c>pkg.Func(...)</c> and <c>\tfile:line +0xoff</c>), then <c>created by F in goroutine P</c>.
/// </summary>
/// <remarks>
/// A parked async goroutine has no stack to walk (its frames are heap objects), so its trace is the blocking call
/// it is parked in, taken from caller-info parameters. A running goroutine's trace is the stack of the thread
/// that runs it when that is the calling thread, or the exception's stack for a panic.
/// </remarks>
internal static class Traceback
{
    /// <summary>The unrecovered-panic report: <c>panic: V</c>, a blank line, the goroutine's trace.</summary>
    internal static string FormatUnrecoveredPanic(Goroutine g, Exception e)
    {
        var sb = new StringBuilder();
        AppendPanicChain(sb, e);
        sb.Append('\n');
        sb.Append("goroutine ").Append(g.Id.ToString(CultureInfo.InvariantCulture)).Append(" [running]:\n");
        AppendFrames(sb, new StackTrace(e, fNeedFileInfo: true));
        AppendCreatedBy(sb, g);
        return sb.ToString();
    }

    private static void AppendPanicChain(StringBuilder sb, Exception e)
    {
        // Go prints the chain oldest first; a .NET exception chain is newest first through InnerException, and a
        // caught-and-rethrown panic is the nearest thing to Go's "[recovered]" links.
        var chain = new List<Exception>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            chain.Add(x);
        }
        chain.Reverse();
        for (int i = 0; i < chain.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\t');
            }
            string text = PanicException.FormatValue(chain[i]).Replace("\n", "\n\t", StringComparison.Ordinal);
            sb.Append("panic: ").Append(text);
            if (i < chain.Count - 1)
            {
                sb.Append(" [recovered]");
            }
            sb.Append('\n');
        }
    }

    /// <summary>Every goroutine in <paramref name="goroutines"/>, separated by blank lines, as Go's dump.</summary>
    internal static string FormatGoroutines(IReadOnlyList<Goroutine> goroutines, Goroutine? current)
    {
        var sb = new StringBuilder();
        bool first = true;
        if (current is not null)
        {
            AppendCurrent(sb, current);
            first = false;
        }
        foreach (Goroutine g in goroutines)
        {
            if (g == current || g.Status == GoroutineStatus.Dead)
            {
                continue;
            }
            if (!first)
            {
                sb.Append('\n');
            }
            first = false;
            AppendGoroutine(sb, g);
        }
        return sb.ToString();
    }

    /// <summary>The calling goroutine's trace, status <c>running</c>, from the thread's own stack.</summary>
    internal static void AppendCurrent(StringBuilder sb, Goroutine g)
    {
        AppendHeader(sb, g, "running");
        AppendFrames(sb, new StackTrace(2, fNeedFileInfo: true));
        AppendCreatedBy(sb, g);
    }

    /// <summary>One goroutine's header and what is known of its frames.</summary>
    internal static void AppendGoroutine(StringBuilder sb, Goroutine g)
    {
        GoroutineStatus status = g.Status;
        string word = StatusWord(g, status);
        AppendHeader(sb, g, word);
        if (status == GoroutineStatus.Waiting && !g.WaitSite.IsEmpty)
        {
            AppendFrame(sb, g.WaitSite.Member ?? "?", g.WaitSite.File, g.WaitSite.Line, 0);
        }
        else if (status is GoroutineStatus.Running or GoroutineStatus.Syscall)
        {
            sb.Append("\tgoroutine running on other thread; stack unavailable\n");
        }
        AppendCreatedBy(sb, g);
    }

    /// <summary>Go's status word: the wait reason for a waiting goroutine, else the status name.</summary>
    internal static string StatusWord(Goroutine g, GoroutineStatus status) => status switch
    {
        GoroutineStatus.Idle => "idle",
        GoroutineStatus.Runnable => "runnable",
        GoroutineStatus.Running => "running",
        GoroutineStatus.Syscall => "syscall",
        GoroutineStatus.Waiting => g.WaitReason == WaitReason.Zero ? "waiting" : g.WaitReason.ToGoString(),
        GoroutineStatus.Dead => "dead",
        _ => "???",
    };

    private static void AppendHeader(StringBuilder sb, Goroutine g, string status)
    {
        sb.Append("goroutine ").Append(g.Id.ToString(CultureInfo.InvariantCulture)).Append(" [").Append(status);
        if (g.LockedExternal > 0)
        {
            sb.Append(", locked to thread");
        }
        sb.Append("]:\n");
    }

    private static void AppendCreatedBy(StringBuilder sb, Goroutine g)
    {
        if (g.IsMain || g.CreatedAt.IsEmpty)
        {
            return;
        }
        sb.Append("created by ").Append(g.CreatedAt.Member ?? "?");
        if (g.ParentId != 0)
        {
            sb.Append(" in goroutine ").Append(g.ParentId.ToString(CultureInfo.InvariantCulture));
        }
        sb.Append('\n');
        sb.Append('\t').Append(g.CreatedAt.File ?? "?").Append(':')
            .Append(g.CreatedAt.Line.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void AppendFrames(StringBuilder sb, StackTrace trace)
    {
        int shown = 0;
        foreach (StackFrame frame in trace.GetFrames())
        {
            if (frame.GetMethod() is not { } method || IsHidden(method))
            {
                continue;
            }
            string name = FunctionName(method);
            AppendFrame(sb, name, frame.GetFileName(), frame.GetFileLineNumber(), frame.GetILOffset());
            if (++shown == 100)
            {
                sb.Append("...additional frames elided...\n");
                break;
            }
        }
    }

    private static void AppendFrame(StringBuilder sb, string function, string? file, int line, int offset)
    {
        sb.Append(function).Append("(...)\n");
        sb.Append('\t').Append(file ?? "?").Append(':').Append(line.ToString(CultureInfo.InvariantCulture));
        if (offset > 0)
        {
            sb.Append(" +0x").Append(offset.ToString("x", CultureInfo.InvariantCulture));
        }
        sb.Append('\n');
    }

    // Runtime frames are hidden at GOTRACEBACK levels below 2, as Go hides runtime.* frames.
    private static bool IsHidden(System.Reflection.MethodBase method)
    {
        string? ns = method.DeclaringType?.Namespace;
        if (ns == "GoSched" && method.DeclaringType!.Name is "Runtime" or "Go")
        {
            return true; // Runtime.Panic, Runtime.Goexit: Go hides runtime frames at the top of a panic trace
        }
        return ns is not null && (ns.StartsWith("GoSched.Scheduling", StringComparison.Ordinal)
            || ns.StartsWith("GoSched.Core", StringComparison.Ordinal)
            || ns.StartsWith("GoSched.Profiling", StringComparison.Ordinal)
            || ns.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal)
            || ns.StartsWith("System.Threading", StringComparison.Ordinal)
            || ns.StartsWith("System.Runtime.ExceptionServices", StringComparison.Ordinal));
    }

    /// <summary>
    /// A Go-style function name: <c>Namespace.Type.Method</c>, with compiler-generated names folded back
    /// (<c>&lt;Run&gt;d__3.MoveNext</c> → <c>Run</c>; lambdas are numbered from 1 as Go's closures, so
    /// <c>&lt;Main&gt;b__0_0</c> → <c>Main.func1</c>).
    /// </summary>
    internal static string FunctionName(System.Reflection.MethodBase method)
    {
        Type? type = method.DeclaringType;
        string name = method.Name;
        if (type is not null && type.Name.StartsWith('<') && name == "MoveNext")
        {
            name = Unmangle(type.Name);
            type = type.DeclaringType;
        }
        if (type is not null && type.Name.StartsWith("<>c", StringComparison.Ordinal))
        {
            type = type.DeclaringType;
        }
        name = Unmangle(name);
        string prefix = type is null ? "" : (type.FullName ?? type.Name).Replace('+', '.') + ".";
        return prefix + name;
    }

    private static string Unmangle(string name)
    {
        if (!name.StartsWith('<'))
        {
            return name;
        }
        int close = name.LastIndexOf('>');
        if (close < 0)
        {
            return name;
        }
        string outer = name[1..close].Replace("<", "", StringComparison.Ordinal).Replace(">$", "", StringComparison.Ordinal).Replace(">", "", StringComparison.Ordinal);
        string rest = name[(close + 1)..];
        if (rest.StartsWith("b__", StringComparison.Ordinal) || rest.StartsWith("g__", StringComparison.Ordinal))
        {
            int us = rest.LastIndexOf('_');
            string n = us >= 0 && us + 1 < rest.Length ? rest[(us + 1)..] : "0";
            return outer + ".func" + (int.TryParse(n, out int k) ? k + 1 : 1).ToString(CultureInfo.InvariantCulture);
        }
        return outer;
    }
}
