using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Channel operations on a possibly-nil channel, with Go's nil-channel semantics: sends and receives on a null
/// channel block forever ("chan send (nil chan)", "chan receive (nil chan)"), non-blocking ones fail, closing one
/// panics "close of nil channel", and its length and capacity are 0. This is the shape a Go-to-C# transpiler emits;
/// code that knows its channel is not nil calls <see cref="Channel{T}"/>'s methods directly.
/// </summary>
public static class Chan
{
    /// <summary>Go's <c>ch &lt;- v</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (blocks forever).</param>
    /// <param name="value">The value.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    public static void Send<T>(Channel<T>? channel, T value, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        if (channel is null)
        {
            BlockForever(WaitReason.ChanSendNilChan, new CallerLocation(member, file, line));
        }
        channel.Send(value, member, file, line);
    }

    /// <summary>Go's <c>ch &lt;- v</c>, awaitable.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never completes).</param>
    /// <param name="value">The value.</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public static SendAwaitable<T> SendAsync<T>(Channel<T>? channel, T value, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => new(channel, value, new CallerLocation(member, file, line));

    /// <summary>Go's <c>v := &lt;-ch</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (blocks forever).</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The value.</returns>
    public static T Receive<T>(Channel<T>? channel, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => ReceiveWithOk(channel, member, file, line).Value;

    /// <summary>Go's <c>v, ok := &lt;-ch</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (blocks forever).</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The value and ok.</returns>
    public static (T Value, bool Ok) ReceiveWithOk<T>(Channel<T>? channel, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
    {
        if (channel is null)
        {
            BlockForever(WaitReason.ChanReceiveNilChan, new CallerLocation(member, file, line));
        }
        return channel.ReceiveWithOk(member, file, line);
    }

    /// <summary>Go's <c>v := &lt;-ch</c>, awaitable.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never completes).</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public static ReceiveAwaitable<T> ReceiveAsync<T>(Channel<T>? channel, [CallerMemberName] string? member = null,
        [CallerFilePath] string? file = null, [CallerLineNumber] int line = 0)
        => new(channel, new CallerLocation(member, file, line));

    /// <summary>Go's <c>v, ok := &lt;-ch</c>, awaitable.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never completes).</param>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The awaitable.</returns>
    public static ReceiveWithOkAwaitable<T> ReceiveWithOkAsync<T>(Channel<T>? channel,
        [CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
        => new(channel, new CallerLocation(member, file, line));

    /// <summary>Non-blocking send; false on a nil channel.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel or null.</param>
    /// <param name="value">The value.</param>
    /// <returns>True when sent.</returns>
    public static bool TrySend<T>(Channel<T>? channel, T value) => channel is not null && channel.TrySend(value);

    /// <summary>Non-blocking receive; false on a nil channel.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel or null.</param>
    /// <param name="value">The value or zero.</param>
    /// <param name="ok">Whether the value came from a send.</param>
    /// <returns>True when the receive proceeded.</returns>
    public static bool TryReceive<T>(Channel<T>? channel, out T value, out bool ok)
    {
        if (channel is null)
        {
            value = default!;
            ok = false;
            return false;
        }
        return channel.TryReceive(out value, out ok);
    }

    /// <summary>Go's <c>close(ch)</c>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel.</param>
    /// <exception cref="RuntimePanicException">"close of nil channel" or "close of closed channel".</exception>
    public static void Close<T>(Channel<T>? channel)
    {
        if (channel is null)
        {
            throw new RuntimePanicException("close of nil channel");
        }
        channel.Close();
    }

    /// <summary>Go's <c>len(ch)</c>: 0 for a nil channel.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel or null.</param>
    /// <returns>The number of buffered elements.</returns>
    public static int Len<T>(Channel<T>? channel) => channel?.Len ?? 0;

    /// <summary>Go's <c>cap(ch)</c>: 0 for a nil channel.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel or null.</param>
    /// <returns>The capacity.</returns>
    public static int Cap<T>(Channel<T>? channel) => channel?.Cap ?? 0;

    /// <summary>Parks the caller forever with <paramref name="reason"/> (Go's <c>gopark(nil, ...)</c>).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void BlockForever(WaitReason reason, in CallerLocation site)
    {
        if (Goroutine.Current is { } g)
        {
            g.PrepareToPark(reason, site);
            g.BlockThread();
        }
        Thread.Sleep(Timeout.Infinite);
        throw new InvalidOperationException("unreachable");
    }
}
