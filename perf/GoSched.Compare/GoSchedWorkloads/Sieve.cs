#if GOSCHED_SYNC
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>
    /// The concurrent prime sieve to the n-th prime, over unbuffered channels. The generator stops when asked and
    /// sends -1, which every filter passes on before it returns, so no goroutine is left behind.
    /// </summary>
    public static async Task<long> Sieve(int n)
    {
        var stop = new StopFlag();
        var ch = new Channel<int>(0);
        var first = ch;
        Go.Run(async () =>
        {
            for (int i = 2; !stop.IsSet; i++)
            {
                await first.SendAsync(i);
            }
            await first.SendAsync(-1);
        });
        int prime = 0;
        for (int i = 0; i < n; i++)
        {
            prime = await ch.ReceiveAsync();
            var input = ch;
            var output = new Channel<int>(0);
            int p = prime;
            Go.Run(async () =>
            {
                while (true)
                {
                    int v = await input.ReceiveAsync();
                    if (v == -1)
                    {
                        await output.SendAsync(-1);
                        return;
                    }
                    if (v % p != 0)
                    {
                        await output.SendAsync(v);
                    }
                }
            });
            ch = output;
        }
        stop.Set();
        while (await ch.ReceiveAsync() != -1)
        {
        }
        return prime;
    }
}
#endif
