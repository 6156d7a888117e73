#if GOSCHED_SYNC
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>One producer, one consumer, a channel of capacity 1024.</summary>
    public static Task<long> Buffered1x1(int n) => Buffered(n, 1);

    /// <summary>Four producers, four consumers, one channel of capacity 1024.</summary>
    public static Task<long> Buffered4x4(int n) => Buffered(n, 4);

    private static async Task<long> Buffered(int n, int workers)
    {
        var ch = new Channel<long>(Workloads.BufferCapacity);
        var producers = new WaitGroup();
        var consumers = new WaitGroup();
        var total = new Counter();
        int per = n / workers;
        for (int p = 0; p < workers; p++)
        {
            int lo = p * per, hi = (p + 1) * per;
            producers.Add(1);
            Go.Run(async () =>
            {
                for (int i = lo; i < hi; i++)
                {
                    await ch.SendAsync(i);
                }
                producers.Done();
            });
        }
        for (int c = 0; c < workers; c++)
        {
            consumers.Add(1);
            Go.Run(async () =>
            {
                long sum = 0;
                while (true)
                {
                    (long v, bool ok) = await ch.ReceiveWithOkAsync();
                    if (!ok)
                    {
                        break;
                    }
                    sum += v;
                }
                total.Add(sum);
                consumers.Done();
            });
        }
        await producers.WaitAsync();
        ch.Close();
        await consumers.WaitAsync();
        return total.Value;
    }
}
#endif
