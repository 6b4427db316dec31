namespace Box.Agent.Http;

/// <summary>Bounds that keep one client (or a flood of them) from exhausting a
/// 3 W box. Defaults suit the LAN status page and the chunk server alike.</summary>
public sealed record HttpServerLimits
{
    /// <summary>Longest request line (method, target, version); longer → 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary>Longest header section after the request line; longer → 431.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Most header fields in one request; more → 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Open connections served at once; the next one gets 503 and is closed.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Open connections from one client address (IPv4 address or
    /// IPv6 /64); the next one from there is refused at once (a 503 written
    /// without waiting, then closed), so a flood from one address cannot
    /// crowd out everyone else.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 16;

    /// <summary>Requests answered on one keep-alive connection before it is closed.</summary>
    public int MaxRequestsPerConnection { get; init; } = 1000;

    /// <summary>Time from a request's first byte to its complete header section
    /// (slowloris guard); exceeded → 408 and close.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time a keep-alive connection may wait for its next request.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time one send may take (a client that stops reading is dropped).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pending connections the kernel queues before accept.</summary>
    public int ListenBacklog { get; init; } = 128;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad limit.</summary>
    public void Validate()
    {
        Positive(MaxRequestLineBytes, nameof(MaxRequestLineBytes));
        Positive(MaxHeaderBytes, nameof(MaxHeaderBytes));
        Positive(MaxHeaderCount, nameof(MaxHeaderCount));
        Positive(MaxConnections, nameof(MaxConnections));
        Positive(MaxConnectionsPerAddress, nameof(MaxConnectionsPerAddress));
        Positive(MaxRequestsPerConnection, nameof(MaxRequestsPerConnection));
        Positive(ListenBacklog, nameof(ListenBacklog));
        Positive(HeaderTimeout, nameof(HeaderTimeout));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(WriteTimeout, nameof(WriteTimeout));
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"HTTP limit {name} must be positive");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"HTTP limit {name} must be positive");
    }
}
