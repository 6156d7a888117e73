using System.Diagnostics;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// Go's <c>select</c> statement (Go's <c>selectgo</c>), as a reusable object: register cases, then run it
/// blocking (<see cref="Wait"/>), non-blocking (<see cref="TryWait"/>, the <c>default</c> case) or awaitable
/// (<see cref="WaitAsync"/>). The index of the winning case is returned; a received value and its ok flag are read
/// with <see cref="Value{T}"/> and <see cref="Ok"/>.
/// </summary>
/// <example>
/// <code>
/// using Select s = Select.Rent();
/// int recv = s.Receive(numbers);
/// int send = s.Send(results, 42);
/// int won = await s.WaitAsync();
/// if (won == recv) { int n = s.Value&lt;int&gt;(recv); bool ok = s.Ok(recv); }
/// </code>
/// </example>
/// <remarks>
/// <para><b>Algorithm</b> (select.go): the cases on non-nil channels are visited in a uniformly random order (an
/// inside-out Fisher-Yates shuffle); their channels are locked in increasing <see cref="ChannelBase.Id"/> order
/// (a duplicate is locked once). Pass 1 takes the first case that can proceed; a send case on a closed channel
/// panics "send on closed channel" when reached. Pass 2 publishes one waiter per case and parks ("select"). A waker
/// must win the select's done flag (Go's <c>g.selectDone</c>) to complete a case, so exactly one case fires. Pass 3
/// relocks every channel and unlinks the losing waiters.</para>
/// <para><b>Allocation.</b> The object keeps its case array and one waiter per case slot, reused while the slot's
/// element type stays the same: a goroutine that reuses a select (or rents it with <see cref="Rent"/>) allocates
/// nothing per select. One select object must not be used by two selects at once.</para>
/// </remarks>
public sealed partial class Select : IDisposable
{
    private const int InitialCases = 4;

    // ---- Owner only (the goroutine or thread running the select) --------------------------------------------
    private SelectCase[] _cases = new SelectCase[InitialCases];
    private int[] _pollOrder = new int[InitialCases];
    private int[] _lockOrder = new int[InitialCases];
    private int _count;
    private int _active;
    private ForeignSignal? _foreign;

    // ---- Written by the winning waker under a channel lock, before it wakes the owner ------------------------

    /// <summary>Go's <c>selectDone</c>: 0 while open, 1 once a waker claimed a case. Interlocked only.</summary>
    private int _done;

    /// <summary>The index of the case that fired, or -1.</summary>
    private int _winner = -1;

    /// <summary>Creates an empty select.</summary>
    public Select()
    {
    }

    /// <summary>The number of registered cases.</summary>
    public int CaseCount => _count;

    /// <summary>The index of the case that fired in the last run, or -1 (none, or the default case).</summary>
    public int Winner => _winner;

    /// <summary>
    /// Gets an empty select: the calling goroutine's cached one when free, else a new one. <see cref="Dispose"/>
    /// gives it back.
    /// </summary>
    /// <returns>An empty select.</returns>
    public static Select Rent()
    {
        Goroutine? g = Goroutine.Current;
        if (g?.CachedSelect is { } s)
        {
            g.CachedSelect = null;
            return s;
        }
        return new Select();
    }

    /// <summary>Clears the cases and returns the select to the goroutine's cache.</summary>
    public void Dispose()
    {
        Reset();
        Goroutine? g = Goroutine.Current;
        if (g is not null && g.CachedSelect is null)
        {
            g.CachedSelect = this;
        }
    }

    /// <summary>Removes every case (keeping the storage for reuse).</summary>
    /// <returns>This select.</returns>
    public Select Reset()
    {
        for (int i = 0; i < _count; i++)
        {
            ref SelectCase c = ref _cases[i];
            c.Channel = null;
            c.Waiter?.ClearValue();
        }
        _count = 0;
        _active = 0;
        _winner = -1;
        if (_hasHandlers)
        {
            ResetHandlers();
        }
        return this;
    }

    /// <summary>Adds a receive case (<c>case v, ok := &lt;-ch</c>). A null channel's case never fires.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null.</param>
    /// <returns>The case index.</returns>
    public int Receive<T>(Channel<T>? channel)
    {
        AddCase(channel, isSend: false, out int index);
        return index;
    }

    /// <summary>Adds a send case (<c>case ch &lt;- value</c>). A null channel's case never fires.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null.</param>
    /// <param name="value">The value to send, evaluated now as in Go.</param>
    /// <returns>The case index.</returns>
    public int Send<T>(Channel<T>? channel, T value)
    {
        Waiter<T>? w = AddCase(channel, isSend: true, out int index);
        if (w is not null)
        {
            w.Value = value;
        }
        return index;
    }

