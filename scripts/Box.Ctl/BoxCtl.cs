using System.CommandLine;
using Box.Ctl.Cli;
using Box.Ctl.Commands;
using Box.Ctl.Mqtt;

namespace Box.Ctl;

/// <summary>boxctl's entry point, callable in-process (tests) as well as from Main.
/// The command line is parsed by System.CommandLine (help, errors, completion);
/// bad arguments exit 2 with one line naming the problem.</summary>
public static class BoxCtl
{
    public const string Description =
        "boxctl — operator CLI for Box (MQTT contract: docs/contract.md)\n\n"
        + "Global options stand before or after the command.\n"
        + "Exit codes: 0 ok, 1 failed (ok:false reply, invalid token, rollout halted), 2 bad arguments,\n"
        + "            3 timeout, 4 broker unreachable, 130 interrupted";

    const string Commands = "list, watch, cmd, config, token, rollout, version";

    /// <summary>Runs one boxctl invocation and returns its exit code.
    /// <paramref name="cancellation"/> is Ctrl-C.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellation = default, TextReader? input = null,
        Func<string, string?>? environment = null, TimeProvider? clock = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var root = CreateRootCommand(output, error, input ?? Console.In, env, clock ?? TimeProvider.System);
        var invocation = Configure(output, error);
        if (args.Length == 0)
        {
            // Nothing asked: the help, on stderr, and "bad arguments".
            await root.Parse(["--help"]).InvokeAsync(Configure(error, error), cancellation);
            return ExitCodes.Usage;
        }
        // `boxctl help [COMMAND…]` is `boxctl [COMMAND…] --help`.
        if (args[0] == "help")
            args = [.. args[1..], "--help"];
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
            {
                // The stray word is the problem to name ("config frob b1": 'frob',
                // not the missing subcommand it leads to).
                var problem = parsed.UnmatchedTokens.Count > 0
                    ? parsed.Errors.FirstOrDefault(e => e.Message.Contains($"'{parsed.UnmatchedTokens[0]}'", StringComparison.Ordinal)) ?? parsed.Errors[0]
                    : parsed.Errors[0];
                error.WriteLine($"boxctl: {problem.Message} (--help for usage)");
                return ExitCodes.Usage;
            }
            return await parsed.InvokeAsync(invocation, cancellation);
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

    /// <summary>The command tree.</summary>
    static RootCommand CreateRootCommand(TextWriter output, TextWriter error, TextReader input,
        Func<string, string?> environment, TimeProvider clock)
    {
        var globals = new GlobalOptionSet();
        CommandContext Context(ParseResult r, CancellationToken ct) => new(globals.Read(r, environment), output, error, input, ct);

        var root = new RootCommand(Description);
        globals.AddTo(root);
        ShadowingHelpAction.Install(root);
        root.Subcommands.Add(ListCommand.Create(Context));
        root.Subcommands.Add(WatchCommand.Create(Context));
        root.Subcommands.Add(CmdCommand.Create(Context));
        root.Subcommands.Add(ConfigCommand.Create(Context));
        root.Subcommands.Add(TokenCommand.Create(Context, clock));
        root.Subcommands.Add(RolloutCommand.Create(Context));
        var version = new Command("version", "print boxctl's version");
        version.SetAction(_ => Version(output));
        root.Subcommands.Add(version);
        root.SetAction(int (_) => throw new UsageException($"missing command ({Commands}; --help for usage)"));
        return root;
    }

    static InvocationConfiguration Configure(TextWriter output, TextWriter error) => new()
    {
        Output = output,
        Error = error,
        // Exceptions reach the handlers in RunAsync; Ctrl-C is the caller's token.
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null,
    };

    static int Version(TextWriter output)
    {
        output.WriteLine("boxctl " + (typeof(BoxCtl).Assembly.GetName().Version?.ToString(3) ?? "?"));
        return ExitCodes.Ok;
    }
}
