using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace GoSched.Benchmarks;

/// <summary>
/// Receive from whichever of two channels is ready. .NET has no select; the baseline waits on both readers with
/// Task.WhenAny and takes from the one that is ready. Per operation: one value received. The GoSched select
/// benchmark is added with the select API (GOSCHED_SYNC).
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
}
