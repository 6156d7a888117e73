using System.ComponentModel;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// The awaitable of <see cref="Channel{T}.ReceiveAsync"/>: completes without suspending when a value is ready;
/// otherwise parks the goroutine (no allocation). Await it exactly once, directly.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public struct ReceiveAwaitable<T> : ICriticalNotifyCompletion
{
    private ReceiveOperation<T> _op;

    internal ReceiveAwaitable(Channel<T>? channel, CallerLocation site) => _op = new ReceiveOperation<T>(channel, site);

    /// <summary>Returns this awaitable.</summary>
    /// <returns>This.</returns>
    public readonly ReceiveAwaitable<T> GetAwaiter() => this;

    /// <summary>Attempts the receive; when it must wait, publishes the waiter and returns false.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsCompleted => _op.TryComplete();

    /// <summary>Registers the continuation (same as <see cref="UnsafeOnCompleted"/>).</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks until a value arrives.</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void UnsafeOnCompleted(Action continuation) => AwaitableHelpers.Suspend(_op.Waiter, continuation);

    /// <summary>The value received (the zero value once closed and drained).</summary>
    /// <returns>The value.</returns>
    public readonly T GetResult() => _op.Result().Value;
}

/// <summary>The awaitable of <see cref="Channel{T}.ReceiveWithOkAsync"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
public struct ReceiveWithOkAwaitable<T> : ICriticalNotifyCompletion
{
    private ReceiveOperation<T> _op;

    internal ReceiveWithOkAwaitable(Channel<T>? channel, CallerLocation site)
        => _op = new ReceiveOperation<T>(channel, site);

    /// <summary>Returns this awaitable.</summary>
    /// <returns>This.</returns>
    public readonly ReceiveWithOkAwaitable<T> GetAwaiter() => this;

    /// <summary>Attempts the receive; when it must wait, publishes the waiter and returns false.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsCompleted => _op.TryComplete();

    /// <summary>Registers the continuation (same as <see cref="UnsafeOnCompleted"/>).</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks until a value arrives or the channel closes.</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void UnsafeOnCompleted(Action continuation) => AwaitableHelpers.Suspend(_op.Waiter, continuation);

    /// <summary>The value and whether it came from a send.</summary>
    /// <returns>(value, ok).</returns>
    public readonly (T Value, bool Ok) GetResult() => _op.Result();
}

/// <summary>The state shared by the two receive awaitables.</summary>
internal struct ReceiveOperation<T>
{
    private readonly Channel<T>? _channel;
    private readonly CallerLocation _site;
    private T _value;
    private bool _ok;

    internal ReceiveOperation(Channel<T>? channel, CallerLocation site)
    {
        _channel = channel;
        _site = site;
        _value = default!;
    }

    /// <summary>The published waiter, when the receive had to wait.</summary>
    internal Waiter<T>? Waiter { get; private set; }

    internal bool TryComplete()
    {
        if (_channel is null)
        {
            Goroutine.Current?.PrepareToPark(WaitReason.ChanReceiveNilChan, _site);
            return false;
        }
        OpStatus status = _channel.ReceiveCore(block: true, _site, out _value, out _ok, out Waiter<T>? w);
        Waiter = w;
        return status != OpStatus.Parked;
    }

    internal readonly (T Value, bool Ok) Result()
    {
        if (Waiter is { } w)
        {
            (T, bool) result = (w.Value, w.Success);
            w.Return();
            return result;
        }
        return (_value, _ok);
    }
}

/// <summary>Shared suspension logic of the struct awaitables.</summary>
internal static class AwaitableHelpers
{
    /// <summary>
    /// Suspends on a published waiter, or, without one (a nil channel), parks the goroutine forever; a caller
    /// outside any goroutine awaiting a nil channel is simply never resumed.
    /// </summary>
    internal static void Suspend(Waiter? waiter, Action continuation)
    {
        if (waiter is not null)
        {
            waiter.OnCompleted(continuation);
        }
        else
        {
            Goroutine.Current?.SetResume(continuation);
        }
    }
}
