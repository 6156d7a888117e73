using GoSched.Core;

namespace GoSched;

/// <content>Ranging (Go's <c>for v := range ch</c>).</content>
public sealed partial class Channel<T> : IAsyncEnumerable<T>
{
    /// <summary>Receives until the channel is closed and drained (<c>await foreach</c> in async goroutines).</summary>
    /// <param name="cancellationToken">Stops the enumeration between receives.</param>
    /// <returns>The enumerator.</returns>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            (T value, bool ok) = await ReceiveWithOkAsync();
            if (!ok)
            {
                yield break;
            }
            yield return value;
        }
    }

    /// <summary>Receives until the channel is closed and drained, blocking (for synchronous goroutines).</summary>
    /// <returns>The values received.</returns>
    public IEnumerable<T> Range()
    {
        while (true)
        {
            (T value, bool ok) = ReceiveWithOk();
            if (!ok)
            {
                yield break;
            }
            yield return value;
        }
    }
}
