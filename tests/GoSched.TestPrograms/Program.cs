using GoSched;

// Whole programs run in a child process by the tests: each scenario prints what a Go program would print, and
// the tests check stdout, stderr and the exit code.
return args.Length == 0 ? Usage() : args[0] switch
{
    "runnext-order" => Go.Main(async () =>
    {
        Runtime.GOMAXPROCS(1);
        var order = new List<string>();
        Go.Run(() => order.Add("A"));
        Go.Run(() => order.Add("B"));
        Go.Run(() => order.Add("C"));
        await Runtime.GoschedAsync();
        Console.WriteLine(string.Join(",", order));
    }),
    "panic" => Go.Main(async () =>
    {
        await Runtime.GoschedAsync();
        Runtime.Panic("boom");
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
    "hello" => Go.Main(() => Console.WriteLine("hello from goroutine " + GoSched.Core.Goroutine.Current!.Id)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: GoSched.TestPrograms <scenario>");
    return 64;
}
