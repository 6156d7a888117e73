using System.Diagnostics;

namespace GoSched.Scheduling;

/// <summary>
/// A runtime timer (Go's <c>timer</c>): fires <see cref="Callback"/> at <see cref="When"/> (a
/// <see cref="Stopwatch"/> timestamp), then again every <see cref="Period"/> ticks if that is positive.
/// </summary>
/// <remarks>
/// Ownership: while <see cref="Heap"/> is non-null the timer sits in that heap under the id <see cref="HeapId"/>, and
/// <see cref="When"/>, <see cref="HeapId"/> and <see cref="Heap"/> are guarded by the heap's lock. Callers
/// change a timer only through <see cref="Scheduler.AddTimer"/>, <see cref="Scheduler.StopTimer"/> and
/// <see cref="Scheduler.ResetTimer"/>, which take that lock.
/// </remarks>
internal sealed class TimerEntry
{
    /// <summary>Called when the timer fires, with <see cref="Argument"/>, the scheduled time, and the sequence
    /// number that was current when the timer was armed (so that a stale firing can be recognised).</summary>
    internal Action<object?, long, int>? Callback;

    /// <summary>The callback's argument.</summary>
    internal object? Argument;

    /// <summary>When to fire next (Stopwatch ticks); guarded by the heap's lock while in a heap.</summary>
    internal long When;

    /// <summary>Period in Stopwatch ticks, or 0 for a one-shot timer.</summary>
    internal long Period;

    /// <summary>The heap holding the timer, or null; guarded by that heap's lock.</summary>
    internal TimerHeap? Heap;

    /// <summary>The timer's id in <see cref="Heap"/> (the key of its position table), or -1; guarded by the heap's
    /// lock.</summary>
    internal int HeapId = -1;

    /// <summary>Bumped by every Stop and Reset (Go 1.23's timer sequence): firings armed earlier are stale.</summary>
    internal int Sequence;
}
