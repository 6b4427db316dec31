using Box.Agent.Indication;
using Box.Hal;

namespace Box.Agent.Supervision;

/// <summary>A read-only picture of the agent for the LAN status page,
/// /status.json and /metrics. The supervisor builds a new one after every
/// change and swaps it in atomically (<see cref="Supervisor.Snapshot"/>), so
/// HTTP threads read it without locks and always see a consistent whole.</summary>
public sealed record AgentSnapshot
{
    public required string BoxId { get; init; }
    public required string Board { get; init; }
    public required string FirmwareVersion { get; init; }
    /// <summary>Active root slot ("a"/"b"), null when unknown (sim board).</summary>
    public string? Slot { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset TakenAt { get; init; }
    /// <summary>Agent uptime when the snapshot was taken.</summary>
    public TimeSpan Uptime => TakenAt - StartedAt;

    /// <summary>A broker is configured.</summary>
    public bool CloudConfigured { get; init; }
    public bool Online { get; init; }

    public bool Paired => Owner is not null;
    public string? Owner { get; init; }
    /// <summary>Non-null while the pairing window is open.</summary>
    public PairingSnapshot? Pairing { get; init; }

    public IReadOnlyList<DiskSnapshot> Disks { get; init; } = [];
    public StoreFigures Store { get; init; } = new(0, 0, 0);
    public IReadOnlyList<StoreDiskFigures> StoreDisks { get; init; } = [];
    /// <summary><c>chunk.prefetch</c> downloads running.</summary>
    public int Downloading { get; init; }
    public TrafficFigures Traffic { get; init; } = new(0, 0);
    public UpdateProgress Update { get; init; } = UpdateProgress.Idle;
    public long ConfigVersion { get; init; }

    /// <summary>Pattern per LED role the board has ("status", "network", "disk").</summary>
    public IReadOnlyDictionary<string, LedPattern> Leds { get; init; } = new Dictionary<string, LedPattern>();
    /// <summary>The patterns the LED policy chose, per LED.</summary>
    public LedPatterns Patterns { get; init; }
    /// <summary>Why the status LED shows what it shows.</summary>
    public StatusCondition StatusCondition { get; init; }
    /// <summary>Problems that are still present (disk errors, an unreadable button), one line each.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>The open pairing window: the code a person types in, shown only on the LAN page.</summary>
public sealed record PairingSnapshot(string Code, DateTimeOffset ExpiresAt, int TriesLeft);

public sealed record DiskSnapshot(DiskInfo Disk, string? Error);

public sealed record StoreFigures(long UsedBytes, long QuotaBytes, long Chunks);

/// <summary>One disk's chunk store; <see cref="Reconcile"/> is "done", "running", "rebuilding" or "failed".</summary>
public sealed record StoreDiskFigures(string Device, string StoreId, long UsedBytes, long QuotaBytes, long Chunks, string Reconcile, bool Available);

public sealed record TrafficFigures(long BytesServed, int Connections);

public sealed record UpdateProgress(string State, string? Version, int Percent)
{
    public static readonly UpdateProgress Idle = new("idle", null, 0);
    public bool InProgress => State is "downloading" or "installing";
}
