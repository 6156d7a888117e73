using System.Diagnostics;
using GoSched;

// Whole programs run in a child process by the tests: each scenario prints what a Go program would print, and
// the tests check stdout, stderr and the exit code.
return args.Length == 0 ? Usage() : args[0] switch
{
    "runnext-order" => Go.Main(async () =>
    {
        // Go: with GOMAXPROCS=1, `go A; go B; go C; runtime.Gosched()` runs C, A, B. The first round warms up the
        // JIT so that no time slice lasts 10 ms (sysmon would rightly preempt it).
        for (int round = 0; round < 6; round++)
        {
            var order = new List<string>();
            Go.Run(() => order.Add("A"));
            Go.Run(() => order.Add("B"));
            Go.Run(() => order.Add("C"));
            await Runtime.GoschedAsync();
            if (round > 0)
            {
                Console.WriteLine(string.Join(",", order));
            }
        }
    }),
    "gomaxprocs" => Go.Main(() => Console.WriteLine(Runtime.GOMAXPROCS(0))),
    "panic" => Go.Main(async () =>
    {
        await Runtime.GoschedAsync();
        Runtime.Panic("boom");
    }),
    "panic-exception" => Go.Main(() =>
    {
        Go.Run(() => throw new InvalidOperationException("bad state"));
        Thread.Sleep(5000);
    }),
    "goexit-main" => Go.Main(() =>
    {
        Go.Run(async () =>
        {
            await Task.Delay(50);
            Console.WriteLine("other done");
        });
        try
        {
            Runtime.Goexit();
        }
        finally
        {
            Console.WriteLine("main deferred");
        }
    }),
    "schedtrace" => Go.Main(async () =>
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 350)
        {
            await Runtime.GoschedAsync();
        }
    }),
    "idle-cpu" => IdleCpu(),
    "readme" => Go.Main(async () =>
    {
        // The example in README.md, verbatim.
        var results = new Channel<int>();
        var wg = new WaitGroup();
        for (int i = 0; i < 10; i++)
        {
            wg.Add(1);
            Go.Run(async n => { await results.SendAsync(n * n); wg.Done(); }, i);
        }
        Go.Run(async () => { await wg.WaitAsync(); results.Close(); });
        await foreach (int square in results) { Console.WriteLine(square); }
    }),
    "deadlock-main" => Go.Main(async () =>
    {
        var c = new Channel<int>();
        await c.ReceiveAsync();
    }),
    "deadlock-many" => Go.Main(async () =>
    {
        var c = new Channel<int>();
        var mu = new GoSched.Mutex();
        var wg = new WaitGroup();
        wg.Add(1);
        mu.Lock();
        Go.Run(async () => await c.SendAsync(1));
        Go.Run(async () => await mu.LockAsync());
        Go.Run(() => wg.Wait());
        Go.Run(async () =>
        {
            using var sel = Select.Rent();
            sel.Receive(new Channel<int>());
            sel.Receive(new Channel<string>());
            await sel.WaitAsync();
        });
        Go.Run(() => Chan.Receive<int>(null));
        await Runtime.GoschedAsync();
        await Time.SleepAsync(TimeSpan.FromMilliseconds(20));
        wg.Wait();
    }),
    "deadlock-sync-main" => Go.Main(() =>
    {
        var c = new Channel<int>(1);
        c.Send(1);
        c.Send(2); // blocks the main goroutine's thread forever
    }),
    "no-deadlock-foreign-await" => Go.Main(async () =>
    {
        var c = new Channel<int>();
        Go.Run(async () =>
        {
            await Task.Delay(300); // an awaited .NET task is pending: not a deadlock
            await c.SendAsync(7);
        });
        Console.WriteLine(await c.ReceiveAsync());
    }),
    "deadlock-throw" => ThrowOnFatal(),
    "stuck-handoff" => Go.Main(async () =>
    {
        // GOMAXPROCS=1: one goroutine blocks its thread for 300 ms; print the longest stall of another goroutine.
        await Runtime.GoschedAsync();
        Go.Run(() => Thread.Sleep(300));
        long last = Stopwatch.GetTimestamp();
        long worst = 0;
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 400)
        {
            await Runtime.GoschedAsync();
            long now = Stopwatch.GetTimestamp();
            worst = Math.Max(worst, now - last);
            last = now;
        }
        Console.WriteLine((worst * 1000 / Stopwatch.Frequency).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }),
    "deferred-wake" => Go.Main(async () =>
    {
        // GOMAXPROCS=2, asyncpreemptoff=1: main readies a parked goroutine into its P's runnext and then spins
        // without yielding until that goroutine has run. Only another P can run it; print how long that took (ms).
        var ch = new Channel<int>(0);
        int ran = 0;
        Go.Run(async () =>
        {
            await ch.ReceiveAsync();
            Volatile.Write(ref ran, 1);
        });
        await Time.SleepAsync(TimeSpan.FromMilliseconds(50)); // the receiver parks; the other P goes idle
        var sw = Stopwatch.StartNew();
        await ch.SendAsync(1); // readies the receiver into this P's runnext
        while (Volatile.Read(ref ran) == 0 && sw.ElapsedMilliseconds < 5000)
        {
            Thread.SpinWait(10);
        }
        Console.WriteLine(sw.ElapsedMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }),
    "sleep-main" => Go.Main(async () =>
    {
        // Every goroutine is asleep on a timer: not a deadlock.
        await Time.SleepAsync(TimeSpan.FromMilliseconds(200));
        Time.Sleep(TimeSpan.FromMilliseconds(50));
        Console.WriteLine("woke");
    }),
    _ => Usage(),
};

// Starts work, lets the runtime go idle, and prints the CPU time the process used while idle.
static int IdleCpu()
{
    return Go.Main(async () =>
    {
        for (int i = 0; i < 1000; i++)
        {
            Go.Run(async () => await Runtime.GoschedAsync());
        }
        await Task.Delay(200); // the runtime idles: every M parks, sysmon sleeps
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(1000);
        TimeSpan after = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine((after - before).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture));
    });
}

// The embedding option: the deadlock report comes back as an exception instead of exiting the process.
static int ThrowOnFatal()
{
    Go.ThrowOnFatalError = true;
    try
    {
        return Go.Main(async () => await new Channel<int>().ReceiveAsync());
    }
    catch (FatalErrorException e)
    {
        Console.Write(e.Report);
        return 3;
    }
}

static int Usage()
{
    Console.Error.WriteLine("usage: GoSched.TestPrograms <scenario>");
    return 64;
}
