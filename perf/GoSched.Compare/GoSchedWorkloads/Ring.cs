#if GOSCHED_SYNC
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>
    /// A token passes n hops around a ring of 503 goroutines; the result is the index that holds it last. A -1
    /// then goes once around the ring to stop every goroutine.
    /// </summary>
    public static async Task<long> Ring(int n)
    {
        var chans = new Channel<int>[Workloads.RingSize];
        for (int i = 0; i < chans.Length; i++)
        {
            chans[i] = new Channel<int>(0);
        }
        long result = -1;
        var join = new Join(Workloads.RingSize);
        for (int i = 0; i < Workloads.RingSize; i++)
        {
            int id = i;
            Channel<int> input = chans[i], output = chans[(i + 1) % Workloads.RingSize];
            Go.Run(async () =>
            {
                bool finisher = false;
                while (true)
                {
                    int t = await input.ReceiveAsync();
                    if (t > 0)
                    {
                        await output.SendAsync(t - 1);
                    }
                    else if (t == 0)
                    {
                        Volatile.Write(ref result, id);
                        finisher = true;
                        await output.SendAsync(-1);
                    }
                    else
                    {
                        if (!finisher)
                        {
                            await output.SendAsync(-1);
                        }
                        break;
                    }
                }
                join.Done();
            });
        }
        await chans[0].SendAsync(n);
        await join.WaitAsync();
        return Volatile.Read(ref result);
    }
}
#endif
