#if GOSCHED_SYNC
namespace GoSched.Compare;

internal static partial class GoSchedWorkloads
{
    /// <summary>n round trips over two unbuffered channels.</summary>
    public static async Task<long> PingPong(int n)
    {
        var ping = new Channel<int>(0);
        var pong = new Channel<int>(0);
        Go.Run(async () =>
        {
            while (true)
            {
                (int v, bool ok) = await ping.ReceiveWithOkAsync();
                if (!ok)
                {
                    break;
                }
                await pong.SendAsync(v + 1);
            }
            pong.Close();
        });
        int value = 0;
        for (int i = 0; i < n; i++)
        {
            await ping.SendAsync(value);
            value = await pong.ReceiveAsync();
        }
        ping.Close();
        return value;
    }
}
#endif
