using System.Collections.Concurrent;

namespace Box.Hal.Tests.Support;

/// <summary>Waiting on conditions with generous timeouts instead of fixed sleeps.</summary>
public static class Wait
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(condition, () => what, timeout);

    public static void Until(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what()}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Collects events from another thread; <see cref="WaitFor"/> blocks until one matches.</summary>
    public sealed class Recorder<T>
    {
        private readonly ConcurrentQueue<T> _items = new();
        public void Add(T item) => _items.Enqueue(item);
        public IReadOnlyList<T> Items => _items.ToArray();

        public T WaitFor(Func<T, bool> match, string what)
        {
            Until(() => _items.Any(match), () => $"{what} (seen so far: {string.Join("; ", _items)})");
            return _items.First(match);
        }
    }
}
