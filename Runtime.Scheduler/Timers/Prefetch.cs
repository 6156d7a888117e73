using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace GoSched.Scheduling;

/// <summary>
/// Software prefetch of a heap object's first cache line, for loops that are about to touch many objects that are
/// likely out of the cache (running a batch of timers: the timers, then the goroutines they wake). The misses then
/// overlap instead of each stalling the loop in turn.
/// </summary>
/// <remarks>
/// The object's address is read from the reference and handed to the prefetch instruction only; it is never
/// dereferenced. If a garbage collection moves the object in between, the prefetch warms a stale line, which costs
/// nothing but the hint: prefetches never fault. A no-op where the CPU has no prefetch intrinsic in .NET.
/// </remarks>
internal static class Prefetch
{
    /// <summary>Prefetches the first <paramref name="lines"/> 64-byte cache lines of <paramref name="o"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Object(object? o, int lines = 1)
    {
        if (Sse.IsSupported && o is not null)
        {
            byte* start = (byte*)Unsafe.As<object, nint>(ref o);
            for (int i = 0; i < lines; i++)
            {
                Sse.Prefetch0(start + (i * 64));
            }
        }
    }
}
