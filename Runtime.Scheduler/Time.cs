using System.Diagnostics;
using System.Runtime.CompilerServices;
using GoSched.Core;
using GoSched.Scheduling;

namespace GoSched;

/// <summary>
/// Go's <c>time</c> package, the parts that park goroutines: <see cref="Sleep"/>, <see cref="SleepAsync"/>,
/// <see cref="AfterFunc"/>. Timers live in per-P heaps and fire at scheduling points; an idle runtime sleeps
/// until the next timer.
/// </summary>
public static partial class Time
{
    /// <summary>
    /// Go's <c>time.Sleep</c>, blocking form: parks the calling goroutine for at least <paramref name="duration"/>
    /// (its thread blocks and its P runs other goroutines). A duration ≤ 0 returns at once without yielding, as Go.
    /// Outside a goroutine it is <see cref="Thread.Sleep(TimeSpan)"/>.
    /// </summary>
    /// <param name="duration">How long to sleep.</param>
    /// <param name="member">Caller info for tracebacks (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Sleep(TimeSpan duration, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }
        Goroutine? g = Goroutine.Current;
        Machine? m = Machine.Current;
        if (g is null || m is null)
        {
            Thread.Sleep(duration);
            return;
        }
        ArmSleep(g, m, duration, new CallerLocation(member, file, line));
        g.BlockThread();
    }

    /// <summary>
    /// Go's <c>time.Sleep</c>, awaitable form: <c>await Time.SleepAsync(d)</c> parks the goroutine (wait reason
    /// "sleep") for at least <paramref name="duration"/>. A duration ≤ 0 completes at once without yielding.
    /// Allocates nothing after a goroutine's first sleep.
    /// </summary>
    /// <param name="duration">How long to sleep.</param>
    /// <param name="member">Caller info for tracebacks (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public static SleepAwaitable SleepAsync(TimeSpan duration, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0) =>
        new(duration, new CallerLocation(member, file, line));

    /// <summary>
    /// Go's <c>time.AfterFunc</c>: after <paramref name="duration"/>, runs <paramref name="f"/> in a new goroutine.
    /// </summary>
    /// <param name="duration">The delay.</param>
    /// <param name="f">The function, run as a synchronous goroutine.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>A timer whose <see cref="FuncTimer.Stop"/> cancels the call.</returns>
    public static FuncTimer AfterFunc(TimeSpan duration, Action f, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        ArgumentNullException.ThrowIfNull(f);
        var timer = new FuncTimer(Scheduler.Current, f, new CallerLocation(member, file, line));
        timer.Arm(duration);
        return timer;
    }

    /// <summary>Converts a duration to a deadline in Stopwatch ticks, clamped as Go clamps to maxWhen.</summary>
    internal static long Deadline(TimeSpan duration)
    {
        long now = Stopwatch.GetTimestamp();
        if (duration <= TimeSpan.Zero)
        {
            return now;
        }
        double ticks = duration.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    internal static long DurationTicks(TimeSpan duration) =>
        (long)Math.Min(long.MaxValue / 2, duration.Ticks * (double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);

    /// <summary>Records the park and arms the goroutine's reusable sleep timer; <paramref name="m"/> is the M running
    /// <paramref name="g"/>.</summary>
    internal static void ArmSleep(Goroutine g, Machine m, TimeSpan duration, in CallerLocation site)
    {
        var scheduler = (Scheduler)g.Scheduler;
        if (g.SchedulerData is not TimerEntry timer)
        {
            timer = new TimerEntry
            {
                Callback = static (arg, _, _) => ((Goroutine)arg!).Ready(),
                Argument = g,
            };
            g.SchedulerData = timer;
        }
        g.PrepareToPark(WaitReason.Sleep, site);
        scheduler.AddTimer(timer, Deadline(duration), m);
    }
}

/// <summary>The awaitable of <see cref="Time.SleepAsync"/>.</summary>
public readonly struct SleepAwaitable : ICriticalNotifyCompletion
{
    private readonly TimeSpan _duration;
    private readonly CallerLocation _site;

    internal SleepAwaitable(TimeSpan duration, CallerLocation site)
    {
        _duration = duration;
        _site = site;
    }

    /// <summary>Gets the awaiter.</summary>
    /// <returns>This.</returns>
    public SleepAwaitable GetAwaiter() => this;

    /// <summary>True for a duration ≤ 0: Go's Sleep(0) does not yield.</summary>
    public bool IsCompleted => _duration <= TimeSpan.Zero;

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <summary>Parks the goroutine until the sleep ends.</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks the goroutine until the sleep ends.</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation)
    {
        Goroutine? g = Goroutine.Current;
        Machine? m = Machine.Current;
        if (g is null || m is null)
        {
            Task.Delay(_duration).ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
            return;
        }
        g.SetResume(continuation);
        Time.ArmSleep(g, m, _duration, _site);
    }
}

/// <summary>The timer returned by <see cref="Time.AfterFunc"/>.</summary>
public sealed class FuncTimer
{
    private readonly Scheduler _scheduler;
    private readonly TimerEntry _entry;

    internal FuncTimer(Scheduler scheduler, Action f, CallerLocation site)
    {
        _scheduler = scheduler;
        _entry = new TimerEntry
        {
            Callback = static (arg, _, _) =>
            {
                var (s, body, at) = ((Scheduler, Action, CallerLocation))arg!;
                s.Spawn(null, body, at);
            },
            Argument = (scheduler, f, site),
        };
    }

    // Serialises Stop and Reset: the scheduler's ResetTimer is a stop then an add, and two concurrent resets
    // could otherwise both add the entry.
    private readonly Lock _lock = new();

    internal void Arm(TimeSpan duration) => _scheduler.AddTimer(_entry, Time.Deadline(duration));

    /// <summary>Go's <c>Timer.Stop</c>: prevents the call; returns true if it did (false if it already ran or
    /// was stopped).</summary>
    /// <returns>Whether the call was prevented.</returns>
    public bool Stop()
    {
        lock (_lock)
        {
            return _scheduler.StopTimer(_entry);
        }
    }

    /// <summary>Go's <c>Timer.Reset</c>: re-arms the timer; returns true if it was still armed. Safe to call from
    /// several goroutines at once.</summary>
    /// <param name="duration">The new delay.</param>
    /// <returns>Whether the timer had been armed.</returns>
    public bool Reset(TimeSpan duration)
    {
        lock (_lock)
        {
            return _scheduler.ResetTimer(_entry, Time.Deadline(duration));
        }
    }
}
