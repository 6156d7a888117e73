namespace GoSched.Tests.Sync;

using Mutex = GoSched.Mutex;

public sealed class CondTests
{
    [Test]
    public void Signal_WakesWaitersInFifoOrder([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var mu = new Mutex();
        var cond = new Cond(mu);
        int entered = 0;
        var woken = new Channel<int>(10);
        var tasks = new List<Task>();
        for (int i = 0; i < 6; i++)
        {
            int id = i;
            tasks.Add(id % 2 == 0
                ? GoTest.Start(async () =>
                {
                    await mu.LockAsync();
                    entered++;
                    await cond.WaitAsync();
                    mu.Unlock();
                    await woken.SendAsync(id);
                })
                : GoTest.StartSync(() =>
                {
                    mu.Lock();
                    entered++;
                    cond.Wait();
                    mu.Unlock();
                    woken.Send(id);
                }));
            GoTest.WaitUntil(() =>
            {
                mu.Lock();
                int e = entered;
                mu.Unlock();
                return e == id + 1;
            }, "waiter " + id);
        }
        for (int i = 0; i < 6; i++)
        {
            cond.Signal();
            Assert.That(woken.Receive(), Is.EqualTo(i));
        }
        GoTest.Wait([.. tasks]);
    }

    [Test]
    public void Broadcast_WakesAll()
    {
        var mu = new Mutex();
        var cond = new Cond(mu);
        bool ready = false;
        int waiting = 0;
        var tasks = Enumerable.Range(0, 10).Select(_ => GoTest.Start(async () =>
        {
            await mu.LockAsync();
            waiting++;
            while (!ready)
            {
                await cond.WaitAsync();
            }
            mu.Unlock();
        })).ToArray();
        GoTest.WaitUntil(() =>
        {
            mu.Lock();
            int w = waiting;
            mu.Unlock();
            return w == 10;
        }, "waiters");
        mu.Lock();
        ready = true;
        cond.Broadcast();
        mu.Unlock();
        GoTest.Wait(tasks);
    }
}

public sealed class OnceTests
{
    [Test]
    public void Do_ManyGoroutines_RunsOnceAndAllSeeItDone([Values(1, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var once = new Once();
        int runs = 0;
        bool done = false;
        var tasks = Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? GoTest.StartSync(() =>
            {
                once.Do(() =>
                {
                    Interlocked.Increment(ref runs);
                    Thread.Sleep(5);
                    Volatile.Write(ref done, true);
                });
                Assert.That(Volatile.Read(ref done), Is.True);
            })
            : GoTest.Start(async () =>
            {
                await once.DoAsync(async () =>
                {
                    Interlocked.Increment(ref runs);
                    await Runtime.GoschedAsync();
                    Volatile.Write(ref done, true);
                });
                Assert.That(Volatile.Read(ref done), Is.True);
            })).ToArray();
        GoTest.Wait(tasks);
        Assert.That(runs, Is.EqualTo(1));
    }
}

public sealed class RWMutexTests
{
    [Test]
    public void ReadersAndWriters_Mixed_WritersExclusive([Values(1, 2, 8)] int procs)
    {
        using var procsScope = GoTest.MaxProcs(procs);
        var rw = new RWMutex();
        int readers = 0, writers = 0, value = 0;
        var tasks = new List<Task>();
        for (int g = 0; g < 6; g++)
        {
            bool writer = g < 2;
            tasks.Add(GoTest.Start(async () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    if (writer)
                    {
                        await rw.LockAsync();
                        Assert.That(Interlocked.Increment(ref writers), Is.EqualTo(1));
                        Assert.That(Volatile.Read(ref readers), Is.Zero);
                        value++;
                        Interlocked.Decrement(ref writers);
                        rw.Unlock();
                    }
                    else
                    {
                        await rw.RLockAsync();
                        Interlocked.Increment(ref readers);
                        Assert.That(Volatile.Read(ref writers), Is.Zero);
                        if (i % 50 == 0)
                        {
                            await Runtime.GoschedAsync();
                        }
                        Interlocked.Decrement(ref readers);
                        rw.RUnlock();
                    }
                }
            }));
        }
        tasks.Add(GoTest.StartSync(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                rw.Lock();
                value++;
                rw.Unlock();
                rw.RLock();
                rw.RUnlock();
            }
        }));
        GoTest.Wait([.. tasks]);
        Assert.That(value, Is.EqualTo(1500));
    }

    [Test]
    public void RLock_WriterPending_NewReaderWaitsForWriter()
    {
        using var procsScope = GoTest.MaxProcs(2);
        var rw = new RWMutex();
        var order = new Channel<string>(4);
        rw.RLock();
        Task writer = GoTest.StartSync(() =>
        {
            rw.Lock();
            order.Send("writer");
            rw.Unlock();
        });
        GoTest.WaitUntil(() => Scheduling.Scheduler.Default.DumpAllGoroutines().Contains("[sync.RWMutex.Lock"), "writer pending");
        Task reader = GoTest.Start(async () =>
        {
            await rw.RLockAsync();
            await order.SendAsync("reader");
            rw.RUnlock();
        });
        GoTest.WaitUntil(() => Scheduling.Scheduler.Default.DumpAllGoroutines().Contains("[sync.RWMutex.RLock"), "reader blocked");
        rw.RUnlock();
        GoTest.Wait(writer, reader);
        Assert.That(order.Receive(), Is.EqualTo("writer"));
        Assert.That(order.Receive(), Is.EqualTo("reader"));
    }
}
