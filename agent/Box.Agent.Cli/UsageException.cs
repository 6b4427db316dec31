namespace Box.Agent.Cli;

/// <summary>Bad command line: exit code 2 with this one-line message.</summary>
public sealed class UsageException(string message) : Exception(message);
