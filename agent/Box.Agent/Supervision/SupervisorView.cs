using Box.Agent.Indication;

namespace Box.Agent.Supervision;

/// <summary>The picture of the box the concerns fill in after each change;
/// the supervisor turns it into LED patterns, the <see cref="AgentSnapshot"/>
/// and the reported state. Built fresh every time, so no concern can see or
/// keep another's fields.</summary>
public sealed class SupervisorView
{
    // ---- what the LEDs depend on ----
    public bool FactoryReset { get; set; }
    public HoldFeedback Hold { get; set; }
    public bool Identify { get; set; }
    public bool Updating { get; set; }
    public bool PairingWindow { get; set; }
    public NetworkState Network { get; set; } = NetworkState.Standalone;
    public bool AnyDiskMounted { get; set; }
    public bool Serving { get; set; }

    // ---- what the snapshot and the state document show ----
    public bool Online { get; set; }
    public string? Owner { get; set; }
    public PairingSnapshot? Pairing { get; set; }
    public List<DiskSnapshot> Disks { get; } = [];
    public StoreFigures Store { get; set; } = new(0, 0, 0);
    public List<StoreDiskFigures> StoreDisks { get; set; } = [];
    public int Downloading { get; set; }
    public TrafficFigures Traffic { get; set; } = new(0, 0);
    public UpdateProgress Update { get; set; } = UpdateProgress.Idle;
    public long ConfigVersion { get; set; }
    /// <summary>Problems still present, one line each ("disk sda: …", "button:reset: …").</summary>
    public List<string> Errors { get; } = [];

    public DiskState DiskState =>
        Disks.Any(d => d.Error is not null) ? DiskState.Error
        : !AnyDiskMounted ? DiskState.None
        : Store.QuotaBytes > 0 && Store.UsedBytes >= Store.QuotaBytes ? DiskState.Full
        : DiskState.Mounted;

    public LedInputs LedInputs(bool booting) => new()
    {
        FactoryReset = FactoryReset,
        Hold = Hold,
        Identify = Identify,
        Updating = Updating,
        Error = Errors.Count > 0,
        PairingWindow = PairingWindow,
        Booting = booting,
        Network = Network,
        Disk = DiskState,
        Serving = Serving,
    };
}
