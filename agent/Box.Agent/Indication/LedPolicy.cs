using Box.Hal;

namespace Box.Agent.Indication;

/// <summary>How the box reaches the cloud.</summary>
public enum NetworkState
{
    /// <summary>No broker configured: the box runs on its own.</summary>
    Standalone,
    /// <summary>A broker is configured but the session is not up.</summary>
    Connecting,
    Online,
}

public enum DiskState { None, Mounted, Full, Error }

/// <summary>Feedback while the reset button is still held down.</summary>
public enum HoldFeedback { None, Pairing, FactoryReset }

/// <summary>Everything the LEDs depend on; a projection of the supervisor's state.</summary>
public readonly record struct LedInputs
{
    public bool FactoryReset { get; init; }
    public HoldFeedback Hold { get; init; }
    public bool Identify { get; init; }
    public bool Updating { get; init; }
    public bool Error { get; init; }
    public bool PairingWindow { get; init; }
    public bool Booting { get; init; }
    public NetworkState Network { get; init; }
    public DiskState Disk { get; init; }
    public bool Serving { get; init; }
}

/// <summary>What the status LED is showing and why (the first row of the table that matched).</summary>
public enum StatusCondition
{
    FactoryReset, HoldForPairing, Identify, Updating, Error, PairingWindow,
    Booting, NoNetwork, NoDisk, DiskFull, Serving, Online,
}

/// <summary>Patterns per LED role ("status", "network", "disk").</summary>
public readonly record struct LedPatterns(LedPattern Status, LedPattern Network, LedPattern Disk, StatusCondition Condition)
{
    public LedPattern ForRole(string role) => role switch
    {
        LedRoles.Status => Status,
        LedRoles.Network => Network,
        LedRoles.Disk => Disk,
        _ => LedPattern.Off,
    };
}

public static class LedRoles
{
    public const string Status = "status";
    public const string Network = "network";
    public const string Disk = "disk";
    public static readonly string[] All = [Status, Network, Disk];
}

/// <summary>
/// The LED policy: a pure function from state to a pattern per LED. The status
/// LED shows the highest-priority condition; the network and disk LEDs show
/// their own part, so a board with only a status LED still says the most
/// important thing. Keep this table in sync with agent/README.md.
///
/// | prio | condition                                | status    | network   | disk      |
/// |------|------------------------------------------|-----------|-----------|-----------|
/// | 1    | factory reset (held ≥ reset time, wiping)| BlinkFast | BlinkFast | BlinkFast |
/// | 2    | button held ≥ pairing time (release now) | BlinkSlow | (own)     | (own)     |
/// | 3    | led.identify running                     | BlinkFast | (own)     | (own)     |
/// | 4    | updating firmware                        | Heartbeat | (own)     | (own)     |
/// | 5    | error (disk error, button unreadable)    | BlinkFast | (own)     | (own)     |
/// | 6    | pairing window open                      | BlinkSlow | (own)     | (own)     |
/// | 7    | booting                                  | Pulse     | Off       | (own)     |
/// | 8    | no network (no broker, or not connected) | Pulse     | (own)     | (own)     |
/// | 9    | no disk                                  | On        | (own)     | Off       |
/// | 10   | disk full                                | On        | (own)     | BlinkSlow |
/// | 11   | serving (connections open)               | On        | (own)     | Heartbeat |
/// | 12   | online, idle                             | On        | On        | On        |
///
/// Network LED on its own: standalone → Off, connecting → BlinkSlow, online → On.
/// Disk LED on its own: none → Off, error → BlinkFast, full → BlinkSlow,
/// serving → Heartbeat, mounted → On.
/// </summary>
public static class LedPolicy
{
    public static LedPatterns Decide(in LedInputs s)
    {
        if (s.FactoryReset || s.Hold == HoldFeedback.FactoryReset)
            return new(LedPattern.BlinkFast, LedPattern.BlinkFast, LedPattern.BlinkFast, StatusCondition.FactoryReset);

        var condition = StatusConditionOf(s);
        var status = condition switch
        {
            StatusCondition.HoldForPairing or StatusCondition.PairingWindow => LedPattern.BlinkSlow,
            StatusCondition.Identify or StatusCondition.Error => LedPattern.BlinkFast,
            StatusCondition.Updating => LedPattern.Heartbeat,
            StatusCondition.Booting or StatusCondition.NoNetwork => LedPattern.Pulse,
            _ => LedPattern.On,
        };
        var network = s.Booting ? LedPattern.Off : s.Network switch
        {
            NetworkState.Online => LedPattern.On,
            NetworkState.Connecting => LedPattern.BlinkSlow,
            _ => LedPattern.Off,
        };
        var disk = s.Disk switch
        {
            DiskState.None => LedPattern.Off,
            DiskState.Error => LedPattern.BlinkFast,
            DiskState.Full => LedPattern.BlinkSlow,
            _ when s.Serving => LedPattern.Heartbeat,
            _ => LedPattern.On,
        };
        return new(status, network, disk, condition);
    }

    private static StatusCondition StatusConditionOf(in LedInputs s)
    {
        if (s.Hold == HoldFeedback.Pairing) return StatusCondition.HoldForPairing;
        if (s.Identify) return StatusCondition.Identify;
        if (s.Updating) return StatusCondition.Updating;
        if (s.Error) return StatusCondition.Error;
        if (s.PairingWindow) return StatusCondition.PairingWindow;
        if (s.Booting) return StatusCondition.Booting;
        if (s.Network != NetworkState.Online) return StatusCondition.NoNetwork;
        if (s.Disk is DiskState.None) return StatusCondition.NoDisk;
        if (s.Disk is DiskState.Full) return StatusCondition.DiskFull;
        if (s.Serving) return StatusCondition.Serving;
        return StatusCondition.Online;
    }
}
