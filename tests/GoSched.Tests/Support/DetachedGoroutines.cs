using GoSched.Core;

namespace GoSched.Tests.Support;

/// <summary>
/// Goroutine objects that belong to no scheduler, for tests that exercise data structures (run queues) directly:
/// any attempt to schedule one throws.
/// </summary>
internal static class DetachedGoroutines
{
    private sealed class NoScheduler : IGoroutineScheduler
    {
        public void Enqueue(Goroutine g, bool fromForeignThread) => throw new NotSupportedException();

        public void BlockCurrentThread(Goroutine g) => throw new NotSupportedException();

        public void YieldToLocalTail(Goroutine g) => throw new NotSupportedException();

        public bool CanSpin(int iteration) => throw new NotSupportedException();
    }

    private static readonly NoScheduler s_none = new();

    /// <summary>A new, never-run async goroutine with the given id.</summary>
    internal static Goroutine New(long id) =>
        new(s_none, id, 0, static () => Task.CompletedTask, null, default, isMain: false);
}
