namespace Box.Ctl.Rollout;

public enum BoxResult
{
    /// <summary>Final reply done, back online with the new fw.</summary>
    Updated,
    /// <summary>Already online with the target fw; nothing sent.</summary>
    AlreadyCurrent,
    /// <summary>Offline or unknown at the start of its wave; nothing sent, not a failure.</summary>
    Skipped,
    /// <summary>Final reply ok:false.</summary>
    Failed,
    /// <summary>Rebooted and came back with another fw, or sent update.rolledback.</summary>
    RolledBack,
    /// <summary>No decision within the wave timeout.</summary>
    TimedOut,
}

public sealed record BoxOutcome(string BoxId, BoxResult Result, string Detail)
{
    public bool IsFailure => Result is BoxResult.Failed or BoxResult.RolledBack or BoxResult.TimedOut;
    /// <summary>Whether a command was sent to the box.</summary>
    public bool WasAsked => Result is not (BoxResult.AlreadyCurrent or BoxResult.Skipped);
}
