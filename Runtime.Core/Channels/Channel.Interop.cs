using System.Threading.Channels;
using GoSched.Core;

namespace GoSched;

/// <content>Adapters to <see cref="System.Threading.Channels"/>.</content>
public sealed partial class Channel<T>
{
    /// <summary>
    /// A <see cref="ChannelReader{T}"/> over this channel, for .NET code that consumes channels. Reads receive
    /// from the Go channel; the end of data is a closed, drained channel.
    /// </summary>
    /// <remarks>
    /// <see cref="ChannelReader{T}.WaitToReadAsync"/> cannot wait for data without taking it from a Go channel
    /// (an unbuffered channel has nowhere to keep it), so the adapter receives one value and keeps it for the next
    /// read: use one adapter per consumer. Cancellation is observed before a receive starts, not while it waits.
    /// </remarks>
    /// <returns>The reader.</returns>
    public ChannelReader<T> AsChannelReader() => new Reader(this);

    /// <summary>
    /// A <see cref="ChannelWriter{T}"/> over this channel. A write is a send; <c>TryComplete</c> closes the channel;
    /// writing to a closed channel fails with <see cref="ChannelClosedException"/> instead of panicking.
    /// </summary>
    /// <remarks><see cref="ChannelWriter{T}.WaitToWriteAsync"/> reports only whether the channel is open: the
    /// write itself may still wait for a receiver.</remarks>
    /// <returns>The writer.</returns>
    public ChannelWriter<T> AsChannelWriter() => new Writer(this);

    private sealed class Reader(Channel<T> channel) : ChannelReader<T>
    {
        private T _stash = default!;
        private bool _hasStash;

        public override bool CanCount => true;

        public override int Count => channel.Len + (_hasStash ? 1 : 0);

        public override bool TryRead(out T item)
        {
            if (_hasStash)
            {
                item = _stash;
                _stash = default!;
                _hasStash = false;
                return true;
            }
            return channel.TryReceive(out item, out bool ok) && ok;
        }

        public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_hasStash)
            {
                return true;
            }
            (T value, bool ok) = await channel.ReceiveWithOkAsync();
            if (!ok)
            {
                return false;
            }
            _stash = value;
            _hasStash = true;
            return true;
        }

        public override async ValueTask<T> ReadAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryRead(out T item))
            {
                return item;
            }
            (T value, bool ok) = await channel.ReceiveWithOkAsync();
            return ok ? value : throw new ChannelClosedException();
        }
    }

    private sealed class Writer(Channel<T> channel) : ChannelWriter<T>
    {
        public override bool TryComplete(Exception? error = null)
        {
            try
            {
                channel.Close();
                return true;
            }
            catch (RuntimePanicException)
            {
                return false; // already closed
            }
        }

        public override bool TryWrite(T item)
        {
            try
            {
                return channel.TrySend(item);
            }
            catch (RuntimePanicException)
            {
                return false;
            }
        }

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default)
            => cancellationToken.IsCancellationRequested
                ? ValueTask.FromCanceled<bool>(cancellationToken)
                : new ValueTask<bool>(!channel.IsClosed);

        public override async ValueTask WriteAsync(T item, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await channel.SendAsync(item);
            }
            catch (RuntimePanicException e)
            {
                throw new ChannelClosedException(e);
            }
        }
    }
}
