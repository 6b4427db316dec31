namespace Box.Ctl.Cli;

/// <summary>Bad command line or bad input file: the message is the one line
/// the operator sees (exit code 2); nothing has been sent.</summary>
public sealed class UsageException(string message) : Exception(message);
