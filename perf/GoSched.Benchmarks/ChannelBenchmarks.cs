using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace GoSched.Benchmarks;

/// <summary>
/// Unbuffered ping-pong (per operation: one round trip) and a buffered stream (per operation: one value). Baseline:
/// System.Threading.Channels, with BoundedChannelOptions(0) as the rendezvous channel (accepted by .NET 10).
/// GoSched's channels are compiled in with GOSCHED_SYNC.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChannelBenchmarks
{
    private const int RoundTrips = 100_000;
    private const int Values = 1_000_000;

    [BenchmarkCategory("PingPong")]
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips)]
    public void PingPongSystemChannels()
    {
        var ping = Channel.CreateBounded<int>(new BoundedChannelOptions(0));
        var pong = Channel.CreateBounded<int>(new BoundedChannelOptions(0));
        Task echo = Task.Run(async () =>
        {
            for (int i = 0; i < RoundTrips; i++)
            {
                await pong.Writer.WriteAsync(await ping.Reader.ReadAsync() + 1);
            }
        });
        Task.Run(async () =>
        {
            int v = 0;
            for (int i = 0; i < RoundTrips; i++)
            {
                await ping.Writer.WriteAsync(v);
                v = await pong.Reader.ReadAsync();
            }
        }).GetAwaiter().GetResult();
        echo.GetAwaiter().GetResult();
    }

    [BenchmarkCategory("Buffered")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Values)]
    public long BufferedSystemChannels()
    {
        var ch = Channel.CreateBounded<long>(new BoundedChannelOptions(1024));
        Task producer = Task.Run(async () =>
        {
            for (int i = 0; i < Values; i++)
            {
                await ch.Writer.WriteAsync(i);
            }
            ch.Writer.Complete();
        });
        long sum = Task.Run(async () =>
        {
            long s = 0;
            while (await ch.Reader.WaitToReadAsync())
            {
                while (ch.Reader.TryRead(out long v))
                {
                    s += v;
                }
            }
            return s;
        }).GetAwaiter().GetResult();
        producer.GetAwaiter().GetResult();
        return sum;
    }

#if GOSCHED_SYNC
    [BenchmarkCategory("PingPong")]
    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public void PingPongGoSched()
    {
        var ping = new Channel<int>(0);
        var pong = new Channel<int>(0);
        GoHost.Run(async () =>
        {
            Go.Run(async () =>
            {
                for (int i = 0; i < RoundTrips; i++)
                {
                    await pong.SendAsync(await ping.ReceiveAsync() + 1);
                }
            });
            int v = 0;
            for (int i = 0; i < RoundTrips; i++)
            {
                await ping.SendAsync(v);
                v = await pong.ReceiveAsync();
            }
        });
    }

    /// <summary><see cref="PingPongGoSched"/> with GOMAXPROCS=1 (the thread pool keeps every core).</summary>
    [BenchmarkCategory("PingPong")]
    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public void PingPongGoSchedOneP() => PingPongGoSched();

    [GlobalSetup(Target = nameof(PingPongGoSchedOneP))]
    public void OneProcessor() => OneP.Enter();

    [GlobalCleanup(Target = nameof(PingPongGoSchedOneP))]
    public void AllProcessors() => OneP.Exit();

    [BenchmarkCategory("Buffered")]
    [Benchmark(OperationsPerInvoke = Values)]
    public long BufferedGoSched()
    {
        var ch = new Channel<long>(1024);
        long sum = 0;
        GoHost.Run(async () =>
        {
            Go.Run(async () =>
            {
                for (int i = 0; i < Values; i++)
                {
                    await ch.SendAsync(i);
                }
                ch.Close();
            });
            while (true)
            {
                (long v, bool ok) = await ch.ReceiveWithOkAsync();
                if (!ok)
                {
                    break;
                }
                sum += v;
            }
        });
        return sum;
    }
#endif
}
