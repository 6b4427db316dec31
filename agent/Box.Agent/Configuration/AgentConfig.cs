namespace Box.Agent.Configuration;

/// <summary>The effective configuration: defaults, overlaid by the local file,
/// the cloud's desired config (only <see cref="ConfigSchema.CloudKeys"/>) and
/// the command line. Built only by <see cref="ConfigParser"/>, so every
/// instance is valid.</summary>
public sealed record AgentConfig
{
    // ---- keys the cloud may set (docs/contract.md "Configuration") ----
    public long Version { get; init; }
    public int TelemetryIntervalSeconds { get; init; } = 60;
    public StoreConfig Store { get; init; } = new();
    public ServeConfig Serve { get; init; } = new();
    public SchedulerConfig Scheduler { get; init; } = new();
    public PairingConfig Pairing { get; init; } = new();

    // ---- agent-local keys (file and flags only) ----
    /// <summary>Box id in topics; null = the board's serial number.</summary>
    public string? Id { get; init; }
    /// <summary>Board profile name ("onecloud", "rpi4", "qemu-virt", "sim").</summary>
    public string? Board { get; init; }
    /// <summary>Root of the simulated board (board "sim").</summary>
    public string? SimDir { get; init; }
    /// <summary>Persistent state directory (/data on the device).</summary>
    public string DataDir { get; init; } = "/data";
    /// <summary>LAN status page / chunk server listen address "ADDR:PORT"; null = no HTTP.</summary>
    public string? Http { get; init; }
    public BrokerConfig Broker { get; init; } = new();
    public QueueConfig Queue { get; init; } = new();
    public FirmwareConfig Firmware { get; init; } = new();
}

public sealed record StoreConfig
{
    /// <summary>Share of the disk the store may use (when <see cref="QuotaBytes"/> is 0).</summary>
    public int QuotaPercent { get; init; } = 90;
    /// <summary>Fixed quota in bytes; 0 = use <see cref="QuotaPercent"/>. Capped at the filesystem's size.</summary>
    public long QuotaBytes { get; init; }
    /// <summary>Eviction starts above this share of the quota…</summary>
    public int HighWatermarkPercent { get; init; } = 90;
    /// <summary>…and stops below this one.</summary>
    public int LowWatermarkPercent { get; init; } = 80;
    /// <summary>Downloads (<c>chunk.prefetch</c>) running at once; more wait their turn.</summary>
    public int MaxConcurrentDownloads { get; init; } = 2;
    /// <summary>Disk write rate of all downloads together; 0 = unlimited. Leaves a
    /// USB 2 disk (20–30 MB/s) room to serve while it fills.</summary>
    public long WriteBytesPerSecond { get; init; } = 8L * 1024 * 1024;
    /// <summary>Rate at which the scrubber re-reads stored chunks; 0 = no scrubbing.
    /// 1 MiB/s re-reads a 500 GB store in under a week at a few per cent of a USB 2 disk.</summary>
    public long ScrubBytesPerSecond { get; init; } = 1024 * 1024;
}

public sealed record ServeConfig
{
    /// <summary>Upload limit; 0 = unlimited.</summary>
    public long RateLimitBytesPerSecond { get; init; }
    /// <summary>Concurrent connections; 0 = unlimited.</summary>
    public int MaxConnections { get; init; } = 256;
    /// <summary>Concurrent connections from one client address (IPv6: one /64); 0 = unlimited.
    /// One host cannot take the box's connections from everyone else.</summary>
    public int MaxConnectionsPerClient { get; init; } = 16;
    /// <summary>Upload limit of one connection; 0 = unlimited.</summary>
    public long ConnectionRateLimitBytesPerSecond { get; init; }
    public IReadOnlyList<ServeWindow> Schedule { get; init; } = [];
}

/// <summary>A daily window with its own rate limit. <see cref="To"/> earlier than
/// <see cref="From"/> spans midnight.</summary>
public sealed record ServeWindow(TimeOnly From, TimeOnly To, long RateLimitBytesPerSecond, bool ToIsMidnight = false)
{
    public bool Contains(TimeOnly t)
    {
        if (ToIsMidnight) return t >= From;
        return From < To ? t >= From && t < To : t >= From || t < To;
    }
}

public sealed record SchedulerConfig
{
    /// <summary>PEM of the scheduler's ECDSA P-256 key that signs chunk tokens.</summary>
    public string? PublicKeyPem { get; init; }
    /// <summary>Scheduler keys by <c>kid</c> (PEM), for key rotation: a token's
    /// <c>kid</c> picks its key; a token without one uses <see cref="PublicKeyPem"/>.</summary>
    public IReadOnlyDictionary<string, string> PublicKeys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

public sealed record PairingConfig
{
    public int HoldSeconds { get; init; } = 3;
    public int FactoryResetHoldSeconds { get; init; } = 10;
    public int WindowSeconds { get; init; } = 600;
}

public sealed record BrokerConfig
{
    /// <summary>mqtt://host:port or mqtts://host:port; null = run without a cloud link.</summary>
    public string? Url { get; init; }
    /// <summary>CA certificate (PEM) the broker's certificate must chain to (pinning).</summary>
    public string? CaFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>Topic prefix; "{id}" is replaced with the box id.</summary>
    public string TopicPrefix { get; init; } = "box/{id}/";
    /// <summary>After a lost connection the first reconnect waits a random
    /// 0..this many seconds, so a fleet dropped by a broker restart comes back
    /// at fleet/window connects per second; widen it for very large fleets.</summary>
    public int ReconnectWindowSeconds { get; init; } = 10;
}

/// <summary>Bounds of the offline queue of telemetry and events on /data.</summary>
public sealed record QueueConfig
{
    public int MaxMessages { get; init; } = 10_000;
    public long MaxBytes { get; init; } = 16L * 1024 * 1024;
}

public sealed record FirmwareConfig
{
    /// <summary>PEM public key that firmware bundles must be signed with. Never from the cloud.</summary>
    public string? PublicKeyFile { get; init; }
}
