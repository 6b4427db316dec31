using Box.Agent.Configuration;
using Box.Agent.Hosting;
using Box.Hal;

namespace Box.Agent.Cli;

/// <summary>Parses the command line and runs the command, mapping failures to
/// exit codes with one line on stderr.</summary>
public static class AgentMain
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var command = CommandLine.Parse(args);
            switch (command)
            {
                case CliCommand.Run run:
                    return await RunCommand.RunAsync(run, stderr).ConfigureAwait(false);
                case CliCommand.Version:
                    stdout.WriteLine(VersionInfo.Describe());
                    return ExitCodes.Ok;
                case CliCommand.Help:
                    stdout.WriteLine(CommandLine.Usage);
                    return ExitCodes.Ok;
                default:
                    SimCommands.Run(command, stdout);
                    return ExitCodes.Ok;
            }
        }
        catch (Exception e) when (e is UsageException or ConfigException or BoardProfileException)
        {
            stderr.WriteLine($"box-agent: {e.Message}");
            return ExitCodes.BadUsage;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"box-agent: {e.GetType().Name}: {OneLine(e.Message)}");
            // The stack trace only on request: the contract is one line.
            if (Environment.GetEnvironmentVariable("BOX_AGENT_TRACE") == "1")
                stderr.WriteLine(e.ToString());
            return ExitCodes.Failure;
        }
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
