using GoSched.Core;
using GoSched.Scheduling;
using GoSched.Tests.Support;

namespace GoSched.Tests.Scheduler;

/// <summary>One lane of the global run queue: FIFO through growth and wrap-around, head pushes, batches, and shrinking.</summary>
[TestFixture]
public class GlobalRunQueueLaneTests
{
    private static Goroutine NewG(long id) => DetachedGoroutines.New(id);

    [Test]
    public void Put_ThroughGrowthAndWrapAround_KeepsFifoOrder()
    {
        var q = new GlobalRunQueueLane();
        long next = 1, expected = 1;
        // Interleave puts and takes so that the ring wraps before it grows, then grows while wrapped.
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < 40 + round * 3; i++)
            {
                q.Put(NewG(next++));
            }
            for (int i = 0; i < 30; i++)
            {
                Assert.That(q.TryGetOne()!.Id, Is.EqualTo(expected++));
            }
        }
        Assert.That(q.Count, Is.EqualTo(next - expected));
        Assert.That(q.Snapshot().Select(g => g.Id), Is.EqualTo(Enumerable.Range((int)expected, (int)(next - expected)).Select(i => (long)i)));
        while (q.TryGetOne() is { } g)
        {
            Assert.That(g.Id, Is.EqualTo(expected++));
        }
        Assert.That(expected, Is.EqualTo(next));
        Assert.That(q.Count, Is.Zero);
    }

    [Test]
    public void PutHead_GoesBeforeQueued()
    {
        var q = new GlobalRunQueueLane();
        q.Put(NewG(3));
        q.PutHead(NewG(2));
        q.PutHead(NewG(1));
        q.Put(NewG(4));
        Assert.That(q.Snapshot().Select(g => g.Id), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void PutBatch_AppendsInOrder()
    {
        var q = new GlobalRunQueueLane();
        q.Put(NewG(1));
        Goroutine?[] batch = [NewG(2), NewG(3), NewG(4), null];
        q.PutBatch(batch, 3);
        Assert.That(q.Snapshot().Select(g => g.Id), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
    }

    [TestCase(1, 100, 100)]
    [TestCase(2, 100, 51)]
    [TestCase(4, 100, 26)]
    [TestCase(1, 1000, 128)] // half the local ring at most
    public void TryGetBatch_TakesGoSizedBatch_IntoLocalRing(int gomaxprocs, int queued, int expectedTaken)
    {
        var q = new GlobalRunQueueLane();
        for (int i = 1; i <= queued; i++)
        {
            q.Put(NewG(i));
        }
        var local = new LocalRunQueue();
        Goroutine? first = q.TryGetBatch(local, gomaxprocs);
        Assert.That(first!.Id, Is.EqualTo(1));
        Assert.That(local.Count, Is.EqualTo(expectedTaken - 1));
        Assert.That(q.Count, Is.EqualTo(queued - expectedTaken));
        for (int i = 2; i <= expectedTaken; i++)
        {
            Assert.That(local.TryGet(out _)!.Id, Is.EqualTo(i));
        }
        Assert.That(q.TryGetOne()?.Id, queued > expectedTaken ? Is.EqualTo(expectedTaken + 1) : Is.Null);
    }

    [Test]
    public void TryGetBatch_AfterLargeBurstDrains_KeepsWorkingAndOrder()
    {
        var q = new GlobalRunQueueLane();
        const int Burst = 300_000; // grows past the shrink threshold
        for (int i = 1; i <= Burst; i++)
        {
            q.Put(NewG(i));
        }
        var local = new LocalRunQueue();
        long expected = 1;
        while (q.Count > 0)
        {
            Goroutine first = q.TryGetBatch(local, 1)!;
            Assert.That(first.Id, Is.EqualTo(expected++));
            while (local.TryGet(out _) is { } g)
            {
                Assert.That(g.Id, Is.EqualTo(expected++));
            }
        }
        Assert.That(expected, Is.EqualTo(Burst + 1));
    }

    [Test]
    public void MoveAllTo_AppendsEverythingInOrder_AndEmptiesTheLane()
    {
        var from = new GlobalRunQueueLane();
        var to = new GlobalRunQueueLane();
        to.Put(NewG(1));
        for (int i = 2; i <= 100; i++)
        {
            from.Put(NewG(i));
        }
        from.MoveAllTo(to);
        Assert.That(from.Count, Is.Zero);
        Assert.That(to.Snapshot().Select(g => g.Id), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)));
        from.MoveAllTo(to); // empty: nothing moves
        Assert.That(to.Count, Is.EqualTo(100));
    }
}
