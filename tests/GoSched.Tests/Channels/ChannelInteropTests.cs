using System.Threading.Channels;

namespace GoSched.Tests.Channels;

public sealed class ChannelInteropTests
{
    [Test]
    public void AsChannelReader_ReadAllAsync_SeesEveryValueThenEnds([Values(0, 4)] int capacity)
    {
        var ch = new Channel<int>(capacity);
        Task producer = GoTest.Start(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                await ch.SendAsync(i);
            }
            ch.Close();
        });
        var got = new List<int>();
        Task consumer = Task.Run(async () =>
        {
            await foreach (int v in ch.AsChannelReader().ReadAllAsync())
            {
                got.Add(v);
            }
        });
        GoTest.Wait(producer, consumer);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 50)));
    }

    [Test]
    public void AsChannelWriter_WriteAndComplete_SendsAndCloses()
    {
        var ch = new Channel<int>(2);
        ChannelWriter<int> writer = ch.AsChannelWriter();
        Assert.That(writer.TryWrite(1), Is.True);
        writer.WriteAsync(2).AsTask().Wait(GoTest.DefaultTimeout);
        Assert.That(writer.TryWrite(3), Is.False, "full");
        Assert.That(writer.TryComplete(), Is.True);
        Assert.That(writer.TryComplete(), Is.False);
        Assert.That(writer.TryWrite(4), Is.False, "closed");
        Assert.ThrowsAsync<ChannelClosedException>(async () => await writer.WriteAsync(5));
        Assert.That(ch.Receive(), Is.EqualTo(1));
        Assert.That(ch.Receive(), Is.EqualTo(2));
        Assert.That(ch.ReceiveWithOk(), Is.EqualTo((0, false)));
    }
}
