using System.Runtime.InteropServices;

namespace GoSched.Scheduling;

/// <summary>
/// A sleep shorter than <see cref="Thread.Sleep(int)"/>'s millisecond (Go's <c>usleep</c>): the kernel's minimum
/// timer slack makes it tens of microseconds on Linux, which is what Go's runnext-steal pause really lasts too.
/// </summary>
internal static partial class OsSleep
{
    /// <summary>Sleeps about <paramref name="microseconds"/> (at least the OS timer granularity).</summary>
    internal static void Microseconds(uint microseconds)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            _ = USleep(microseconds);
        }
        else
        {
            Thread.Sleep(0);
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
