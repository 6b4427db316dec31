using Box.Agent.Configuration;

namespace Box.Agent.Serving;

/// <summary>Upload limits, in bytes per second (0 = unlimited): the base
/// global limit, the daily windows that override it, and an optional limit
/// for each connection.</summary>
public sealed record ServeRateSettings(long RateLimitBytesPerSecond, IReadOnlyList<ServeWindow> Schedule, long PerConnectionBytesPerSecond = 0)
{
    public static ServeRateSettings Unlimited { get; } = new(0, []);

    public static ServeRateSettings From(ServeConfig serve, long perConnectionBytesPerSecond = 0)
    {
        ArgumentNullException.ThrowIfNull(serve);
        return new(serve.RateLimitBytesPerSecond, serve.Schedule, perConnectionBytesPerSecond);
    }
}
