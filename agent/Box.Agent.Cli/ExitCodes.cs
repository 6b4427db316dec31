namespace Box.Agent.Cli;

/// <summary>Process exit codes (docs/contract.md "Agent command line").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;
}
