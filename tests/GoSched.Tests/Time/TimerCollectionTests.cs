using System.Diagnostics;
using System.Runtime.CompilerServices;
using GoSched.Scheduling;
using GoSched.Tests.Support;
using RuntimeScheduler = GoSched.Scheduling.Scheduler;

namespace GoSched.Tests.Time;

using GoTime = GoSched.Time;
using Select = GoSched.Select;

/// <summary>
/// Go 1.23: timers and tickers that the program no longer references are collected even if never stopped, while a
/// timer that something still waits on (a receiver, the program through its channel) keeps firing. Objects are
/// created in non-inlined helpers so that no local of the test method keeps them alive (Debug builds extend locals
/// to the end of their method).
/// </summary>
[TestFixture]
[NonParallelizable]
public class TimerCollectionTests : GoroutineTest
{
    private static readonly TimeSpan CollectBound = TimeSpan.FromSeconds(10);

    [Test]
    public void Ticker_UnreferencedAndNeverStopped_IsCollectedAndLeavesHeap()
    {
        const int N = 50;
        (WeakReference[] objects, TimerEntry[] entries) = StartTickers(N, TimeSpan.FromMilliseconds(2));
        int armed = TotalTimersInHeaps();
        Assert.That(entries.All(e => e.Heap is not null), Is.True, "tickers armed");

        CollectFully();
        Assert.That(objects.Count(w => w.IsAlive), Is.EqualTo(0), "tickers or their channels survived a collection");

        // Each entry is dropped when it next comes due and finds its ticker gone.
        WaitUntil(() => entries.All(e => e.Heap is null), "the entries of collected tickers to leave their heaps");
        Assert.That(TotalTimersInHeaps(), Is.LessThanOrEqualTo(armed - N), "heap count after the tickers were collected");
    }

    [Test]
    public void NewTimerAndAfter_UnreferencedAndArmed_AreCollected()
    {
        WeakReference[] objects = StartLongTimers();
        CollectFully();
        Assert.That(objects.Count(w => w.IsAlive), Is.EqualTo(0), "armed timers or their channels survived a collection");
    }

    [Test]
    public void Tick_OnlyChannelReferenced_KeepsTickingAcrossCollections()
    {
        Channel<DateTime> c = GoTime.Tick(TimeSpan.FromMilliseconds(5))!;
        var sw = Stopwatch.StartNew();
        int ticks = 0;
        while (ticks < 3 && sw.Elapsed < CollectBound)
        {
            CollectFully();
            Thread.Sleep(10);
            if (c.TryReceive(out _))
            {
                ticks++;
            }
        }
        Assert.That(ticks, Is.EqualTo(3), "a ticker reachable through its channel stopped ticking");
        GC.KeepAlive(c);
    }

    [Test]
    public void Stop_UnreferencedAfterStop_IsCollected()
    {
        WeakReference w = StartAndStopTicker();
        CollectFully();
        Assert.That(w.IsAlive, Is.False);
    }