    /// <summary>The value received by receive case <paramref name="caseIndex"/> (the zero value when closed).</summary>
    /// <typeparam name="T">The element type of the case's channel.</typeparam>
    /// <param name="caseIndex">The receive case's index.</param>
    /// <returns>The value.</returns>
    public T Value<T>(int caseIndex) => _cases[caseIndex].Waiter is Waiter<T> w ? w.Value : default!;

    /// <summary>Go's <c>ok</c> for receive case <paramref name="caseIndex"/>: false when the channel was closed.</summary>
    /// <param name="caseIndex">The receive case's index.</param>
    /// <returns>True when the value came from a send.</returns>
    public bool Ok(int caseIndex) => _cases[caseIndex].Waiter?.Success ?? false;

    /// <summary>Runs the select, blocking until a case fires.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>The index of the case that fired.</returns>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    public int Wait([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
    {
        var site = new CallerLocation(member, file, line);
        if (Begin(block: true, site, out int winner))
        {
            return winner;
        }
        if (_active == 0)
        {
            Chan.BlockForever(_count == 0 ? WaitReason.SelectNoCases : WaitReason.Select, site);
        }
        if (Goroutine.Current is { } g)
        {
            g.BlockThread();
        }
        else
        {
            _foreign!.Wait();
        }
        return Finish();
    }

    /// <summary>Runs the select with a <c>default</c> case: never blocks.</summary>
    /// <returns>The index of the case that fired, or -1 when none was ready (the default case).</returns>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    public int TryWait()
    {
        Begin(block: false, default, out int winner);
        return winner;
    }

