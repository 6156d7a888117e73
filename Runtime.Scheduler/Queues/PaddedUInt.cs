using System.Runtime.InteropServices;

namespace GoSched.Scheduling;

/// <summary>
/// A 32-bit value alone on its cache line (128 bytes: adjacent-line prefetch pairs lines on x64). Used for the
/// run queue's head and tail, which the owner and the stealers write from different cores.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedUInt
{
    [FieldOffset(64)]
    public uint Value;
}
