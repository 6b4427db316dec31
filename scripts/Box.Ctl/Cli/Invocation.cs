namespace Box.Ctl.Cli;

/// <summary>What a subcommand gets: the parsed global options, its own
/// remaining arguments, the console and the stop signal.</summary>
public sealed record Invocation(
    GlobalOptions Options,
    ArgReader Args,
    TextWriter Out,
    TextWriter Err,
    TextReader In,
    CancellationToken Cancellation);
