namespace Box.Testing;

/// <summary>Waits on a condition with a generous timeout instead of sleeping
/// a fixed time; a condition that never holds fails with <see cref="TimeoutException"/>.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(Poll);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns non-null and returns that value.</summary>
    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await TrueAsync(() => (value = probe()) is not null, what, timeout);
        return value!;
    }

    /// <summary>Blocking form, for tests of code that runs its own threads.</summary>
    public static void True(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        True(condition, () => what, timeout);

    /// <summary>Blocking form; <paramref name="what"/> is evaluated only on timeout.</summary>
    public static void True(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out waiting for: {what()}");
            Thread.Sleep(Poll);
        }
    }
}
