using Box.Ctl.Cli;
using Box.Ctl.Commands;
using Box.Ctl.Mqtt;

namespace Box.Ctl;

/// <summary>boxctl's entry point, callable in-process (tests) as well as from Main.</summary>
public static class BoxCtl
{
    public const string GlobalUsage =
        "global options: --broker mqtt://host:port|mqtts://host:port (env BOX_BROKER; default " + GlobalOptions.DefaultBroker + ")\n"
        + "                --ca FILE  --cert FILE --key FILE  --username U [--password P]\n"
        + "                --prefix box/{id}/  --timeout SECONDS (default 30)  --json";

    public static string Help =>
        "boxctl — operator CLI for Box (MQTT contract: PROTOCOL.md)\n\n"
        + "usage: boxctl [global options] COMMAND ...\n"
        + "  " + ListCommand.Usage + "\n"
        + "  " + WatchCommand.Usage + "\n"
        + "  " + CmdCommand.Usage + "\n"
        + "  " + ConfigCommand.Usage.Replace(" | ", "\n  ", StringComparison.Ordinal) + "\n"
        + "  " + TokenCommand.Usage.Replace(" | ", "\n  ", StringComparison.Ordinal) + "\n"
        + "  " + RolloutCommand.Usage + "\n\n"
        + GlobalUsage + "\n\n"
        + "exit codes: 0 ok, 1 failed (ok:false reply, invalid token, rollout halted), 2 bad arguments,\n"
        + "            3 timeout, 4 broker unreachable, 130 interrupted";

    /// <summary>Runs one boxctl invocation and returns its exit code.
    /// <paramref name="cancellation"/> is Ctrl-C.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellation = default, TextReader? input = null,
        Func<string, string?>? environment = null, TimeProvider? clock = null)
    {
        var reader = new ArgReader(args);
        try
        {
            if (args.Length == 0 || reader.Flag("--help") || reader.Flag("-h") || args[0] == "help")
            {
                (args.Length == 0 ? error : output).WriteLine(Help);
                return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
            }
            var options = GlobalOptions.Read(reader, environment ?? Environment.GetEnvironmentVariable);
            string command = reader.RequirePositional("command (list, watch, cmd, config, token, rollout)");
            var inv = new Invocation(options, reader, output, error, input ?? Console.In, cancellation);
            return command switch
            {
                "list" => await ListCommand.RunAsync(inv),
                "watch" => await WatchCommand.RunAsync(inv),
                "cmd" => await CmdCommand.RunAsync(inv),
                "config" => await ConfigCommand.RunAsync(inv),
                "token" => TokenCommand.Run(inv, clock ?? TimeProvider.System),
                "rollout" => await RolloutCommand.RunAsync(inv),
                "version" => Version(output),
                _ => throw new UsageException($"unknown command '{command}' (list, watch, cmd, config, token, rollout; --help for usage)"),
            };
        }
        catch (UsageException ex)
        {
            error.WriteLine($"boxctl: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (BrokerException ex)
        {
            error.WriteLine($"boxctl: {ex.Message}");
            return ExitCodes.BrokerUnreachable;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine("boxctl: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("boxctl: timed out (raise --timeout)");
            return ExitCodes.Timeout;
        }
        catch (IOException ex)
        {
            error.WriteLine($"boxctl: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (UnauthorizedAccessException ex)
        {
            error.WriteLine($"boxctl: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    static int Version(TextWriter output)
    {
        output.WriteLine("boxctl " + (typeof(BoxCtl).Assembly.GetName().Version?.ToString(3) ?? "?"));
        return ExitCodes.Ok;
    }
}
