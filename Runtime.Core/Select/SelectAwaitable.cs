using System.ComponentModel;
using System.Runtime.CompilerServices;
using GoSched.Core;

namespace GoSched;

/// <summary>
/// The awaitable of <see cref="Select.WaitAsync"/>: completes without suspending when a case is ready; otherwise
/// parks the goroutine (no allocation). Its result is the index of the case that fired. Await it once, directly.
/// </summary>
public struct SelectAwaitable : ICriticalNotifyCompletion
{
    private readonly Select _select;
    private readonly CallerLocation _site;
    private int _winner;
    private bool _parked;

    internal SelectAwaitable(Select select, CallerLocation site)
    {
        _select = select;
        _site = site;
        _winner = -1;
    }

    /// <summary>Returns this awaitable.</summary>
    /// <returns>This.</returns>
    public readonly SelectAwaitable GetAwaiter() => this;

    /// <summary>Runs passes 1 and 2 of the select; false when the goroutine must park.</summary>
    /// <exception cref="RuntimePanicException">"send on closed channel".</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsCompleted
    {
        get
        {
            bool done = _select.Begin(block: true, _site, out _winner);
            _parked = !done && _select.IsPending;
            return done;
        }
    }

    /// <summary>Registers the continuation (same as <see cref="UnsafeOnCompleted"/>).</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks until a case fires.</summary>
    /// <param name="continuation">The continuation.</param>
    public readonly void UnsafeOnCompleted(Action continuation) => _select.OnCompleted(continuation);

    /// <summary>The index of the case that fired.</summary>
    /// <returns>The case index.</returns>
    /// <exception cref="RuntimePanicException">"send on closed channel" when woken by close.</exception>
    public readonly int GetResult() => _parked ? _select.Finish() : _winner;
}
