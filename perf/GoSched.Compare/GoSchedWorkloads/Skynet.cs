namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
#if GOSCHED_SYNC
    /// <summary>Skynet as in Go: each node starts ten children and sums what they send on an unbuffered channel.</summary>
    public static async Task<long> Skynet(int n)
    {
        var c = new Channel<long>(0);
        Go.Run(() => SkynetNode(c, 0, n));
        return await c.ReceiveAsync();
    }

    private static async Task SkynetNode(Channel<long> c, long num, long size)
    {
        if (size == 1)
        {
            await c.SendAsync(num);
            return;
        }
        var rc = new Channel<long>(0);
        long childSize = size / 10;
        for (long i = 0; i < 10; i++)
        {
            long sub = num + (i * childSize);
            Go.Run(() => SkynetNode(rc, sub, childSize));
        }
        long sum = 0;
        for (int i = 0; i < 10; i++)
        {
            sum += await rc.ReceiveAsync();
        }
        await c.SendAsync(sum);
    }
#else
    /// <summary>
    /// Skynet without channels: each node starts ten children and parks until the last of them has added its sum
    /// to the node's <see cref="SkynetSum"/> (a counter whose last decrement completes a task the node awaits).
    /// </summary>
    public static async Task<long> Skynet(int n)
    {
        var root = new SkynetSum(1);
        Go.Run(() => SkynetNode(root, 0, n));
        return await root.Task;
    }

    private static async Task SkynetNode(SkynetSum parent, long num, long size)
    {
        if (size == 1)
        {
            parent.Add(num);
            return;
        }
        var mine = new SkynetSum(10);
        long childSize = size / 10;
        for (long i = 0; i < 10; i++)
        {
            long sub = num + (i * childSize);
            Go.Run(() => SkynetNode(mine, sub, childSize));
        }
        parent.Add(await mine.Task);
    }

    private sealed class SkynetSum(int children)
    {
        private readonly TaskCompletionSource<long> _done = new();
        private int _pending = children;
        private long _sum;

        public Task<long> Task => _done.Task;

        public void Add(long value)
        {
            Interlocked.Add(ref _sum, value);
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.SetResult(Volatile.Read(ref _sum));
            }
        }
    }
#endif
}
