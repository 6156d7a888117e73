using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <content>Receiving (Go's <c>chanrecv</c>).</content>
public sealed partial class Channel<T>
{
    /// <summary>Receives a value, blocking until one is available; the zero value once closed and drained.</summary>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The value.</returns>
    public T Receive([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
        => ReceiveWithOk(member, file, line).Value;

    /// <summary>Receives a value and whether it came from a send (Go's <c>v, ok := &lt;-ch</c>).</summary>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The value, and false when the channel is closed and drained.</returns>
    public (T Value, bool Ok) ReceiveWithOk([CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        OpStatus status = ReceiveCore(block: true, new CallerLocation(member, file, line), out T value, out bool ok,
            out Waiter<T>? w);
        if (status == OpStatus.Parked)
        {
            w!.Block();
            value = w.Value;
            ok = w.Success;
            w.Return();
        }
        return (value, ok);
    }

    /// <summary>Receives a value; the awaitable completes at once when one is available.</summary>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>An awaitable of the value (the zero value once closed and drained).</returns>
    public ReceiveAwaitable<T> ReceiveAsync([CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => new(this, new CallerLocation(member, file, line));

    /// <summary>Receives a value and whether it came from a send.</summary>
    /// <param name="member">Caller info for goroutine dumps (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>An awaitable of (value, ok).</returns>
    public ReceiveWithOkAwaitable<T> ReceiveWithOkAsync([CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => new(this, new CallerLocation(member, file, line));

    /// <summary>Receives without blocking (a select with one receive case and a default).</summary>
    /// <param name="value">The value received, or the zero value.</param>
    /// <returns>True when a value was received or the channel is closed and drained.</returns>
    public bool TryReceive(out T value) => TryReceive(out value, out _);

    /// <summary>Receives without blocking.</summary>
    /// <param name="value">The value received, or the zero value.</param>
    /// <param name="ok">True when the value came from a send; false when closed and drained.</param>
    /// <returns>True when the receive proceeded (a value, or closed and drained).</returns>
    public bool TryReceive(out T value, out bool ok)
        => ReceiveCore(block: false, default, out value, out ok, out _) == OpStatus.Completed;

    /// <summary>
    /// The locked core of a receive. On <see cref="OpStatus.Parked"/> the caller's waiter is on the receive queue
    /// and the caller must park for it exactly once, then read the waiter's value and success.
    /// </summary>
    internal OpStatus ReceiveCore(bool block, in CallerLocation site, out T value, out bool ok, out Waiter<T>? parked)
    {
        parked = null;
        Gate.Enter();
        AssertInvariants();
        if (TryReceiveLocked(out value, out ok, out Waiter? wake))
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
        w.G?.PrepareToPark(WaitReason.ChanReceive, site);
        Timer?.OnReceiverBlocking();
        _receivers.Enqueue(w);
        Gate.Exit();
        parked = w;
        return OpStatus.Parked;
    }

    /// <summary>
    /// Takes from the oldest sender or the buffer; a closed, drained channel yields (zero, false). Under the lock.
    /// </summary>
    private bool TryReceiveLocked(out T value, out bool ok, out Waiter? wake)
    {
        wake = null;
        if (_closed && _count == 0)
        {
            value = default!;
            ok = false;
            return true;
        }
        if (_senders.DequeueClaimed() is { } s)
        {
            var sender = (Waiter<T>)s;
            if (_buffer is null)
            {
                value = sender.Value;
            }
            else
            {
                // The buffer is full: take its head and put the sender's value at its tail (FIFO kept).
                value = BufferTake();
                BufferPut(sender.Value);
            }
            sender.Value = default!;
            sender.Success = true;
            wake = sender;
            ok = true;
            return true;
        }
        if (_count > 0)
        {
            value = BufferTake();
            ok = true;
            return true;
        }
        value = default!;
        ok = false;
        return false;
    }
}
