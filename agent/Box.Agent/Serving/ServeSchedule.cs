using Box.Agent.Configuration;

namespace Box.Agent.Serving;

/// <summary>Which upload limit applies at a local time of day: the first
/// <see cref="ServeWindow"/> of <c>serve.schedule</c> that contains it, else
/// the base <c>serve.rateLimitBytesPerSecond</c>. 0 = unlimited.</summary>
public static class ServeSchedule
{
    public static long LimitAt(long baseBytesPerSecond, IReadOnlyList<ServeWindow> windows, TimeOnly localTime)
    {
        ArgumentNullException.ThrowIfNull(windows);
        foreach (var window in windows)
        {
            if (window.Contains(localTime))
                return window.RateLimitBytesPerSecond;
        }
        return baseBytesPerSecond;
    }
}
