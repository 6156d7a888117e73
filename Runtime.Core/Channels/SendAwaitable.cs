using System.ComponentModel;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// The awaitable of <see cref="Channel{T}.SendAsync"/>: completes without suspending when a receiver waits or the
/// buffer has room; otherwise parks the goroutine (no allocation) or, outside any goroutine, resumes on the thread
/// pool. Await it exactly once, directly.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public struct SendAwaitable<T> : ICriticalNotifyCompletion
{
    private readonly Channel<T>? _channel;
    private readonly T _value;
    private readonly CallerLocation _site;
    private Waiter<T>? _waiter;
    private bool _closed;

    internal SendAwaitable(Channel<T>? channel, T value, CallerLocation site)
    {
        _channel = channel;
        _value = value;
        _site = site;
    }

    /// <summary>Returns this awaitable.</summary>
    /// <returns>This.</returns>
    public readonly SendAwaitable<T> GetAwaiter() => this;

    /// <summary>Attempts the send; when it must wait, publishes the waiter and returns false.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsCompleted
    {
        get
        {
            if (_channel is null)
            {
                Goroutine.Current?.PrepareToPark(WaitReason.ChanSendNilChan, _site);
                return false;
            }
            OpStatus status = _channel.SendCore(_value, block: true, _site, out _waiter);
            _closed = status == OpStatus.Closed;
            return status != OpStatus.Parked;
        }
    }

    /// <summary>Registers the continuation (same as <see cref="UnsafeOnCompleted"/>).</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks until the send completes.</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void UnsafeOnCompleted(Action continuation) => AwaitableHelpers.Suspend(_waiter, continuation);

    /// <summary>Ends the send.</summary>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    public readonly void GetResult()
    {
        bool closed = _closed;
        if (_waiter is { } w)
        {
            closed = !w.Success;
            w.Return();
        }
        if (closed)
        {
            Channel<T>.ThrowSendOnClosed();
        }
    }
}
