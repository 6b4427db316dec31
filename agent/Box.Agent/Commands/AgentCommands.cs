using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Configuration;
using Box.Agent.Pairing;
using Box.Agent.Supervision;
using Box.Protocol.Commands;

namespace Box.Agent.Commands;

/// <summary>
/// The agent's command handlers (docs/contract.md "Commands"), as a table
/// name → <see cref="CommandHandler"/> for the dispatcher:
/// <code>foreach (var (name, handler) in new AgentCommands(supervisor).Table) dispatcher.Register(name, handler);</code>
/// Handlers run on the supervisor loop (the dispatcher is called from it), so
/// they read and change the supervisor's state directly and never block.
/// </summary>
public sealed class AgentCommands
{
    public const int MaxIdentifySeconds = 3600;
    public const int MaxRebootDelaySeconds = 3600;
    public const int MaxOwnerLength = 128;
    public const int DefaultLogLines = 100;

    private readonly Supervisor _supervisor;

    public AgentCommands(Supervisor supervisor)
    {
        _supervisor = supervisor;
        var table = new Dictionary<string, CommandHandler>(StringComparer.Ordinal)
        {
            ["ping"] = Ping,
            ["state.get"] = StateGet,
            ["reboot"] = Reboot,
            ["led.identify"] = LedIdentify,
            ["pair.confirm"] = PairConfirm,
            ["unpair"] = Unpair,
            ["config.get"] = ConfigGet,
            ["logs.tail"] = LogsTail,
        };
        foreach (var (name, handler) in new ChunkCommands(supervisor).Table)
            table.Add(name, handler);
        Table = table;
    }

    public IReadOnlyDictionary<string, CommandHandler> Table { get; }

    private ValueTask<JsonObject?> Ping(ICommandContext c) =>
        Result(new JsonObject { ["pong"] = true, ["uptime"] = (long)_supervisor.Telemetry.Uptime.TotalSeconds });

    private ValueTask<JsonObject?> StateGet(ICommandContext c) => Result(_supervisor.StateDocumentNow());

    private ValueTask<JsonObject?> Reboot(ICommandContext c)
    {
        var delay = CommandArgs.Int(c.Args, "delaySeconds", 0, MaxRebootDelaySeconds, fallback: 0);
        // Validate before accepting: a second reboot is refused with busy, not accepted.
        if (_supervisor.Jobs.RebootScheduled)
            throw new CommandException(ErrorCodes.Busy, "a reboot is already scheduled");
        _supervisor.Jobs.ScheduleReboot(TimeSpan.FromSeconds(delay), c.Accept());
        return Result(null);
    }

    private ValueTask<JsonObject?> LedIdentify(ICommandContext c)
    {
        var seconds = CommandArgs.Int(c.Args, "seconds", 1, MaxIdentifySeconds, fallback: 10);
        _supervisor.Jobs.StartIdentify(TimeSpan.FromSeconds(seconds));
        return Result(new JsonObject { ["identifying"] = true, ["seconds"] = seconds });
    }

    private ValueTask<JsonObject?> PairConfirm(ICommandContext c)
    {
        var code = CommandArgs.String(c.Args, "code", 64);
        if (code.Length != PairingWindow.CodeDigits || !code.All(char.IsAsciiDigit))
            throw CommandArgs.Bad("code", $"expected a {PairingWindow.CodeDigits}-digit string");
        var owner = CommandArgs.String(c.Args, "owner", MaxOwnerLength);
        _supervisor.Pairing.Confirm(code, owner);
        return Result(new JsonObject { ["paired"] = true });
    }

    private ValueTask<JsonObject?> Unpair(ICommandContext c)
    {
        _supervisor.Pairing.Unpair();
        return Result(new JsonObject { ["paired"] = false });
    }

    private ValueTask<JsonObject?> ConfigGet(ICommandContext c) => Result(ConfigJson.ToJson(_supervisor.Config, redactSecrets: true));

    private ValueTask<JsonObject?> LogsTail(ICommandContext c)
    {
        var log = _supervisor.Log;
        var lines = CommandArgs.Int(c.Args, "lines", 1, log.Capacity, fallback: DefaultLogLines);
        return Result(new JsonObject { ["lines"] = new JsonArray([.. log.Tail(lines).Select(l => (JsonNode)l)]) });
    }

    private static ValueTask<JsonObject?> Result(JsonObject? result) => ValueTask.FromResult(result);
}
