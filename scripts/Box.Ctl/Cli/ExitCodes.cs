namespace Box.Ctl.Cli;

/// <summary>boxctl's exit codes (README "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The box answered ok:false, a token did not verify, a rollout halted, nothing found.</summary>
    public const int Failed = 1;
    /// <summary>Bad arguments or input; nothing was sent.</summary>
    public const int Usage = 2;
    /// <summary>No (final) answer within --timeout.</summary>
    public const int Timeout = 3;
    /// <summary>The broker could not be reached or refused the connection.</summary>
    public const int BrokerUnreachable = 4;
    /// <summary>Ctrl-C / SIGTERM while waiting (watch exits 0 instead).</summary>
    public const int Interrupted = 130;
}
