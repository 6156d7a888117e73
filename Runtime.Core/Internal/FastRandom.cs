namespace GoSched.Core;

/// <summary>A per-thread xorshift generator (Go's <c>cheaprand</c>): cheap, not cryptographic.</summary>
internal static class FastRandom
{
    [ThreadStatic]
    private static uint t_state;

    /// <summary>A uniformly distributed 32-bit value.</summary>
    internal static uint Next()
    {
        uint x = t_state;
        if (x == 0)
        {
            x = (uint)Environment.CurrentManagedThreadId * 2654435761u ^ (uint)Environment.TickCount | 1;
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t_state = x;
        return x;
    }

    /// <summary>A value in [0, n) (Lemire's multiply-shift, as Go's <c>cheaprandn</c>).</summary>
    internal static uint Next(uint n) => (uint)(((ulong)Next() * n) >> 32);
}
