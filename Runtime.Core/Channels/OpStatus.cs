namespace GoSched.Core;

/// <summary>The outcome of a channel operation's locked core.</summary>
internal enum OpStatus
{
    /// <summary>The operation completed without blocking.</summary>
    Completed,

    /// <summary>A send found the channel closed: the caller panics "send on closed channel".</summary>
    Closed,

    /// <summary>The caller's waiter is published: it must park exactly once for it.</summary>
    Parked,

    /// <summary>A non-blocking operation could not proceed.</summary>
    WouldBlock,
}
