namespace Box.Agent.Status;

/// <summary>Everything the LAN status pages show, taken from the supervisor's
/// state at one moment. The supervisor builds a fresh one per request (or
/// keeps the latest); the pages never hold on to it.</summary>
public sealed record StatusSnapshot
{
    public required string BoxId { get; init; }
    public required string FirmwareVersion { get; init; }
    /// <summary>Booted root slot: "a" or "b".</summary>
    public required string Slot { get; init; }
    public required TimeSpan Uptime { get; init; }
    /// <summary>Connected to the cloud broker.</summary>
    public bool Online { get; init; }
    public bool Paired { get; init; }
    /// <summary>Owner account; comes from the cloud (escaped on every page).</summary>
    public string? Owner { get; init; }
    /// <summary>The one-time code; set only while the pairing window is open.</summary>
    public string? PairingCode { get; init; }
    /// <summary>When the pairing window closes; null when it is not open.</summary>
    public DateTimeOffset? PairingExpires { get; init; }
    public IReadOnlyList<DiskStatus> Disks { get; init; } = [];
    /// <summary>The chunk store; null while no disk is mounted.</summary>
    public StoreStatus? Store { get; init; }
    public TrafficStatus Traffic { get; init; } = new();
    public UpdateStatus Update { get; init; } = new();
    /// <summary>Version of the applied configuration (0 = built-in defaults).</summary>
    public long ConfigVersion { get; init; }
    /// <summary>LED name → pattern name (e.g. "status" → "BlinkSlow").</summary>
    public IReadOnlyDictionary<string, string> Leds { get; init; } = new Dictionary<string, string>();
    /// <summary>The last error worth telling the owner, one line.</summary>
    public string? LastError { get; init; }

    /// <summary>Whether the pairing code may be shown at <paramref name="now"/>:
    /// a code is set and its window has not expired.</summary>
    public bool PairingWindowOpen(DateTimeOffset now) =>
        PairingCode is not null && PairingExpires is { } expires && expires > now;
}

/// <summary>A USB disk the box sees.</summary>
public sealed record DiskStatus
{
    /// <summary>Kernel device, e.g. "sda1".</summary>
    public required string Device { get; init; }
    /// <summary>Filesystem label; set by whoever formatted the disk (escaped on every page).</summary>
    public string? Label { get; init; }
    /// <summary>"ext4", "vfat", "exfat", or null when unknown.</summary>
    public string? FsType { get; init; }
    public long SizeBytes { get; init; }
    /// <summary>Where it is mounted; null when not mounted.</summary>
    public string? MountPath { get; init; }
    public string? FsUuid { get; init; }
}

/// <summary>The chunk store on the mounted disk.</summary>
public sealed record StoreStatus
{
    public long UsedBytes { get; init; }
    /// <summary>The owner's quota in bytes (0 = none set).</summary>
    public long QuotaBytes { get; init; }
    public long Chunks { get; init; }
}

/// <summary>Chunk traffic since start (never the status pages' own requests),
/// plus what the LAN HTTP server refused.</summary>
public sealed record TrafficStatus
{
    /// <summary>Chunk bytes sent to clients.</summary>
    public long BytesServed { get; init; }
    /// <summary>Chunk connections open now.</summary>
    public int ActiveConnections { get; init; }
    /// <summary>Chunk requests answered.</summary>
    public long Requests { get; init; }
    /// <summary>Requests refused as malformed, oversized, too slow or with a wrong method.</summary>
    public long BadRequests { get; init; }
    /// <summary>Connections turned away at the connection limit.</summary>
    public long RejectedConnections { get; init; }
    /// <summary>Upload limit in force now (base or schedule window); 0 = unlimited.</summary>
    public long RateLimitBytesPerSecond { get; init; }
    /// <summary>Upload rate over the last few seconds.</summary>
    public long BytesPerSecond { get; init; }
    /// <summary>Bytes served since local midnight (or since the agent started).</summary>
    public long BytesToday { get; init; }

    /// <summary>The live figures of <paramref name="counters"/> (a server that carries only chunk traffic).</summary>
    public static TrafficStatus From(Box.Agent.Http.HttpServerCounters counters) => new()
    {
        BytesServed = counters.BytesSent,
        ActiveConnections = counters.ActiveConnections,
        Requests = counters.Requests,
        BadRequests = counters.BadRequests,
        RejectedConnections = counters.ConnectionsRejected,
    };
}

/// <summary>Firmware update progress.</summary>
public sealed record UpdateStatus
{
    /// <summary>"idle", "downloading", "installing", "rebooting", "failed", …</summary>
    public string State { get; init; } = "idle";
    /// <summary>Version being installed, if any.</summary>
    public string? Version { get; init; }
    /// <summary>0–100.</summary>
    public int Percent { get; init; }
}
