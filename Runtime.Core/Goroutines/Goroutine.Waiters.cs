namespace GoSched.Core;

/// <content>The goroutine's caches of reusable waiters and select objects (allocation-free parking).</content>
public sealed partial class Goroutine
{
    /// <summary>Most waiters a goroutine keeps for reuse (a guess: enough for a few element types at once).</summary>
    internal const int MaxCachedWaiters = 8;

    // ---- Owned by the goroutine's own code: only the goroutine rents and returns its waiters -----------------

    /// <summary>Free list of waiters (linked by <see cref="Waiter.NextFree"/>).</summary>
    internal Waiter? WaiterFreeList;

    /// <summary>Number of waiters on <see cref="WaiterFreeList"/>.</summary>
    internal int WaiterFreeCount;

    /// <summary>One cached <see cref="GoSched.Select"/> for <see cref="GoSched.Select.Rent"/>.</summary>
    internal GoSched.Select? CachedSelect
    {
        get => _extras?.CachedSelect;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.CachedSelect = value;
            }
        }
    }
}
