namespace GoSched.Tests.Select;

using Select = GoSched.Select;

public sealed class SelectHandlerTests
{
    [Test]
    public void RunAsync_ReceiveReady_RunsThatHandler()
    {
        var numbers = new Channel<int>(1);
        var words = new Channel<string>();
        numbers.TrySend(7);
        string log = "";
        GoTest.Run(async () =>
        {
            int won = await new Select()
                .OnReceive(words, w => log += "word " + w)
                .OnReceive(numbers, (n, ok) => log += $"number {n} {ok}")
                .RunAsync();
            Assert.That(won, Is.EqualTo(1));
        });
        Assert.That(log, Is.EqualTo("number 7 True"));
    }

    [Test]
    public void Run_NothingReadyWithDefault_RunsDefault()
    {
        var ch = new Channel<int>();
        string log = "";
        int won = new Select()
            .OnSend(ch, 1, () => log += "sent")
            .OnDefault(() => log += "default")
            .Run();
        Assert.That((won, log), Is.EqualTo((-1, "default")));
    }

    [Test]
    public void Reset_AfterHandlers_ClearsThem()
    {
        var ch = new Channel<int>(1);
        var s = new Select().OnDefault(() => Assert.Fail("stale default"));
        s.Reset();
        ch.TrySend(3);
        s.Receive(ch);
        Assert.That(s.Run(), Is.EqualTo(0));
        Assert.That(s.Value<int>(0), Is.EqualTo(3));
    }
}
