using GoSched.Core;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

/// <summary>
/// Exited goroutine objects are reused by later spawns (Go's gfput/gfget): a reused object gets a new identity, the
/// live count stays exact, and a continuation posted on behalf of an ended goroutine never runs inside the
/// goroutine that reuses its object.
/// </summary>
[TestFixture]
public class GoroutineRecyclingTests : GoroutineTest
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void Spawn_AfterManyExits_ReusesObjectsWithFreshIdentity(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var seen = new Dictionary<Goroutine, long>(ReferenceEqualityComparer.Instance);
        var ids = new HashSet<long>();
        int reused = 0;
        RunGoroutine(async () =>
        {
            for (int round = 0; round < 20; round++)
            {
                var join = new Countdown(100);
                var gs = new (Goroutine G, long Id)[100];
                for (int i = 0; i < 100; i++)
                {
                    Go.Run(static s =>
                    {
                        s.Gs[s.I] = (Goroutine.Current!, Goroutine.Current!.Id);
                        s.Join.Signal();
                    }, (Gs: gs, I: i, Join: join));
                }
                await join.Task;
                await Task.Delay(1); // let the joined goroutines finish exiting
                foreach ((Goroutine g, long id) in gs)
                {
                    Assert.That(ids.Add(id), Is.True, $"goroutine id {id} seen twice");
                    if (seen.TryGetValue(g, out long earlier))
                    {
                        // Ids come from per-P batches, so they are unique but not ordered across Ps.
                        Assert.That(id, Is.Not.EqualTo(earlier), "a reused object keeps a stale id");
                        reused++;
                    }
                    seen[g] = id;
                }
            }
        });
        Assert.That(reused, Is.GreaterThan(0), "no goroutine object was ever reused");
    }

    [Test]
    public void Post_AfterGoroutineEndedAndObjectReused_RunsOnThreadPool()
    {
        Runtime.GOMAXPROCS(1);
        SynchronizationContext? captured = null;
        Goroutine? first = null;
        RunGoroutine(() =>
        {
            captured = SynchronizationContext.Current;
            first = Goroutine.Current;
            return Task.CompletedTask;
        });
        Assert.That(captured, Is.InstanceOf<GoroutineSynchronizationContext>());
        WaitUntil(() => ((GoroutineSynchronizationContext)captured!).Goroutine is null, "the goroutine to end");

        // Park goroutines (spawned from a goroutine, so they take objects from its P's free list) until one of them
        // reuses the first one's object.
        var release = new Channel<int>(0);
        int parked = 0;
        RunGoroutine(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                Go.Run(async () =>
                {
                    Interlocked.Increment(ref parked);
                    await release.ReceiveAsync();
                });
            }
            return Task.CompletedTask;
        });
        WaitUntil(() => Volatile.Read(ref parked) == 200, "the goroutines to park");
        Assert.That(first!.Status, Is.EqualTo(GoroutineStatus.Waiting), "the first goroutine's object was not reused");

        var ran = new TaskCompletionSource<(Goroutine?, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        captured!.Post(_ => ran.SetResult((Goroutine.Current, Thread.CurrentThread.IsThreadPoolThread)), null);
        WaitOrDump(ran.Task);
        (Goroutine? current, bool onPool) = ran.Task.Result;
        Assert.That(current, Is.Null, "a stale post ran inside the goroutine that reuses the object");
        Assert.That(onPool, Is.True);

        for (int i = 0; i < 200; i++)
        {
            release.Send(0);
        }
        WaitUntil(() => LiveGoroutines() == 0, "the parked goroutines to finish");
    }

    [TestCase(1)]
    [TestCase(2)]
    public void FireAndForgetContinuation_AfterItsGoroutineEnded_DoesNotRunInAnotherGoroutine(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource<Goroutine?>(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Child()
        {
            await gate.Task; // captures the goroutine's context, which posts the continuation back
            observed.SetResult(Goroutine.Current);
        }

        var release = new Channel<int>(0);
        var join = new Countdown(500);
        RunGoroutine(async () =>
        {
            var ended = new Countdown(1);
            Go.Run(() =>
            {
                _ = Child(); // not awaited: the goroutine ends first
                ended.Signal();
                return Task.CompletedTask;
            });
            await ended.Task;
            await Task.Delay(1);

            // Keep many goroutines alive (parked) so that the ended goroutine's object is reused by one of them.
            for (int i = 0; i < 500; i++)
            {
                Go.Run(async () =>
                {
                    await release.ReceiveAsync();
                    join.Signal();
                });
            }
        });
        WaitUntil(() => Runtime.NumGoroutine() >= 500, "the goroutines to start");
        gate.SetResult();
        WaitOrDump(observed.Task);
        Assert.That(observed.Task.Result, Is.Null, "the continuation ran inside a goroutine that was not its own");
        for (int i = 0; i < 500; i++)
        {
            release.Send(0);
        }
        WaitOrDump(join.Task);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(8)]
    public void NumGoroutine_WithRecycledObjects_IsExactAfterJoin(int procs)
    {
        Runtime.GOMAXPROCS(procs);
        int baseline = WaitForQuiescence();
        for (int round = 0; round < 5; round++)
        {
            var join = new Countdown(2000);
            var gate = new Channel<int>(0);
            Go.Run(() =>
            {
                for (int i = 0; i < 2000; i++)
                {
                    if ((i & 1) == 0)
                    {
                        Go.Run(() =>
                        {
                            gate.Receive();
                            join.Signal();
                        });
                    }
                    else
                    {
                        Go.Run(async () =>
                        {
                            await gate.ReceiveAsync();
                            join.Signal();
                        });
                    }
                }
            });
            WaitUntil(() => Runtime.NumGoroutine() == baseline + 2000, "every goroutine to be counted");
            gate.Close();
            WaitOrDump(join.Task);
            WaitUntil(() => Runtime.NumGoroutine() == baseline, "the count to drop back");
        }
    }
}
