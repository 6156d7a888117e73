using System.Diagnostics;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// A Go channel (<c>chan T</c>, Go's <c>hchan</c>): unbuffered (capacity 0, a true rendezvous) or buffered (a FIFO
/// ring of the given capacity). Every operation works from goroutines (async and synchronous ones) and from plain
/// .NET threads.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para><b>Invariants</b> (checked by <see cref="AssertInvariants"/> at the start of every locked region):</para>
/// <list type="number">
/// <item>At most one of the two wait queues is non-empty.</item>
/// <item>Receivers wait only when the buffer is empty; senders wait only when the buffer is full.</item>
/// <item>A closed channel has no waiting senders or receivers.</item>
/// </list>
/// <para><b>Nil channels.</b> A .NET reference cannot be used to call a method when it is null, so Go's nil channel
/// is expressed with the static helpers of <see cref="Chan"/>, which take a possibly-null <c>Channel&lt;T&gt;?</c>:
/// <c>Chan.Send(null, v)</c> blocks forever ("chan send (nil chan)"), <c>Chan.Close(null)</c> panics "close of nil
/// channel", and <see cref="Select"/> ignores cases on a null channel.</para>
/// <para><b>Blocking and async forms.</b> <c>SendAsync</c>/<c>ReceiveAsync</c> return struct awaitables that do not
/// allocate in a goroutine and complete without suspending when the operation can proceed. <c>Send</c>/<c>Receive</c>
/// block the calling thread; in a goroutine that thread's P runs other goroutines meanwhile. Each awaitable must be
/// awaited exactly once, directly.</para>
/// </remarks>
[DebuggerDisplay("chan {typeof(T).Name} len={Len} cap={Cap} closed={_closed}")]
public sealed partial class Channel<T> : ChannelBase
{
    // ---- Immutable -------------------------------------------------------------------------------------------

    /// <summary>The ring buffer (null for an unbuffered channel).</summary>
    private readonly T[]? _buffer;

    /// <summary>
    /// The timer that feeds this channel (Go's <c>hchan.timer</c>), or null for an ordinary channel. A timer channel
    /// has a one-slot buffer but presents itself as unbuffered (<see cref="Len"/> and <see cref="Cap"/> are 0), as
    /// Go 1.23's are. Set by the constructor, before the channel is published.
    /// </summary>
    internal readonly IChannelTimer? Timer;

    // ---- Guarded by Gate -------------------------------------------------------------------------------------

    /// <summary>Index of the oldest buffered element (Go's <c>recvx</c>).</summary>
    private int _head;

    /// <summary>Number of buffered elements (Go's <c>qcount</c>); read racily by <see cref="Len"/>.</summary>
    private int _count;

    /// <summary>Set once by <see cref="Close"/>; read racily by the lock-free fast paths.</summary>
    private volatile bool _closed;

    /// <summary>Blocked receivers (Go's <c>recvq</c>).</summary>
    private readonly WaitQueue _receivers = new();

    /// <summary>Blocked senders (Go's <c>sendq</c>).</summary>
    private readonly WaitQueue _senders = new();

    /// <summary>Creates a channel (Go's <c>make(chan T, capacity)</c>).</summary>
    /// <param name="capacity">The buffer size; 0 (the default) for an unbuffered channel.</param>
    /// <exception cref="RuntimePanicException">"makechan: size out of range" when negative.</exception>
    public Channel(int capacity = 0)
    {
        if (capacity < 0)
        {
            throw new RuntimePanicException("makechan: size out of range");
        }
        _buffer = capacity == 0 ? null : new T[capacity];
    }

    /// <summary>
    /// Creates the channel of a runtime timer: one slot, so that a firing never blocks the thread running timers,
    /// reported as unbuffered (Go 1.23's synchronous timer channels).
    /// </summary>
    /// <param name="timer">The timer that sends on the channel; held strongly by the channel.</param>
    internal Channel(IChannelTimer timer)
    {
        _buffer = new T[1];
        Timer = timer;
    }

