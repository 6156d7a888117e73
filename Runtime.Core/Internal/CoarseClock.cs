namespace GoSched.Core;

/// <summary>
/// A millisecond clock that costs one memory read: sysmon stores <see cref="Environment.TickCount64"/> here on
/// every round (1 to 10 ms apart while any P is busy). Reading a real clock costs 20 to 35 ns on this class of
/// machine, more than the rest of a park; wait timestamps do not need better than sysmon's resolution.
/// </summary>
internal static class CoarseClock
{
    private static long s_nowMs = Environment.TickCount64;

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/> scale), as of sysmon's last round.</summary>
    internal static long NowMs => Volatile.Read(ref s_nowMs);

    /// <summary>Advances the clock (sysmon, and any thread that just woke from a long sleep).</summary>
    internal static void Update() => Volatile.Write(ref s_nowMs, Environment.TickCount64);
}
