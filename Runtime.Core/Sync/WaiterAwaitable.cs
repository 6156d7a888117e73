using System.Runtime.CompilerServices;

namespace GoSched.Core;

/// <summary>
/// Parks on a published waiter: the goroutine's park (no allocation) or, for a foreign caller, its signal. Always
/// suspends: a published waiter is parked on exactly once, even when the waker has already come.
/// </summary>
internal readonly struct WaiterAwaitable : ICriticalNotifyCompletion
{
    private readonly Waiter _waiter;

    internal WaiterAwaitable(Waiter waiter) => _waiter = waiter;

    public WaiterAwaitable GetAwaiter() => this;

    public bool IsCompleted => false;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => _waiter.OnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation) => _waiter.OnCompleted(continuation);
}
