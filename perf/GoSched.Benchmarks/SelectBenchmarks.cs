using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>
/// Receive from whichever of two channels is ready. .NET has no select; the baseline waits on both readers with
/// Task.WhenAny and takes from the one that is ready. Per operation: one value received. The GoSched select
/// benchmarks select over 2 and over 4 channels with producers as goroutines.
/// </summary>
[MemoryDiagnoser]
public class SelectBenchmarks
{
    private const int Values = 1_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Values)]
    public long WhenAnySystemChannels()
    {
        var a = Channel.CreateBounded<int>(new BoundedChannelOptions(16));
        var b = Channel.CreateBounded<int>(new BoundedChannelOptions(16));
        Task pa = Task.Run(async () =>
        {
            for (int i = 0; i < Values / 2; i++)
            {
                await a.Writer.WriteAsync(i);
            }
        });
        Task pb = Task.Run(async () =>
        {
            for (int i = 0; i < Values / 2; i++)
            {
                await b.Writer.WriteAsync(i);
            }
        });
        long sum = Task.Run(async () =>
        {
            long s = 0;
            for (int got = 0; got < Values;)
            {
                if (a.Reader.TryRead(out int x) || b.Reader.TryRead(out x))
                {
                    s += x;
                    got++;
                    continue;
                }
                _ = await Task.WhenAny(a.Reader.WaitToReadAsync().AsTask(), b.Reader.WaitToReadAsync().AsTask());
            }
            return s;
        }).GetAwaiter().GetResult();
        Task.WaitAll(pa, pb);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public long SelectGoSched2() => SelectGoSched(2);

    [Benchmark(OperationsPerInvoke = Values)]
    public long SelectGoSched4() => SelectGoSched(4);

    private static long SelectGoSched(int channels)
    {
        var chans = new Channel<int>[channels];
        for (int c = 0; c < channels; c++)
        {
            chans[c] = new Channel<int>(16);
        }
        long sum = 0;
        GoHost.Run(async () =>
        {
            foreach (Channel<int> ch in chans)
            {
                Go.Run(async () =>
                {
                    for (int i = 0; i < Values / channels; i++)
                    {
                        await ch.SendAsync(i);
                    }
                });
            }
            using Select sel = Select.Rent();
            foreach (Channel<int> ch in chans)
            {
                sel.Receive(ch);
            }
            long s = 0;
            for (int got = 0; got < Values / channels * channels; got++)
            {
                int winner = await sel.WaitAsync();
                s += sel.Value<int>(winner);
            }
            sum = s;
        });
        return sum;
    }
}
