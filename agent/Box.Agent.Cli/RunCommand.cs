using System.Runtime.InteropServices;
using Box.Agent.Configuration;
using Box.Agent.Hosting;
using Box.Agent.Logging;
using Box.Hal.Profiles;
using Box.Hal.Sim;

namespace Box.Agent.Cli;

/// <summary><c>box-agent run</c>: the composition root. Reads the configuration,
/// opens the board, starts the cloud link (when a broker is configured), the
/// LAN status page (when an HTTP address is configured) and the supervisor
/// (<see cref="AgentHost"/>),
/// prints the ready line, and stops cleanly on SIGTERM/SIGINT.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(CliCommand.Run run, TextWriter stderr)
    {
        var warnings = new List<string>();
        var layers = ConfigLayers.Load(run.ConfigFile, run.Flags, warnings);
        var config = layers.Effective;
        var boardName = config.Board
            ?? throw new UsageException("no board: pass --board NAME|sim or set \"board\" in the config file");
        var root = "/";
        if (boardName == "sim")
        {
            root = config.SimDir ?? throw new UsageException("--board sim needs --sim-dir DIR");
            Directory.CreateDirectory(root);
            SimBoard.Create(root);
        }
        else if (config.SimDir is not null)
        {
            throw new UsageException($"--sim-dir is only for --board sim (board is '{boardName}')");
        }
        var profile = BoardProfiles.Load(boardName);
        Directory.CreateDirectory(config.DataDir);

        var log = new AgentLog(stderr);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        using var board = Board.Open(profile, root, new BoardOptions
        {
            HoldThresholds = [TimeSpan.FromSeconds(config.Pairing.HoldSeconds), TimeSpan.FromSeconds(config.Pairing.FactoryResetHoldSeconds)],
        });
        await using var host = await AgentHost.StartAsync(new AgentHostOptions
        {
            Board = board,
            Root = root,
            Config = layers,
            Log = log,
            ConfigWarnings = warnings,
            FirmwareVersion = VersionInfo.Version,
            Slot = BootSlot.Detect(root),
        }, stop.Token).ConfigureAwait(false);
        if (!host.Completion.IsCompleted)
            log.Info($"box-agent ready board={board.Name} id={host.BoxId} http={host.Http?.Address ?? "off"} cloud={config.Broker.Url ?? "off"} version={VersionInfo.Version}");
        await host.Completion.ConfigureAwait(false);
        log.Info("box-agent stopped");
        return ExitCodes.Ok;

        void Stop(PosixSignalContext context)
        {
            // Cancel the default action (terminate): stop the loop and exit 0.
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
