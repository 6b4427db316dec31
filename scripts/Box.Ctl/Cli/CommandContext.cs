namespace Box.Ctl.Cli;

/// <summary>What a subcommand parsed by System.CommandLine gets: the global
/// options, the console and the stop signal (its own options come as
/// arguments of its RunAsync).</summary>
public sealed record CommandContext(
    GlobalOptions Options,
    TextWriter Out,
    TextWriter Err,
    TextReader In,
    CancellationToken Cancellation);