    /// <summary>A plain .NET async method that nobody references, awaiting an unreferenced timer: only the timer's
    /// heap entry roots the chain, through the pin that a blocked receiver sets.</summary>
    [Test]
    public void ReceiveAsync_ForeignWaiterOnUnreferencedTimer_CompletesDespiteCollections()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StartForeignWaiter(done, TimeSpan.FromMilliseconds(100));
        CollectUntil(done.Task);
        Assert.That(done.Task.IsCompleted, Is.True, "the waiter was collected with its timer and never woke");
    }

    [Test]
    public void Receive_SyncGoroutineOnUnreferencedTimer_CompletesDespiteCollections()
    {
        Task t = GoTest.StartSync(ReceiveFromUnreferencedTimer);
        CollectUntil(t);
        GoTest.Wait(t);
    }

    [Test]
    public void Wait_SelectOnUnreferencedAfter_CompletesDespiteCollections()
    {
        Task t = GoTest.StartSync(SelectOnUnreferencedAfter);
        CollectUntil(t);
        GoTest.Wait(t);
    }

    [Test]
    public void ReceiveAsync_UnreferencedTicker_KeepsDeliveringToItsReceiver()
    {
        Task t = GoTest.Start(ReceiveTicksAsync);
        CollectUntil(t);
        GoTest.Wait(t);
    }

    [Test]
    public void AfterFunc_Unreferenced_StillRunsAfterCollections()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StartUnreferencedAfterFunc(ran, TimeSpan.FromMilliseconds(50));
        CollectUntil(ran.Task);
        Assert.That(ran.Task.IsCompleted, Is.True, "an unreferenced AfterFunc must still run, as in Go");
    }

    [Test]
    public void Sleep_CollectionsWhileSleeping_Returns()
    {
        Task t = GoTest.StartSync(() => GoTime.Sleep(TimeSpan.FromMilliseconds(50)));
        Task a = GoTest.Start(async () => await GoTime.SleepAsync(TimeSpan.FromMilliseconds(50)));
        CollectUntil(Task.WhenAll(t, a));
        GoTest.Wait(t, a);
    }

    // ---- Helpers (not inlined, so that nothing they create stays on the test's stack) --------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference[] Objects, TimerEntry[] Entries) StartTickers(int n, TimeSpan period)
    {
        var objects = new List<WeakReference>();
        var entries = new TimerEntry[n];
        for (int i = 0; i < n; i++)
        {
            GoTime.Ticker ticker = GoTime.NewTicker(period);
            objects.Add(new WeakReference(ticker));
            objects.Add(new WeakReference(ticker.C));
            entries[i] = ticker.Core.Entry;
        }
        return (objects.ToArray(), entries);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] StartLongTimers()
    {
        GoTime.Timer timer = GoTime.NewTimer(TimeSpan.FromHours(1));
        return
        [
            new WeakReference(timer),
            new WeakReference(timer.C),
            new WeakReference(GoTime.After(TimeSpan.FromHours(1))),
            new WeakReference(GoTime.Tick(TimeSpan.FromHours(1))),
        ];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference StartAndStopTicker()
    {
        GoTime.Ticker ticker = GoTime.NewTicker(TimeSpan.FromMilliseconds(1));
        ticker.Stop();
        return new WeakReference(ticker);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StartForeignWaiter(TaskCompletionSource done, TimeSpan d)
    {
        _ = Wait();

        async Task Wait()
        {
            await GoTime.After(d).ReceiveAsync();
            done.SetResult();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReceiveFromUnreferencedTimer() => GoTime.NewTimer(TimeSpan.FromMilliseconds(100)).C.Receive();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SelectOnUnreferencedAfter()
    {
        var never = new Channel<int>();
        using var s = new Select();
        s.Receive(never);
        int timeout = s.Receive(GoTime.After(TimeSpan.FromMilliseconds(100)));
        Assert.That(s.Wait(), Is.EqualTo(timeout));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ReceiveTicksAsync()
    {
        for (int i = 0; i < 3; i++)
        {
            await NewTickerChannel().ReceiveAsync();
        }

        static Channel<DateTime> NewTickerChannel() => GoTime.NewTicker(TimeSpan.FromMilliseconds(30)).C;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StartUnreferencedAfterFunc(TaskCompletionSource ran, TimeSpan d) =>
        GoTime.AfterFunc(d, () => ran.TrySetResult());

    private static int TotalTimersInHeaps() => RuntimeScheduler.Default.AllProcessors.Sum(p => p.TimerCount);

    private static void CollectFully()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>Forces collections every few milliseconds until <paramref name="task"/> completes (or the bound).</summary>
    private static void CollectUntil(Task task)
    {
        var sw = Stopwatch.StartNew();
        while (!task.IsCompleted && sw.Elapsed < CollectBound)
        {
            CollectFully();
            Thread.Sleep(5);
        }
    }
}
