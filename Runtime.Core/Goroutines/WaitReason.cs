namespace GoSched.Core;

/// <summary>
/// Why a goroutine is parked. Values are never reused; the strings are Go's <c>waitReasonStrings</c>.
/// </summary>
public enum WaitReason : byte
{
    /// <summary>No reason (a running or runnable goroutine).</summary>
    Zero = 0,

    /// <summary>"IO wait": the goroutine awaits a .NET task or other work outside the scheduler.</summary>
    IOWait,

    /// <summary>"semacquire".</summary>
    Semacquire,

    /// <summary>"sleep".</summary>
    Sleep,

    /// <summary>"chan receive (nil chan)".</summary>
    ChanReceiveNilChan,

    /// <summary>"chan send (nil chan)".</summary>
    ChanSendNilChan,

    /// <summary>"select (no cases)".</summary>
    SelectNoCases,

    /// <summary>"select".</summary>
    Select,

    /// <summary>"chan receive".</summary>
    ChanReceive,

    /// <summary>"chan send".</summary>
    ChanSend,

    /// <summary>"sync.Cond.Wait".</summary>
    SyncCondWait,

    /// <summary>"sync.Mutex.Lock".</summary>
    SyncMutexLock,

    /// <summary>"sync.RWMutex.RLock".</summary>
    SyncRWMutexRLock,

    /// <summary>"sync.RWMutex.Lock".</summary>
    SyncRWMutexLock,

    /// <summary>"sync.WaitGroup.Wait".</summary>
    SyncWaitGroupWait,

    /// <summary>"preempted".</summary>
    Preempted,

    /// <summary>"finalizer wait".</summary>
    FinalizerWait,

    /// <summary>"trace reader (blocked)".</summary>
    TraceReaderBlocked,
}

/// <summary>Go's strings for <see cref="WaitReason"/>.</summary>
public static class WaitReasonStrings
{
    private static readonly string[] s_strings =
    [
        "", "IO wait", "semacquire", "sleep", "chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
        "select", "chan receive", "chan send", "sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock",
        "sync.RWMutex.Lock", "sync.WaitGroup.Wait", "preempted", "finalizer wait", "trace reader (blocked)",
    ];

    /// <summary>Go's text for a wait reason; "unknown wait reason" beyond the table, as Go.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The text printed in tracebacks and scheddetail.</returns>
    public static string ToGoString(this WaitReason reason)
    {
        int i = (int)reason;
        return (uint)i < (uint)s_strings.Length ? s_strings[i] : "unknown wait reason";
    }
}
