namespace GoSched;

/// <summary>
/// The readable shape of <see cref="Select"/>: cases with handlers, run with <see cref="Select.Run"/> or
/// <see cref="Select.RunAsync"/>. Registering a handler allocates a small closure; hot loops use the index shape.
/// </summary>
/// <example>
/// <code>
/// await new Select()
///     .OnReceive(jobs, (job, ok) => Handle(job, ok))
///     .OnSend(results, 42, () => Console.WriteLine("sent"))
///     .OnDefault(() => Console.WriteLine("nothing ready"))
///     .RunAsync();
/// </code>
/// </example>
public sealed partial class Select
{
    private Action?[] _handlers = new Action?[InitialCases];
    private Action? _default;
    private bool _hasHandlers;

    /// <summary>Adds a receive case with a handler of (value, ok).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never fires).</param>
    /// <param name="handler">Runs with the value and ok when this case fires.</param>
    /// <returns>This select.</returns>
    public Select OnReceive<T>(Channel<T>? channel, Action<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        int i = Receive(channel);
        SetHandler(i, () => handler(Value<T>(i), Ok(i)));
        return this;
    }

    /// <summary>Adds a receive case with a handler of the value.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never fires).</param>
    /// <param name="handler">Runs with the value when this case fires.</param>
    /// <returns>This select.</returns>
    public Select OnReceive<T>(Channel<T>? channel, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        int i = Receive(channel);
        SetHandler(i, () => handler(Value<T>(i)));
        return this;
    }

    /// <summary>Adds a send case with a handler.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="channel">The channel, or null (never fires).</param>
    /// <param name="value">The value to send.</param>
    /// <param name="handler">Runs when the value was sent.</param>
    /// <returns>This select.</returns>
    public Select OnSend<T>(Channel<T>? channel, T value, Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        SetHandler(Send(channel, value), handler);
        return this;
    }

    /// <summary>Adds the default case: the select does not block.</summary>
    /// <param name="handler">Runs when no other case is ready.</param>
    /// <returns>This select.</returns>
    public Select OnDefault(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _default = handler;
        _hasHandlers = true;
        return this;
    }

    /// <summary>Runs the select (blocking unless there is a default case) and then the winner's handler.</summary>
    /// <returns>The index of the case that fired, or -1 for the default case.</returns>
    public int Run()
    {
        int won = _default is not null ? TryWait() : Wait();
        Dispatch(won);
        return won;
    }

    /// <summary>Runs the select and then the winner's handler; awaitable form of <see cref="Run"/>.</summary>
    /// <returns>The index of the case that fired, or -1 for the default case.</returns>
    public async ValueTask<int> RunAsync()
    {
        int won = _default is not null ? TryWait() : await WaitAsync();
        Dispatch(won);
        return won;
    }

    private void SetHandler(int index, Action handler)
    {
        if (_handlers.Length < _cases.Length)
        {
            Array.Resize(ref _handlers, _cases.Length);
        }
        _handlers[index] = handler;
        _hasHandlers = true;
    }

    private void Dispatch(int won)
    {
        Action? handler = won < 0 ? _default : won < _handlers.Length ? _handlers[won] : null;
        handler?.Invoke();
    }

    /// <summary>Clears handlers (called by <see cref="Reset"/>).</summary>
    private void ResetHandlers()
    {
        Array.Clear(_handlers);
        _default = null;
        _hasHandlers = false;
    }
}