    /// <summary>Runs the select; the awaitable completes at once when a case is ready.</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    /// <returns>An awaitable of the winning case's index.</returns>
    public SelectAwaitable WaitAsync([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
        => new(this, new CallerLocation(member, file, line));

    /// <summary>Blocks forever (Go's <c>select {}</c>, wait reason "select (no cases)").</summary>
    /// <param name="member">Caller info (filled in by the compiler).</param>
    /// <param name="file">Caller info (filled in by the compiler).</param>
    /// <param name="line">Caller info (filled in by the compiler).</param>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Block([CallerMemberName] string? member = null, [CallerFilePath] string? file = null,
        [CallerLineNumber] int line = 0)
        => Chan.BlockForever(WaitReason.SelectNoCases, new CallerLocation(member, file, line));

    // ---- The algorithm -----------------------------------------------------------------------------------------

    /// <summary>
    /// Passes 1 and 2. Returns true when finished (<paramref name="winner"/> is the case, or -1 for the default
    /// case); false when the waiters are published and the owner must park exactly once, then call
    /// <see cref="Finish"/>. With no active case and <paramref name="block"/>, returns false having published
    /// nothing (the owner parks forever).
    /// </summary>
    internal bool Begin(bool block, in CallerLocation site, out int winner)
    {
        _winner = -1;
        int n = PrepareOrders();
        if (n == 0)
        {
            winner = -1;
            if (block)
            {
                Goroutine.Current?.PrepareToPark(_count == 0 ? WaitReason.SelectNoCases : WaitReason.Select, site);
            }
            return !block;
        }

        LockAll(n);
        for (int k = 0; k < n; k++)
        {
            int i = _pollOrder[k];
            ref SelectCase c = ref _cases[i];
            Waiter? wake;
            if (c.IsSend)
            {
                if (!c.Channel!.SelectTrySendLocked(c.Waiter!, out bool closed, out wake))
                {
                    if (closed)
                    {
                        UnlockAll(n);
                        Channel<int>.ThrowSendOnClosed();
                    }
                    continue;
                }
            }
            else if (!c.Channel!.SelectTryReceiveLocked(c.Waiter!, out wake))
            {
                continue;
            }
            UnlockAll(n);
            wake?.Wake();
            _winner = winner = i;
            return true;
        }

        if (!block)
        {
            UnlockAll(n);
            winner = -1;
            return true;
        }

        // Pass 2: publish one waiter per case, in lock order.
        Goroutine? g = Goroutine.Current;
        ForeignSignal? foreign = g is null ? _foreign = new ForeignSignal() : null;
        g?.PrepareToPark(WaitReason.Select, site);
        Volatile.Write(ref _done, 0); // published to wakers by the channel locks
        for (int k = 0; k < n; k++)
        {
            int i = _lockOrder[k];
            ref SelectCase c = ref _cases[i];
            Waiter w = c.Waiter!;
            w.G = g;
            w.Foreign = foreign;
            w.Select = this;
            w.CaseIndex = i;
            w.Success = false;
            c.Channel!.EnqueueLocked(w, c.IsSend);
        }
        UnlockAll(n);
        winner = -1;
        return false;
    }

    /// <summary>Pass 3, after the owner was woken: unlinks the losers and reports the winner.</summary>
    internal int Finish()
    {
        int n = _active;
        LockAll(n);
        for (int k = 0; k < n; k++)
        {
            ref SelectCase c = ref _cases[_lockOrder[k]];
            c.Channel!.RemoveLocked(c.Waiter!, c.IsSend);
        }
        UnlockAll(n);

        int i = _winner;
        Debug.Assert(i >= 0, "select woken without a winner");
        for (int k = 0; k < n; k++)
        {
            Waiter w = _cases[_lockOrder[k]].Waiter!;
            w.Select = null;
            w.G = null;
            w.Foreign = null;
        }
        _foreign = null;
        ref SelectCase won = ref _cases[i];
        if (won.IsSend && !won.Waiter!.Success)
        {
            Channel<int>.ThrowSendOnClosed(); // woken by close
        }
        return i;
    }

    /// <summary>Registers the continuation of an async owner that <see cref="Begin"/> left parked.</summary>
    internal void OnCompleted(Action continuation)
    {
        if (Goroutine.Current is { } g)
        {
            g.SetResume(continuation);
        }
        else
        {
            _foreign?.OnCompleted(continuation); // no foreign signal: a select on nil channels only never resumes
        }
    }

    /// <summary>True while no case has been claimed (<see cref="_done"/> is clear).</summary>
    internal bool IsPending => _active > 0;

    /// <summary>Go's <c>selectDone</c> compare-and-swap: true for the first waker only. Under a channel lock.</summary>
    internal bool TryWin(Waiter w)
    {
        if (Interlocked.CompareExchange(ref _done, 1, 0) != 0)
        {
            return false;
        }
        _winner = w.CaseIndex;
        return true;
    }

    private Waiter<T>? AddCase<T>(Channel<T>? channel, bool isSend, out int index)
    {
        if (_count == _cases.Length)
        {
            Array.Resize(ref _cases, _count * 2);
            Array.Resize(ref _pollOrder, _count * 2);
            Array.Resize(ref _lockOrder, _count * 2);
        }
        index = _count++;
        ref SelectCase c = ref _cases[index];
        c.Channel = channel;
        c.IsSend = isSend;
        if (channel is null)
        {
            return null;
        }
        if (c.Waiter is not Waiter<T> w)
        {
            c.Waiter = w = new Waiter<T>();
        }
        w.Success = false;
        return w;
    }

    /// <summary>Builds the random poll order and the lock order of the non-nil cases; returns their number.</summary>
    private int PrepareOrders()
    {
        int n = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_cases[i].Channel is null)
            {
                continue;
            }
            // Inside-out Fisher-Yates: a uniform permutation of the active cases.
            int j = (int)FastRandom.Next((uint)(n + 1));
            _pollOrder[n] = _pollOrder[j];
            _pollOrder[j] = i;
            n++;
        }

        // Lock order: the cases sorted by channel id, built from the poll order (as Go builds lockorder from
        // pollorder) with a stable insertion sort, so that several cases on one channel keep their random
        // relative order; they are enqueued in lock order, and a fixed order would always serve the first.
        for (int k = 0; k < n; k++)
        {
            int i = _pollOrder[k];
            long id = _cases[i].Channel!.Id;
            int m = k;
            while (m > 0 && _cases[_lockOrder[m - 1]].Channel!.Id > id)
            {
                _lockOrder[m] = _lockOrder[m - 1];
                m--;
            }
            _lockOrder[m] = i;
        }
        _active = n;
        return n;
    }

    private void LockAll(int n)
    {
        ChannelBase? previous = null;
        for (int k = 0; k < n; k++)
        {
            ChannelBase c = _cases[_lockOrder[k]].Channel!;
            if (c != previous)
            {
                c.EnterLock();
                previous = c;
            }
        }
    }

    private void UnlockAll(int n)
    {
        ChannelBase? previous = null;
        for (int k = n - 1; k >= 0; k--)
        {
            ChannelBase c = _cases[_lockOrder[k]].Channel!;
            if (c != previous)
            {
                c.ExitLock();
                previous = c;
            }
        }
    }

    /// <summary>One registered case.</summary>
    private struct SelectCase
    {
        /// <summary>The channel, or null for a case that never fires.</summary>
        public ChannelBase? Channel;

        /// <summary>The reusable waiter of this slot (typed by the channel's element type).</summary>
        public Waiter? Waiter;

        /// <summary>True for a send case.</summary>
        public bool IsSend;
    }
}
