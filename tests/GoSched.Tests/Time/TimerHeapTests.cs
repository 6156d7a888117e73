using GoSched.Scheduling;

namespace GoSched.Tests.Time;

/// <summary>
/// The per-P timer heap against a sorted-list model: adds, removals by timer, batched takes of due timers, periodic
/// timers, heap ids reused, and moving every timer to another heap. Debug builds also check the heap's invariants after
/// every operation (TimerHeap.AssertInvariants).
/// </summary>
[TestFixture]
public class TimerHeapTests
{
    private static TimerEntry NewTimer(long when, long period = 0) => new() { When = when, Period = period };

    private static bool Add(TimerHeap heap, TimerEntry t)
    {
        lock (heap.SyncRoot)
        {
            return heap.AddLocked(t);
        }
    }

    private static void Remove(TimerHeap heap, TimerEntry t)
    {
        lock (heap.SyncRoot)
        {
            heap.RemoveLocked(t);
        }
    }

    private static List<(TimerEntry Timer, long Scheduled, int Sequence)> Take(TimerHeap heap, long now, int max)
    {
        var fired = default(FiredTimers);
        int n;
        lock (heap.SyncRoot)
        {
            n = heap.TakeDueLocked(now, ref fired, max);
        }
        Assert.That(fired.Count, Is.EqualTo(n));
        var taken = new List<(TimerEntry, long, int)>();
        for (int i = 0; i < n; i++)
        {
            taken.Add((fired.Timers[i]!, fired.Scheduled[i], fired.Sequences[i]));
        }
        return taken;
    }

    [Test]
    public void AddLocked_ReportsANewEarliestTimer()
    {
        var heap = new TimerHeap();
        Assert.That(Add(heap, NewTimer(100)), Is.True);
        Assert.That(Add(heap, NewTimer(200)), Is.False);
        Assert.That(Add(heap, NewTimer(50)), Is.True);
        Assert.That(heap.MinWhen, Is.EqualTo(50));
        Assert.That(heap.Count, Is.EqualTo(3));
    }

    [Test]
    public void TakeDueLocked_TakesDueTimersEarliestFirst_UpToMax()
    {
        var heap = new TimerHeap();
        var timers = new[] { 40L, 10, 30, 20, 50, 60 }.Select(w => NewTimer(w)).ToList();
        timers.ForEach(t => Add(heap, t));

        var first = Take(heap, now: 45, max: 3);
        Assert.That(first.Select(f => f.Scheduled), Is.EqualTo(new[] { 10L, 20, 30 }));
        Assert.That(first.All(f => f.Timer.Heap is null && f.Timer.HeapId == -1), Is.True,
            "taken one-shot timers leave the heap");
        var second = Take(heap, now: 45, max: 3);
        Assert.That(second.Select(f => f.Scheduled), Is.EqualTo(new[] { 40L }));
        Assert.That(heap.MinWhen, Is.EqualTo(50));
        Assert.That(Take(heap, now: 45, max: 3), Is.Empty);
    }

    [Test]
    public void TakeDueLocked_CarriesTheSequenceAtTheTake()
    {
        var heap = new TimerHeap();
        TimerEntry t = NewTimer(10);
        t.Sequence = 7;
        Add(heap, t);
        var taken = Take(heap, now: 10, max: 1);
        t.Sequence++;
        Assert.That(taken.Single().Sequence, Is.EqualTo(7));
    }

    [Test]
    public void TakeDueLocked_PeriodicTimer_MovesToItsNextTime_SkippingMissedPeriods_OncePerTake()
    {
        var heap = new TimerHeap();
        TimerEntry ticker = NewTimer(100, period: 10);
        Add(heap, ticker);
        Add(heap, NewTimer(1000));

        var taken = Take(heap, now: 135, max: FiredTimers.Capacity);
        Assert.That(taken.Select(f => (f.Timer, f.Scheduled)), Is.EqualTo(new[] { (ticker, 100L) }));
        Assert.That(ticker.When, Is.EqualTo(140), "next = when + period*(1 + (now-when)/period)");
        Assert.That(ticker.Heap, Is.SameAs(heap));
        Assert.That(heap.MinWhen, Is.EqualTo(140));
        Assert.That(Take(heap, now: 139, max: 4), Is.Empty);
        Assert.That(Take(heap, now: 140, max: 4).Single().Scheduled, Is.EqualTo(140));
    }

