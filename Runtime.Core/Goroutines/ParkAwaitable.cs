using System.Runtime.CompilerServices;

namespace GoSched.Core;

/// <summary>
/// Suspends the current async goroutine after a primitive has published its waiter (Go's <c>gopark</c>). The
/// goroutine resumes when a waker calls <see cref="Goroutine.Ready"/>. Always suspends: a primitive that published
/// a waiter must park exactly once for it, even if the waker has already come (see Goroutine's remarks).
/// </summary>
internal readonly struct ParkAwaitable : ICriticalNotifyCompletion
{
    private readonly Goroutine _g;

    internal ParkAwaitable(Goroutine g) => _g = g;

    public ParkAwaitable GetAwaiter() => this;

    public bool IsCompleted => false;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => _g.SetResume(continuation);

    public void UnsafeOnCompleted(Action continuation) => _g.SetResume(continuation);
}
