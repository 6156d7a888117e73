using System.Threading.Channels;
using SysChannel = System.Threading.Channels.Channel;

namespace GoSched.Compare;

/// <summary>
/// The workloads on the .NET thread pool: Task.Run, async/await, System.Threading.Channels (spelled in full, as
/// GoSched has a Channel&lt;T&gt; of its own), SemaphoreSlim and
/// Task.Delay. An unbuffered Go channel is a bounded channel of capacity 0, which .NET 10 accepts and implements as a
/// true rendezvous (the writer completes only when a reader takes the item).
/// </summary>
internal static class ThreadPoolWorkloads
{
    private static System.Threading.Channels.Channel<T> Rendezvous<T>() => SysChannel.CreateBounded<T>(new BoundedChannelOptions(0));

    public static async Task<long> Spawn(int n)
    {
        var join = new TaskJoin(n);
        var count = new Counter();
        Action body = () =>
        {
            count.Increment();
            join.Done();
        };
        for (int i = 0; i < n; i++)
        {
            _ = Task.Run(body);
        }
        await join.WaitAsync();
        return count.Value;
    }

    public static Task<long> Skynet(int n) => SkynetNode(0, n);

    private static async Task<long> SkynetNode(long num, long size)
    {
        if (size == 1)
        {
            return num;
        }
        var children = new Task<long>[10];
        long childSize = size / 10;
        for (long i = 0; i < 10; i++)
        {
            long sub = num + (i * childSize);
            children[i] = Task.Run(() => SkynetNode(sub, childSize));
        }
        long sum = 0;
        foreach (Task<long> child in children)
        {
            sum += await child;
        }
        return sum;
    }

    public static async Task<long> PingPong(int n)
    {
        System.Threading.Channels.Channel<int> ping = Rendezvous<int>(), pong = Rendezvous<int>();
        Task echo = Task.Run(async () =>
        {
            while (await ping.Reader.WaitToReadAsync())
            {
                while (ping.Reader.TryRead(out int v))
                {
                    await pong.Writer.WriteAsync(v + 1);
                }
            }
            pong.Writer.Complete();
        });
        int value = 0;
        for (int i = 0; i < n; i++)
        {
            await ping.Writer.WriteAsync(value);
            value = await pong.Reader.ReadAsync();
        }
        ping.Writer.Complete();
        await echo;
        return value;
    }

    public static Task<long> Buffered1x1(int n) => Buffered(n, 1);

    public static Task<long> Buffered4x4(int n) => Buffered(n, 4);

    private static async Task<long> Buffered(int n, int workers)
    {
        var ch = SysChannel.CreateBounded<long>(new BoundedChannelOptions(Workloads.BufferCapacity));
        var total = new Counter();
        int per = n / workers;
        var producers = new Task[workers];
        var consumers = new Task[workers];
        for (int p = 0; p < workers; p++)
        {
            int lo = p * per, hi = (p + 1) * per;
            producers[p] = Task.Run(async () =>
            {
                for (int i = lo; i < hi; i++)
                {
                    await ch.Writer.WriteAsync(i);
                }
            });
        }
        for (int c = 0; c < workers; c++)
        {
            consumers[c] = Task.Run(async () =>
            {
                long sum = 0;
                while (await ch.Reader.WaitToReadAsync())
                {
                    while (ch.Reader.TryRead(out long v))
                    {
                        sum += v;
                    }
                }
                total.Add(sum);
            });
        }
        await Task.WhenAll(producers);
        ch.Writer.Complete();
        await Task.WhenAll(consumers);
        return total.Value;
    }

    public static async Task<long> Yield(int n)
    {
        int per = n / Workloads.GoschedGoroutines;
        var total = new Counter();
        Func<Task> body = async () =>
        {
            for (int i = 0; i < per; i++)
            {
                await Task.Yield();
            }
            total.Add(per);
        };
        var tasks = new Task[Workloads.GoschedGoroutines];
        for (int g = 0; g < tasks.Length; g++)
        {
            tasks[g] = Task.Run(body);
        }
        await Task.WhenAll(tasks);
        return total.Value;
    }

