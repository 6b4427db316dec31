using System.Collections.Concurrent;

namespace Box.Testing;

/// <summary>Collects events raised on another thread; <see cref="WaitFor"/>
/// blocks until one matches.</summary>
public sealed class Recorder<T>
{
    readonly ConcurrentQueue<T> _items = new();

    public void Add(T item) => _items.Enqueue(item);

    public IReadOnlyList<T> Items => _items.ToArray();

    public T WaitFor(Func<T, bool> match, string what)
    {
        Eventually.True(() => _items.Any(match), () => $"{what} (seen so far: {string.Join("; ", _items)})");
        return _items.First(match);
    }
}
