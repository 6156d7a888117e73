using GoSched.Core;
using GoSched.Scheduling;
using GoSched.Tests.Support;

namespace GoSched.Tests.GoPorts;

/// <summary>
/// Ports of Go's TestSchedLocalQueue, TestSchedLocalQueueSteal and TestSchedLocalQueueEmpty (runtime/proc_test.go,
/// bodies in runtime/export_test.go) against GoSched's local run queue.
/// </summary>
[NonParallelizable]
public sealed class SchedQueuePortTests
{
    private static Goroutine NewG(long id) => DetachedGoroutines.New(id);

    // Ports Go's TestSchedLocalQueue (RunSchedLocalQueueTest): for every fill level 0..capacity-1, i puts of one
    // goroutine come back as i gets of it, and the queue is empty before and after.
    [Test]
    public void TestSchedLocalQueue()
    {
        var p = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        var gs = Enumerable.Range(0, p.Capacity).Select(i => NewG(i + 1)).ToArray();
        for (int i = 0; i < p.Capacity; i++)
        {
            Assert.That(p.TryGet(out _), Is.Null, "runq is not empty initially");
            for (int j = 0; j < i; j++)
            {
                p.Put(gs[i], next: false, global);
            }
            for (int j = 0; j < i; j++)
            {
                Assert.That(p.TryGet(out _), Is.SameAs(gs[i]), $"bad element at iter {i}/{j}");
            }
            Assert.That(p.TryGet(out _), Is.Null, "runq is not empty afterwards");
        }
        Assert.That(global.Count, Is.Zero);
    }

    // Ports Go's TestSchedLocalQueueSteal (RunSchedLocalQueueStealTest): stealing from a queue of i goroutines takes
    // i/2 or i/2+1 of them, and every goroutine ends up in exactly one of the two queues.
    [Test]
    public void TestSchedLocalQueueSteal()
    {
        var p1 = new LocalRunQueue();
        var p2 = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        var gs = Enumerable.Range(0, p1.Capacity).Select(i => NewG(i + 1)).ToArray();
        var sig = new Dictionary<Goroutine, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < p1.Capacity; i++)
        {
            for (int j = 0; j < i; j++)
            {
                sig[gs[j]] = 0;
                p1.Put(gs[j], next: false, global);
            }
            Goroutine? gp = p2.StealFrom(p1, stealRunNext: true, victimIsRunning: false);
            int s = 0;
            if (gp is not null)
            {
                s++;
                sig[gp]++;
            }
            while ((gp = p2.TryGet(out _)) is not null)
            {
                s++;
                sig[gp]++;
            }
            while ((gp = p1.TryGet(out _)) is not null)
            {
                sig[gp]++;
            }
            for (int j = 0; j < i; j++)
            {
                Assert.That(sig[gs[j]], Is.EqualTo(1), $"bad element {j} ({sig[gs[j]]}) at iter {i}");
            }
            Assert.That(s == i / 2 || s == i / 2 + 1, Is.True, $"bad steal {s}, want {i / 2} or {i / 2 + 1}, iter {i}");
        }
        Assert.That(global.Count, Is.Zero);
    }

    // Ports Go's TestSchedLocalQueueEmpty (RunSchedLocalQueueEmptyTest): while the owner puts a second goroutine and
    // takes one out, a concurrent observer never sees the queue as empty (with and without runnext). Go runs 1e5
    // iterations; we run 1e4. The observer is a dedicated thread rather than a goroutine spinning on a P.
    [Test]
    public void TestSchedLocalQueueEmpty()
    {
        if (Environment.ProcessorCount == 1)
        {
            Assert.Ignore("skipping on uniprocessor");
        }
        const int Iters = 10_000;
        var p = new LocalRunQueue();
        var global = new GlobalRunQueueLane();
        Goroutine[] gs = [NewG(1), NewG(2)];
        int ready = 0;
        int go = 0;
        int done = 0;
        string? failure = null;
        bool next0 = false, next1 = false;
        var observer = new Thread(() =>
        {
            for (int i = 1; i <= Iters; i++)
            {
                while (Volatile.Read(ref go) != i)
                {
                    Thread.SpinWait(1);
                }
                for (Interlocked.Increment(ref ready); Volatile.Read(ref ready) != 2;)
                {
                }
                if (p.IsEmpty && failure is null)
                {
                    failure = $"queue is empty (iteration {i - 1}, next: {next0} {next1})";
                }
                Volatile.Write(ref done, i);
            }
        })
        { IsBackground = true, Name = "runq observer" };
        observer.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (int i = 0; i < Iters; i++)
        {
            Volatile.Write(ref ready, 0);
            next0 = (i & 1) == 0;
            next1 = (i & 2) == 0;
            p.Put(gs[0], next0, global);
            Volatile.Write(ref go, i + 1);
            for (Interlocked.Increment(ref ready); Volatile.Read(ref ready) != 2;)
            {
            }
            p.Put(gs[1], next1, global);
            p.TryGet(out _);
            while (Volatile.Read(ref done) != i + 1)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "observer thread stopped making progress");
                Thread.SpinWait(1);
            }
            p.TryGet(out _);
        }
        Assert.That(observer.Join(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(failure, Is.Null);
    }
}