    /// <summary>The number of buffered elements (Go's <c>len(ch)</c>); always 0 for a timer channel
    /// (<c>Time.Timer.C</c>, <c>Time.Ticker.C</c>), as in Go 1.23.</summary>
    public int Len => Timer is null ? Volatile.Read(ref _count) : 0;

    /// <summary>The buffer capacity (Go's <c>cap(ch)</c>); always 0 for a timer channel, as in Go 1.23.</summary>
    public int Cap => Timer is null ? BufferCapacity : 0;

    /// <summary>The real size of the buffer (1 for a timer channel, whose <see cref="Cap"/> reports 0).</summary>
    private int BufferCapacity => _buffer?.Length ?? 0;

    /// <summary>True once the channel is closed (a racy snapshot; Go has no such query, it helps tests).</summary>
    public bool IsClosed => _closed;

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Gate.IsHeldByCurrentThread);
        // Select cases are exempt (see WaitQueue.HasPlainWaiter): a select may wait on both ends of one channel.
        Debug.Assert(!_receivers.HasPlainWaiter() || !_senders.HasPlainWaiter(), "senders and receivers both waiting");
        Debug.Assert(!_receivers.HasPlainWaiter() || _count == 0, "receivers wait on a non-empty buffer");
        Debug.Assert(!_senders.HasPlainWaiter() || _count == BufferCapacity, "senders wait on a non-full buffer");
        Debug.Assert(!_closed || (_receivers.IsEmpty && _senders.IsEmpty), "waiters on a closed channel");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowSendOnClosed() => throw new RuntimePanicException("send on closed channel");

    // ---- Buffer ring -----------------------------------------------------------------------------------------

    private void BufferPut(T value)
    {
        T[] buffer = _buffer!;
        int tail = _head + _count;
        if (tail >= buffer.Length)
        {
            tail -= buffer.Length;
        }
        buffer[tail] = value;
        _count++;
    }

    private T BufferTake()
    {
        T[] buffer = _buffer!;
        T value = buffer[_head];
        buffer[_head] = default!;
        _head = _head + 1 == buffer.Length ? 0 : _head + 1;
        _count--;
        return value;
    }

    // ---- Select hooks ----------------------------------------------------------------------------------------

    internal override bool SelectTrySendLocked(Waiter caseWaiter, out bool closed, out Waiter? wake)
    {
        AssertInvariants();
        closed = _closed;
        wake = null;
        return !closed && TrySendLocked(((Waiter<T>)caseWaiter).Value, out wake);
    }

    internal override bool SelectTryReceiveLocked(Waiter caseWaiter, out Waiter? wake)
    {
        AssertInvariants();
        var w = (Waiter<T>)caseWaiter;
        if (TryReceiveLocked(out w.Value, out bool ok, out wake))
        {
            w.Success = ok;
            return true;
        }
        return false;
    }

    internal override void EnqueueLocked(Waiter caseWaiter, bool send)
    {
        AssertInvariants();
        if (send)
        {
            _senders.Enqueue(caseWaiter);
            return;
        }
        Timer?.OnReceiverBlocking();
        _receivers.Enqueue(caseWaiter);
    }

    internal override void RemoveLocked(Waiter caseWaiter, bool send) => (send ? _senders : _receivers).Remove(caseWaiter);

    internal override Waiter NewCaseWaiter() => new Waiter<T>();

    internal override bool IsCaseWaiter(Waiter w) => w is Waiter<T>;

    // ---- Timer hook ------------------------------------------------------------------------------------------

    /// <summary>
    /// For the timer that feeds this channel (after a firing): tells it, under the channel's lock, if no receiver
    /// is waiting any more, so that it may stop keeping itself reachable from its heap entry. See
    /// <see cref="IChannelTimer"/>.
    /// </summary>
    internal void ReleaseTimerIfNoReceivers()
    {
        Debug.Assert(Timer is not null);
        Gate.Enter();
        AssertInvariants();
        if (_receivers.IsEmpty)
        {
            Timer!.OnNoBlockedReceivers();
        }
        Gate.Exit();
    }
}
