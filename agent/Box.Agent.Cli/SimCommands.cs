using Box.Hal;
using Box.Hal.Sim;

namespace Box.Agent.Cli;

/// <summary><c>box-agent sim press|plug|unplug|leds</c>: drive a simulated board
/// directory that a running agent watches.</summary>
public static class SimCommands
{
    /// <summary>Runs a sim subcommand; a missing board or path is a usage error (exit 2).</summary>
    public static void Run(CliCommand command, TextWriter stdout)
    {
        try
        {
            Execute(command, stdout);
        }
        catch (HalException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static void Execute(CliCommand command, TextWriter stdout)
    {
        switch (command)
        {
            case CliCommand.SimPress press:
                SimBoard.Press(press.SimDir, TimeSpan.FromMilliseconds(press.Milliseconds));
                break;
            case CliCommand.SimPlug plug:
                var added = SimBoard.Plug(plug.SimDir, plug.Path);
                stdout.WriteLine($"plugged {plug.Path} as {added.Device} (uuid {added.FsUuid})");
                break;
            case CliCommand.SimUnplug unplug:
                var removed = SimBoard.Unplug(unplug.SimDir, unplug.Path);
                stdout.WriteLine($"unplugged {removed.Device}");
                break;
            case CliCommand.SimLeds leds:
                foreach (var reading in SimBoard.ReadLeds(leds.SimDir))
                    stdout.WriteLine(reading.ToString());
                break;
        }
    }
}
