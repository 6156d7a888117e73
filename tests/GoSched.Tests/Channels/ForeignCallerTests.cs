namespace GoSched.Tests.Channels;

using Mutex = GoSched.Mutex;
using Select = GoSched.Select;

/// <summary>Callers outside goroutines, and async goroutines using the blocking forms.</summary>
public sealed class ForeignCallerTests
{
    [Test]
    public void BlockingForms_CalledFromAsyncGoroutine_ParkTheThreadAndComplete([Values(1, 2)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var ch = new Channel<int>();
        var mu = new Mutex();
        var wg = new WaitGroup();
        wg.Add(1);
        mu.Lock();
        Task blocker = GoTest.Start(async () =>
        {
            await Task.Yield();
            int v = ch.Receive(); // blocking form inside an async goroutine
            mu.Lock();
            mu.Unlock();
            wg.Wait();
            Assert.That(v, Is.EqualTo(5));
        });
        Task helper = GoTest.Start(async () =>
        {
            await ch.SendAsync(5);
            mu.Unlock();
            wg.Done();
        });
        GoTest.Wait(blocker, helper);
    }

    [Test]
    public void Select_FromPlainThreads_BlockingAndAsync()
    {
        var a = new Channel<int>();
        var b = new Channel<string>();
        Task sender = GoTest.Start(async () =>
        {
            await a.SendAsync(1);
            await b.SendAsync("two");
        });
        var s = new Select();
        int ra = s.Receive(a);
        s.Receive(b);
        Assert.That(s.Wait(), Is.EqualTo(ra));
        Task<int> asyncSelect = Task.Run(async () =>
        {
            var t = new Select();
            t.Receive(a);
            int rb = t.Receive(b);
            int won = await t.WaitAsync();
            Assert.That(t.Value<string>(rb), Is.EqualTo("two"));
            return won;
        });
        GoTest.Wait(sender, asyncSelect);
        Assert.That(asyncSelect.Result, Is.EqualTo(1));
    }

    [Test]
    public void Mutex_ContendedByPlainThreadsAndGoroutines_MutualExclusion()
    {
        var mu = new Mutex();
        int counter = 0;
        var threads = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < 2000; i++)
            {
                mu.Lock();
                counter++;
                mu.Unlock();
            }
        }, TaskCreationOptions.LongRunning)).ToList();
        threads.Add(Task.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                await mu.LockAsync();
                counter++;
                mu.Unlock();
            }
        }));
        threads.Add(GoTest.Start(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                await mu.LockAsync();
                counter++;
                mu.Unlock();
            }
        }));
        GoTest.Wait([.. threads]);
        Assert.That(counter, Is.EqualTo(8000));
    }
}
