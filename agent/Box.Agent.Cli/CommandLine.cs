using System.Globalization;
using System.Text.Json.Nodes;
using Box.Agent.Configuration;

namespace Box.Agent.Cli;

/// <summary>A parsed <c>box-agent</c> invocation.</summary>
public abstract record CliCommand
{
    /// <summary><c>box-agent run</c>: flags override the config file and the cloud.</summary>
    public sealed record Run(string? ConfigFile, JsonObject Flags) : CliCommand;
    public sealed record SimPress(string SimDir, int Milliseconds) : CliCommand;
    public sealed record SimPlug(string SimDir, string Path) : CliCommand;
    public sealed record SimUnplug(string SimDir, string Path) : CliCommand;
    public sealed record SimLeds(string SimDir) : CliCommand;
    public sealed record Version : CliCommand;
    public sealed record Help : CliCommand;
}

/// <summary>Hand-written parser for the command line of docs/contract.md. Every
/// problem is a <see cref="UsageException"/> with one line naming it.</summary>
public static class CommandLine
{
    public const string Usage =
        "usage: box-agent run [--config FILE] [--board NAME|sim] [--sim-dir DIR] [--data DIR] [--broker URL] [--id ID] [--http ADDR:PORT]\n" +
        "       box-agent sim press --sim-dir DIR --ms N\n" +
        "       box-agent sim plug|unplug --sim-dir DIR --path DIR2\n" +
        "       box-agent sim leds --sim-dir DIR\n" +
        "       box-agent version";

    public const int MaxPressMilliseconds = 600_000;

    public static CliCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new UsageException("missing command (run, sim, version); see box-agent --help");
        var rest = args.Skip(1).ToArray();
        return args[0] switch
        {
            "run" => ParseRun(rest),
            "sim" => ParseSim(rest),
            "version" or "--version" => NoFlags(rest, "version", new CliCommand.Version()),
            "help" or "--help" or "-h" => new CliCommand.Help(),
            var other => throw new UsageException($"unknown command '{other}' (expected run, sim or version)"),
        };
    }

    private static CliCommand ParseRun(string[] args)
    {
        var flags = Flags(args, "run", "--config", "--board", "--sim-dir", "--data", "--broker", "--id", "--http");
        var overlay = new JsonObject();
        if (flags.TryGetValue("--board", out var board)) overlay["board"] = board;
        if (flags.TryGetValue("--sim-dir", out var simDir)) overlay["simDir"] = simDir;
        if (flags.TryGetValue("--data", out var data)) overlay["dataDir"] = data;
        if (flags.TryGetValue("--id", out var id)) overlay["id"] = id;
        if (flags.TryGetValue("--broker", out var broker))
        {
            if (ConfigParser.CheckBrokerUrl(broker) is { } problem)
                throw new UsageException($"run: --broker: {problem}");
            overlay["broker"] = new JsonObject { ["url"] = broker };
        }
        if (flags.TryGetValue("--http", out var http))
        {
            if (ConfigParser.CheckListenAddress(http) is { } problem)
                throw new UsageException($"run: --http: {problem}");
            overlay["http"] = http;
        }
        // The remaining flag values are checked with the configuration (same rules, same messages).
        return new CliCommand.Run(flags.GetValueOrDefault("--config"), overlay);
    }

    private static CliCommand ParseSim(string[] args)
    {
        if (args.Length == 0)
            throw new UsageException("sim: missing subcommand (press, plug, unplug, leds)");
        var sub = args[0];
        var rest = args[1..];
        switch (sub)
        {
            case "press":
            {
                var flags = Flags(rest, "sim press", "--sim-dir", "--ms");
                var ms = Required(flags, "sim press", "--ms");
                if (!int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxPressMilliseconds)
                    throw new UsageException($"sim press: --ms: expected an integer 1..{MaxPressMilliseconds}, got '{ms}'");
                return new CliCommand.SimPress(Required(flags, "sim press", "--sim-dir"), n);
            }
            case "plug" or "unplug":
            {
                var flags = Flags(rest, $"sim {sub}", "--sim-dir", "--path");
                var simDir = Required(flags, $"sim {sub}", "--sim-dir");
                var path = Required(flags, $"sim {sub}", "--path");
                return sub == "plug" ? new CliCommand.SimPlug(simDir, path) : new CliCommand.SimUnplug(simDir, path);
            }
            case "leds":
            {
                var flags = Flags(rest, "sim leds", "--sim-dir");
                return new CliCommand.SimLeds(Required(flags, "sim leds", "--sim-dir"));
            }
            default:
                throw new UsageException($"sim: unknown subcommand '{sub}' (expected press, plug, unplug or leds)");
        }
    }

    private static CliCommand NoFlags(string[] args, string command, CliCommand result) =>
        args.Length == 0 ? result : throw new UsageException($"{command}: unexpected argument '{args[0]}'");

    /// <summary>"--name value" or "--name=value" pairs; each flag at most once.</summary>
    private static Dictionary<string, string> Flags(string[] args, string command, params string[] allowed)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"{command}: unexpected argument '{arg}'");
            string name, value;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg;
                if (!allowed.Contains(name, StringComparer.Ordinal))
                    throw new UsageException($"{command}: unknown flag {name} (allowed: {string.Join(' ', allowed)})");
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"{command}: {name}: missing value");
                value = args[++i];
            }
            if (!allowed.Contains(name, StringComparer.Ordinal))
                throw new UsageException($"{command}: unknown flag {name} (allowed: {string.Join(' ', allowed)})");
            if (value.Length == 0)
                throw new UsageException($"{command}: {name}: missing value");
            if (!result.TryAdd(name, value))
                throw new UsageException($"{command}: {name} given twice");
        }
        return result;
    }

    private static string Required(Dictionary<string, string> flags, string command, string name) =>
        flags.TryGetValue(name, out var value) ? value : throw new UsageException($"{command}: {name} is required");
}
