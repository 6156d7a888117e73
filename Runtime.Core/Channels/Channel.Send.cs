using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <content>Sending (Go's <c>chansend</c>).</content>
public sealed partial class Channel<T>
{
    /// <summary>Sends <paramref name="value"/>, blocking until a receiver takes it (unbuffered) or it is buffered.</summary>
    /// <param name="value">The value.</param>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    public void Send(T value, [CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        OpStatus status = SendCore(value, block: true, new CallerLocation(member, file, line), out Waiter<T>? w);
        if (status == OpStatus.Parked)
        {
            w!.Block();
            bool delivered = w.Success;
            w.Return();
            if (!delivered)
            {
                ThrowSendOnClosed();
            }
        }
        else if (status == OpStatus.Closed)
        {
            ThrowSendOnClosed();
        }
    }

    /// <summary>Sends <paramref name="value"/>; the awaitable completes when the value is delivered or buffered.</summary>
    /// <param name="value">The value.</param>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>An awaitable that panics "send on closed channel" when the channel is or gets closed.</returns>
    public SendAwaitable<T> SendAsync(T value, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => new(this, value, new CallerLocation(member, file, line));

    /// <summary>Sends without blocking (a select with one send case and a default).</summary>
    /// <param name="value">The value.</param>
    /// <returns>True when the value was delivered or buffered.</returns>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    public bool TrySend(T value)
    {
        OpStatus status = SendCore(value, block: false, default, out _);
        if (status == OpStatus.Closed)
        {
            ThrowSendOnClosed();
        }
        return status == OpStatus.Completed;
    }

    /// <summary>
    /// The locked core of a send. On <see cref="OpStatus.Parked"/> the caller's waiter is on the send queue and
    /// the caller must park for it exactly once.
    /// </summary>
    internal OpStatus SendCore(T value, bool block, in CallerLocation site, out Waiter<T>? parked)
    {
        parked = null;
        Gate.Enter();
        AssertInvariants();
        if (_closed)
        {
            Gate.Exit();
            return OpStatus.Closed;
        }
        if (TrySendLocked(value, out Waiter? wake))
        {
            Gate.Exit();
            wake?.Wake();
            return OpStatus.Completed;
        }
        if (!block)
        {
            Gate.Exit();
            return OpStatus.WouldBlock;
        }
        Waiter<T> w = Waiter<T>.Rent();
        w.Value = value;
        w.G?.PrepareToPark(WaitReason.ChanSend, site);
        _senders.Enqueue(w);
        Gate.Exit();
        parked = w;
        return OpStatus.Parked;
    }

    /// <summary>Hands the value to the oldest receiver, or buffers it. Under the lock; the channel is open.</summary>
    private bool TrySendLocked(T value, out Waiter? wake)
    {
        if (_receivers.DequeueClaimed() is { } r)
        {
            var receiver = (Waiter<T>)r;
            receiver.Value = value;
            receiver.Success = true;
            wake = receiver;
            return true;
        }
        wake = null;
        if (_buffer is not null && _count < _buffer.Length)
        {
            BufferPut(value);
            return true;
        }
        return false;
    }
}