    [Test]
    public void RemoveLocked_AnyPosition_KeepsTheRestInOrder_AndIdsAreReused()
    {
        var heap = new TimerHeap();
        var rng = new Random(1);
        var timers = Enumerable.Range(0, 200).Select(_ => NewTimer(rng.Next(1000))).ToList();
        timers.ForEach(t => Add(heap, t));
        foreach (TimerEntry t in timers.Where((_, i) => i % 3 == 0))
        {
            Remove(heap, t);
            Assert.That(t.Heap, Is.Null);
            Assert.That(t.HeapId, Is.EqualTo(-1));
        }
        var kept = timers.Where((_, i) => i % 3 != 0).ToList();
        var ids = new HashSet<int>(kept.Select(t => t.HeapId));
        Assert.That(ids, Has.Count.EqualTo(kept.Count), "ids are unique");

        // Re-adding reuses the freed ids: no id at or beyond the most timers ever held at once.
        var again = Enumerable.Range(0, 50).Select(_ => NewTimer(rng.Next(1000))).ToList();
        again.ForEach(t => Add(heap, t));
        Assert.That(again.Max(t => t.HeapId), Is.LessThan(200));

        var all = kept.Concat(again).Select(t => t.When).Order().ToList();
        var drained = new List<long>();
        List<(TimerEntry Timer, long Scheduled, int Sequence)> batch;
        while ((batch = Take(heap, now: long.MaxValue - 1, max: FiredTimers.Capacity)).Count > 0)
        {
            drained.AddRange(batch.Select(f => f.Scheduled));
        }
        Assert.That(drained, Is.EqualTo(all));
        Assert.That(heap.MinWhen, Is.EqualTo(long.MaxValue));
    }

    [Test]
    public void RandomOperations_MatchASortedModel()
    {
        var heap = new TimerHeap();
        var model = new List<TimerEntry>();
        var rng = new Random(42);
        long now = 0;
        for (int step = 0; step < 20_000; step++)
        {
            int op = rng.Next(10);
            if (op < 5 || model.Count == 0)
            {
                TimerEntry t = NewTimer(now + rng.Next(1, 500));
                Add(heap, t);
                model.Add(t);
            }
            else if (op < 7)
            {
                TimerEntry t = model[rng.Next(model.Count)];
                Remove(heap, t);
                model.Remove(t);
            }
            else
            {
                now += rng.Next(0, 50);
                int max = rng.Next(1, FiredTimers.Capacity + 1);
                var expected = model.Where(t => t.When <= now).OrderBy(t => t.When).Take(max)
                    .Select(t => t.When).ToList();
                var taken = Take(heap, now, max);
                Assert.That(taken.Select(f => f.Scheduled), Is.EqualTo(expected), $"step {step}");
                foreach ((TimerEntry t, _, _) in taken)
                {
                    Assert.That(model.Remove(t), Is.True, "taken timer was armed");
                }
            }
            Assert.That(heap.Count, Is.EqualTo(model.Count));
            Assert.That(heap.MinWhen, Is.EqualTo(model.Count == 0 ? long.MaxValue : model.Min(t => t.When)));
        }
    }

    [Test]
    public void MoveAllToLocked_MovesEveryTimer()
    {
        var from = new TimerHeap();
        var to = new TimerHeap();
        var moving = Enumerable.Range(0, 100).Select(i => NewTimer(1000 - i)).ToList();
        moving.ForEach(t => Add(from, t));
        var staying = Enumerable.Range(0, 10).Select(i => NewTimer(5000 + i)).ToList();
        staying.ForEach(t => Add(to, t));

        lock (from.SyncRoot)
        {
            lock (to.SyncRoot)
            {
                from.MoveAllToLocked(to);
            }
        }
        Assert.That(from.Count, Is.Zero);
        Assert.That(from.MinWhen, Is.EqualTo(long.MaxValue));
        Assert.That(to.Count, Is.EqualTo(110));
        Assert.That(moving.Concat(staying).All(t => t.Heap == to), Is.True);
        Assert.That(Take(to, now: 10_000, max: FiredTimers.Capacity).Select(f => f.Scheduled),
            Is.EqualTo(Enumerable.Range(0, 32).Select(i => 901L + i)));
    }
}
