using GoSched.Core;
using GoSched.Scheduling;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

/// <summary>
/// The global run queue's lanes: own lane first, the rotating cursor reaches every lane, counts and snapshots cover
/// every lane, and concurrent puts and batch takes lose and duplicate nothing.
/// </summary>
[TestFixture]
public class GlobalRunQueueTests
{
    private static Goroutine NewG(long id) => DetachedGoroutines.New(id);

    private static (GlobalRunQueue Queue, GlobalRunQueueLane A, GlobalRunQueueLane B) TwoPs()
    {
        var q = new GlobalRunQueue();
        return (q, q.AddLane(), q.AddLane());
    }

    [Test]
    public void TryGetBatch_OwnLaneHasWork_TakesFromOwnLane()
    {
        var (q, a, b) = TwoPs();
        b.Put(NewG(1));
        a.Put(NewG(2));
        var local = new LocalRunQueue();
        uint takes = 0, cursor = 0;
        Goroutine? g = q.TryGetBatch(local, a, ref takes, ref cursor, gomaxprocs: 2);
        Assert.That(g!.Id, Is.EqualTo(2));
        Assert.That(b.Count, Is.EqualTo(1), "the other P's lane is left alone while the own lane has work");
    }

    [Test]
    public void TryGetBatch_OwnLaneEmpty_TakesFromAnotherLane()
    {
        var (q, a, b) = TwoPs();
        b.Put(NewG(1));
        q.Put(NewG(2)); // shared lane
        var local = new LocalRunQueue();
        uint takes = 0, cursor = 0;
        var taken = new List<long>
        {
            q.TryGetBatch(local, a, ref takes, ref cursor, gomaxprocs: 2)!.Id,
            q.TryGetBatch(local, a, ref takes, ref cursor, gomaxprocs: 2)!.Id,
        };
        Assert.That(taken, Is.EquivalentTo(new long[] { 1, 2 }));
        Assert.That(q.TryGetBatch(local, a, ref takes, ref cursor, gomaxprocs: 2), Is.Null);
        Assert.That(a.Count + b.Count + q.Shared.Count, Is.Zero);
    }

    /// <summary>A P whose own lane never empties (every goroutine it runs yields back to it) still reaches a goroutine
    /// waiting in another lane within RotateEvery × lanes batch takes: no lane starves.</summary>
    [Test]
    public void TryGetBatch_OwnLaneNeverEmpties_ReachesOtherLanesWithinBound()
    {
        var (q, a, b) = TwoPs();
        Goroutine waiting = NewG(999);
        b.Put(waiting);
        Goroutine foreign = NewG(998);
        q.Put(foreign);
        for (int i = 0; i < 50; i++)
        {
            a.Put(NewG(i));
        }
        var local = new LocalRunQueue();
        uint takes = 0, cursor = 0;
        int bound = GlobalRunQueue.RotateEvery * q.LaneCount;
        var seen = new HashSet<Goroutine>();
        for (int take = 0; take < bound && seen.Count < 2; take++)
        {
            Goroutine first = q.TryGetBatch(local, a, ref takes, ref cursor, gomaxprocs: 2)!;
            var ran = new List<Goroutine> { first };
            while (local.TryGet(out _) is { } g)
            {
                ran.Add(g);
            }
            foreach (Goroutine g in ran)
            {
                if (g == waiting || g == foreign)
                {
                    seen.Add(g);
                }
                else
                {
                    a.Put(g); // it yields again: the own lane is refilled
                }
            }
        }
        Assert.That(seen, Is.EquivalentTo(new[] { waiting, foreign }));
    }

    [Test]
    public void TryGetOne_RotatesOverLanes()
    {
        var (q, a, b) = TwoPs();
        q.Put(NewG(1));
        a.Put(NewG(2));
        b.Put(NewG(3));
        uint cursor = 0;
        var ids = new[] { q.TryGetOne(ref cursor)!.Id, q.TryGetOne(ref cursor)!.Id, q.TryGetOne(ref cursor)!.Id };
        Assert.That(ids, Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(q.TryGetOne(ref cursor), Is.Null);
    }

    [Test]
    public void CountAndSnapshot_CoverEveryLane()
    {
        var (q, a, b) = TwoPs();
        q.Put(NewG(1));
        a.Put(NewG(2));
        b.Put(NewG(3));
        q.PutHead(NewG(0));
        Assert.That(q.Count, Is.EqualTo(4));
        Assert.That(q.Snapshot().Select(g => g.Id), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
    }

    /// <summary>
    /// Threads playing Ps (2, and more than this machine's cores) each put into their own lane, a foreign thread
    /// puts into the shared lane, and every P takes batches into its own ring and re-queues at random: every
    /// goroutine is taken exactly as many times as it was put.
    /// </summary>
    [TestCase(2)]
    [TestCase(8)]
    public void PutAndTryGetBatch_ConcurrentLanes_LoseAndDuplicateNothing(int ps)
    {
        const int PerProducer = 20_000;
        const int Requeues = 3; // each goroutine is put back this many times before it retires
        var q = new GlobalRunQueue();
        var lanes = Enumerable.Range(0, ps).Select(_ => q.AddLane()).ToArray();
        int total = (ps + 1) * PerProducer;
        var goroutines = Enumerable.Range(0, total).Select(i => NewG(i)).ToArray();
        var taken = new int[total];
        int retired = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var foreign = new Thread(() =>
        {
            for (int i = ps * PerProducer; i < total; i++)
            {
                q.Put(goroutines[i]);
            }
        });
        var workers = Enumerable.Range(0, ps).Select(p => new Thread(() =>
        {
            var rnd = new Random(p);
            var local = new LocalRunQueue();
            uint takes = 0, cursor = (uint)p;
            int nextOwn = p * PerProducer;
            while (Volatile.Read(ref retired) < total && !cts.IsCancellationRequested)
            {
                if (nextOwn < (p + 1) * PerProducer)
                {
                    lanes[p].Put(goroutines[nextOwn++]);
                }
                Goroutine? g = q.TryGetBatch(local, lanes[p], ref takes, ref cursor, ps);
                while (g is not null)
                {
                    int n = Interlocked.Increment(ref taken[g.Id]);
                    if (n <= Requeues)
                    {
                        lanes[p].Put(g);
                    }
                    else
                    {
                        Interlocked.Increment(ref retired);
                    }
                    if (rnd.Next(64) == 0)
                    {
                        Thread.Yield(); // randomized interleaving
                    }
                    g = local.TryGet(out _);
                }
            }
        })).ToArray();
        foreign.Start();
        foreach (Thread t in workers)
        {
            t.Start();
        }
        foreign.Join();
        foreach (Thread t in workers)
        {
            t.Join();
        }
        Assert.That(cts.IsCancellationRequested, Is.False,
            $"timed out: {retired} of {total} retired, {q.Count} still queued");
        Assert.That(taken.Count(n => n != Requeues + 1), Is.Zero, "a goroutine was lost or taken twice");
        Assert.That(q.Count, Is.Zero);
    }
}
