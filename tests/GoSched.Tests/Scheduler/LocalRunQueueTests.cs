using GoSched.Core;
using GoSched.Scheduling;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

/// <summary>Push/pop/steal on the local run queue: no goroutine lost or duplicated.</summary>
[TestFixture]
public class LocalRunQueueTests
{
    private static Goroutine NewG(long id) => DetachedGoroutines.New(id);

    [Test]
    public void Put_WithNext_KicksPreviousRunNextToTail()
    {
        var q = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        Goroutine a = NewG(1), b = NewG(2), c = NewG(3);
        q.Put(a, next: true, global);
        q.Put(b, next: true, global);
        q.Put(c, next: true, global);
        Assert.That(q.TryGet(out bool inherit), Is.SameAs(c));
        Assert.That(inherit, Is.True);
        Assert.That(q.TryGet(out inherit), Is.SameAs(a));
        Assert.That(inherit, Is.False);
        Assert.That(q.TryGet(out _), Is.SameAs(b));
        Assert.That(q.TryGet(out _), Is.Null);
    }

    [TestCase(4)]
    [TestCase(256)]
    public void Put_WhenFull_MovesHalfPlusOneToGlobalInOrder(int capacity)
    {
        var q = new LocalRunQueue(capacity);
        var global = new GlobalRunQueueLane();
        var gs = Enumerable.Range(1, capacity + 1).Select(i => NewG(i)).ToArray();
        foreach (Goroutine g in gs)
        {
            q.Put(g, next: false, global);
        }
        Assert.That(global.Count, Is.EqualTo(capacity / 2 + 1));
        Assert.That(q.Count, Is.EqualTo(capacity / 2));
        var globalOrder = global.Snapshot().Select(g => g.Id).ToArray();
        long[] expected = [.. Enumerable.Range(1, capacity / 2).Select(i => (long)i), capacity + 1];
        Assert.That(globalOrder, Is.EqualTo(expected));
    }

    [Test]
    public void StealFrom_TakesHalfRoundedUp_FromHead()
    {
        var victim = new LocalRunQueue();
        var thief = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        for (int i = 1; i <= 5; i++)
        {
            victim.Put(NewG(i), next: false, global);
        }
        Goroutine? first = thief.StealFrom(victim, stealRunNext: false, victimIsRunning: false);
        Assert.That(first, Is.Not.Null);
        Assert.That(thief.Count + 1, Is.EqualTo(3));
        Assert.That(victim.Count, Is.EqualTo(2));
        Assert.That(thief.TryGet(out _)!.Id, Is.EqualTo(1));
        Assert.That(thief.TryGet(out _)!.Id, Is.EqualTo(2));
        Assert.That(first!.Id, Is.EqualTo(3));
    }

    [Test]
    public void StealFrom_RunNextOnlyWhenAllowed()
    {
        var victim = new LocalRunQueue();
        var thief = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        victim.Put(NewG(7), next: true, global);
        Assert.That(thief.StealFrom(victim, stealRunNext: false, victimIsRunning: false), Is.Null);
        Assert.That(thief.StealFrom(victim, stealRunNext: true, victimIsRunning: true)!.Id, Is.EqualTo(7));
        Assert.That(victim.IsEmpty, Is.True);
    }

    /// <summary>
    /// One owner pushes and pops (with runnext), several thieves steal into their own queues and drain them:
    /// every goroutine must come out exactly once. Capacity 4 reaches overflow and wrap-around constantly.
    /// </summary>
    [TestCase(4, 1)]
    [TestCase(4, 3)]
    [TestCase(256, 1)]
    [TestCase(256, 3)]
    public void PushPopSteal_Stress_EveryGoroutineExactlyOnce(int capacity, int thieves)
    {
        const int total = 200_000;
        var owner = new LocalRunQueue(capacity);
        var global = new GlobalRunQueueLane();
        var seen = new int[total + 1];
        var gs = Enumerable.Range(1, total).Select(i => NewG(i)).ToArray();
        int produced = 0;
        int consumed = 0;
        void Take(Goroutine g)
        {
            Interlocked.Increment(ref seen[g.Id]);
            Interlocked.Increment(ref consumed);
        }

        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var thiefThreads = Enumerable.Range(0, thieves).Select(t => new Thread(() =>
        {
            var mine = new LocalRunQueue(capacity);
            var rnd = new Random(t);
            while (Volatile.Read(ref consumed) < total && !stop.IsCancellationRequested)
            {
                Goroutine? g = mine.StealFrom(owner, stealRunNext: rnd.Next(4) == 0, victimIsRunning: false);
                if (g is null)
                {
                    if (global.TryGetOne() is { } fromGlobal)
                    {
                        Take(fromGlobal);
                    }
                    Thread.Yield();
                    continue;
                }
                Take(g);
                while (mine.TryGet(out _) is { } more)
                {
                    Take(more);
                }
            }
        })).ToList();
        thiefThreads.ForEach(t => t.Start());

        var ownerRandom = new Random(42);
        while (produced < total && !stop.IsCancellationRequested)
        {
            int burst = ownerRandom.Next(1, capacity * 2);
            for (int i = 0; i < burst && produced < total; i++)
            {
                owner.Put(gs[produced++], next: ownerRandom.Next(3) == 0, global);
            }
            int pops = ownerRandom.Next(0, burst);
            for (int i = 0; i < pops; i++)
            {
                if (owner.TryGet(out _) is { } g)
                {
                    Take(g);
                }
            }
        }
        while (owner.TryGet(out _) is { } rest)
        {
            Take(rest);
        }
        while (global.TryGetOne() is { } fromGlobal)
        {
            Take(fromGlobal);
        }
        foreach (Thread t in thiefThreads)
        {
            Assert.That(t.Join(TimeSpan.FromSeconds(60)), Is.True, "thief did not finish");
        }
        while (global.TryGetOne() is { } late)
        {
            Take(late);
        }
        Assert.That(stop.IsCancellationRequested, Is.False, "stress run timed out");
        Assert.That(seen.Skip(1).Count(c => c != 1), Is.Zero, "goroutines lost or duplicated");
        Assert.That(consumed, Is.EqualTo(total));
    }
}
