using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace GoSched;

/// <summary>
/// The awaitable of the sync package's blocking operations (<see cref="Mutex.LockAsync"/>,
/// <see cref="WaitGroup.WaitAsync"/>, ...). Completes without suspending on the fast path; otherwise the
/// operation's pooled state machine parks the goroutine, and this awaitable resumes the caller inline when it
/// finishes, on the goroutine's own thread (no context post, no allocation in steady state). Await it once.
/// </summary>
public readonly struct WaitAwaitable : ICriticalNotifyCompletion
{
    private readonly ValueTask _operation;

    internal WaitAwaitable(ValueTask operation) => _operation = operation;

    /// <summary>Returns this awaitable.</summary>
    /// <returns>This.</returns>
    public WaitAwaitable GetAwaiter() => this;

    /// <summary>True when the operation completed without blocking.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool IsCompleted => _operation.IsCompleted;

    /// <summary>Registers the continuation (same as <see cref="UnsafeOnCompleted"/>).</summary>
    /// <param name="continuation">The continuation.</param>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Runs <paramref name="continuation"/> where the operation completes (the goroutine's thread).</summary>
    /// <param name="continuation">The continuation.</param>
    public void UnsafeOnCompleted(Action continuation)
        => _operation.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);

    /// <summary>Ends the operation, rethrowing its panic if any.</summary>
    public void GetResult() => _operation.GetAwaiter().GetResult();

    /// <summary>Converts to a <see cref="ValueTask"/> (for APIs that need one).</summary>
    /// <returns>The underlying operation.</returns>
    public ValueTask AsValueTask() => _operation;
}
