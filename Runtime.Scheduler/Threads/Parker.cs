using System.Diagnostics;

namespace GoSched.Scheduling;

/// <summary>
/// Parks one OS thread (Go's <c>note</c> / <c>m.park</c>): <see cref="Unpark"/> before <see cref="Park"/> makes the
/// next park return at once, so a wake-up is never lost.
/// </summary>
internal sealed class Parker
{
    private const int Empty = 0;
    private const int Parked = 1;
    private const int Notified = 2;

    private readonly object _gate = new();

    // Interlocked everywhere. Parked is set only under _gate, so an Unpark that sees Parked and then takes _gate
    // cannot pulse before the parker waits (the parker holds _gate from the CAS until Monitor.Wait releases it).
    private int _state;

    /// <summary>Blocks until <see cref="Unpark"/> (or the timeout). Only the owning thread calls it.</summary>
    /// <param name="timeoutMs">Milliseconds to wait at most; -1 for no limit.</param>
    /// <returns>True if woken by <see cref="Unpark"/>; false on timeout.</returns>
    internal bool Park(int timeoutMs = -1)
    {
        if (Interlocked.CompareExchange(ref _state, Empty, Notified) == Notified)
        {
            return true;
        }
        lock (_gate)
        {
            if (Interlocked.CompareExchange(ref _state, Parked, Empty) == Notified)
            {
                Volatile.Write(ref _state, Empty);
                return true;
            }
            // The deadline is kept on the Stopwatch clock: Environment.TickCount64 is a coarse clock on Linux (it can
            // lag by a scheduler tick, 4 ms and more), and a 1 ms park measured with it waits again until it ticks.
            long deadline = timeoutMs < 0 ? long.MaxValue
                : Stopwatch.GetTimestamp() + (timeoutMs * Stopwatch.Frequency / 1000);
            while (true)
            {
                int wait = timeoutMs < 0 ? -1 : RemainingMs(deadline);
                Monitor.Wait(_gate, wait);
                if (Interlocked.CompareExchange(ref _state, Empty, Notified) == Notified)
                {
                    return true;
                }
                if (timeoutMs >= 0 && Stopwatch.GetTimestamp() >= deadline)
                {
                    if (Interlocked.CompareExchange(ref _state, Empty, Parked) == Parked)
                    {
                        return false;
                    }
                    Volatile.Write(ref _state, Empty); // an Unpark raced with the timeout: take it
                    return true;
                }
            }
        }
    }

    // Whole milliseconds until the deadline, rounded up (Monitor.Wait takes milliseconds).
    private static int RemainingMs(long deadline)
    {
        long ticks = deadline - Stopwatch.GetTimestamp();
        long ms = ((ticks * 1000) + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return ticks <= 0 ? 0 : (int)Math.Min(int.MaxValue, ms);
    }

    /// <summary>Wakes the parked thread, or makes its next <see cref="Park"/> return at once. Any thread.</summary>
    internal void Unpark()
    {
        if (Interlocked.Exchange(ref _state, Notified) != Parked)
        {
            return;
        }
        lock (_gate)
        {
            Monitor.Pulse(_gate);
        }
    }
}