    public static async Task<long> Sieve(int n)
    {
        var stop = new StopFlag();
        System.Threading.Channels.Channel<int> ch = Rendezvous<int>();
        ChannelWriter<int> first = ch.Writer;
        _ = Task.Run(async () =>
        {
            for (int i = 2; !stop.IsSet; i++)
            {
                await first.WriteAsync(i);
            }
            await first.WriteAsync(-1);
        });
        int prime = 0;
        for (int i = 0; i < n; i++)
        {
            prime = await ch.Reader.ReadAsync();
            ChannelReader<int> input = ch.Reader;
            System.Threading.Channels.Channel<int> output = Rendezvous<int>();
            int p = prime;
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    int v = await input.ReadAsync();
                    if (v == -1)
                    {
                        await output.Writer.WriteAsync(-1);
                        return;
                    }
                    if (v % p != 0)
                    {
                        await output.Writer.WriteAsync(v);
                    }
                }
            });
            ch = output;
        }
        stop.Set();
        while (await ch.Reader.ReadAsync() != -1)
        {
        }
        return prime;
    }

    public static async Task<long> Ring(int n)
    {
        var chans = new System.Threading.Channels.Channel<int>[Workloads.RingSize];
        for (int i = 0; i < chans.Length; i++)
        {
            chans[i] = Rendezvous<int>();
        }
        long result = -1;
        var tasks = new Task[Workloads.RingSize];
        for (int i = 0; i < Workloads.RingSize; i++)
        {
            int id = i;
            ChannelReader<int> input = chans[i].Reader;
            ChannelWriter<int> output = chans[(i + 1) % Workloads.RingSize].Writer;
            tasks[i] = Task.Run(async () =>
            {
                bool finisher = false;
                while (true)
                {
                    int t = await input.ReadAsync();
                    if (t > 0)
                    {
                        await output.WriteAsync(t - 1);
                    }
                    else if (t == 0)
                    {
                        Volatile.Write(ref result, id);
                        finisher = true;
                        await output.WriteAsync(-1);
                    }
                    else
                    {
                        if (!finisher)
                        {
                            await output.WriteAsync(-1);
                        }
                        return;
                    }
                }
            });
        }
        await chans[0].Writer.WriteAsync(n);
        await Task.WhenAll(tasks);
        return Volatile.Read(ref result);
    }

    public static async Task<long> Mutex(int n)
    {
        using var sem = new SemaphoreSlim(1, 1);
        long counter = 0;
        int per = n / Workloads.MutexGoroutines;
        var tasks = new Task[Workloads.MutexGoroutines];
        for (int g = 0; g < tasks.Length; g++)
        {
            tasks[g] = Task.Run(async () =>
            {
                for (int i = 0; i < per; i++)
                {
                    await sem.WaitAsync();
                    counter++;
                    sem.Release();
                }
            });
        }
        await Task.WhenAll(tasks);
        return counter;
    }

    public static async Task<long> Sleep(int n)
    {
        var total = new Counter();
        Func<Task> body = async () =>
        {
            for (int i = 0; i < Workloads.SleepsPerGoroutine; i++)
            {
                await Task.Delay(1);
            }
            total.Add(Workloads.SleepsPerGoroutine);
        };
        var tasks = new Task[n];
        for (int g = 0; g < n; g++)
        {
            tasks[g] = Task.Run(body);
        }
        await Task.WhenAll(tasks);
        return total.Value;
    }

    public static Task<long> Fib(int n) => FibPar(n);

    private static async Task<long> FibPar(int n)
    {
        if (n < Workloads.FibCutoff)
        {
            return Workloads.FibSeq(n);
        }
        Task<long> a = Task.Run(() => FibPar(n - 1));
        long b = await FibPar(n - 2);
        return await a + b;
    }

    /// <summary>
    /// Parks n async methods on one channel (WaitToReadAsync), measures, then completes the channel. The methods are
    /// called directly (no Task.Run wrapper) so that what is measured is one suspended async method and its waiter.
    /// </summary>
    public static async Task<long> ParkedMemory(int n, Action measure)
    {
        var started = new Counter();
        var released = new Counter();
        var join = new TaskJoin(n);
        var block = SysChannel.CreateUnbounded<int>();
        Func<Task> body = async () =>
        {
            started.Increment();
            _ = await block.Reader.WaitToReadAsync();
            released.Increment();
            join.Done();
        };
        for (int i = 0; i < n; i++)
        {
            _ = body();
        }
        measure();
        block.Writer.Complete();
        await join.WaitAsync();
        return released.Value;
    }
}
