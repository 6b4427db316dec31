using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;
using Box.Protocol.Topics;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl config set|get|clear</c>: the retained desired
/// configuration on <c>box/{id}/config</c>.</summary>
public static class ConfigCommand
{
    public const int MaxBytes = 256 * 1024;

    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context)
    {
        static Argument<string> Box() => new("ID") { Description = "the box" };
        var setBox = Box();
        var file = new Argument<string>("FILE") { Description = "the desired config, a JSON object with an integer \"version\"; - reads stdin" };
        var force = CliOptions.Flag("--force", "publish even when the version is not greater than the retained one");
        var set = new Command("set", "publish the desired config, retained, to box/{ID}/config") { setBox, file, force };
        set.SetAction(async (r, ct) =>
        {
            var inv = context(r, ct);
            string boxId = CliOptions.ValidBoxId(r.GetValue(setBox)!);
            return await SetAsync(inv, boxId, ReadDocument(r.GetValue(file)!, inv.In), r.GetValue(force));
        });
        var getBox = Box();
        var get = new Command("get", "print the retained desired config (exit 1 if there is none)") { getBox };
        get.SetAction((r, ct) => GetAsync(context(r, ct), CliOptions.ValidBoxId(r.GetValue(getBox)!)));
        var clearBox = Box();
        var clear = new Command("clear", "remove the retained desired config") { clearBox };
        clear.SetAction((r, ct) => ClearAsync(context(r, ct), CliOptions.ValidBoxId(r.GetValue(clearBox)!)));
        return new Command("config", "the retained desired configuration on box/{ID}/config") { set, get, clear };
    }

    /// <summary>A desired config must be a JSON object with an integer
    /// <c>version</c> (docs/contract.md "Configuration"); anything else is refused
    /// here rather than by every box.</summary>
    public static JsonObject Validate(string text, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{source} is not valid JSON: {ex.Message}");
        }
        if (node is not JsonObject config)
            throw new UsageException($"{source} must hold a JSON object, not {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}");
        if (config["version"] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out long version))
            throw new UsageException($"{source} needs an integer \"version\" (like \"version\": 7)");
        if (version < 0)
            throw new UsageException($"{source}: \"version\" must not be negative, not {version}");
        return config;
    }

    static JsonObject ReadDocument(string source, TextReader stdin)
    {
        string text;
        string name = source == "-" ? "stdin" : $"'{source}'";
        if (source == "-")
        {
            text = stdin.ReadToEnd();
        }
        else
        {
            if (!File.Exists(source))
                throw new UsageException($"no such file '{source}'");
            if (new FileInfo(source).Length > MaxBytes)
                throw new UsageException($"{name} is larger than {MaxBytes / 1024} KiB");
            text = File.ReadAllText(source);
        }
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
            throw new UsageException($"{name} is larger than {MaxBytes / 1024} KiB");
        return Validate(text, name);
    }

    static async Task<int> SetAsync(CommandContext inv, string boxId, JsonObject config, bool force)
    {
        long version = Json.Long(config, "version")!.Value;
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, TopicNames.Config);
        if (!force && Json.Long(await ReadRetainedAsync(session, topic, deadline.Token), "version") is { } current && current >= version)
        {
            inv.Err.WriteLine($"error: version {version} is not greater than the current desired version {current} of {boxId}; boxes ignore it (use --force to publish anyway)");
            return ExitCodes.Failed;
        }
        await session.PublishAsync(topic, Encoding.UTF8.GetBytes(config.ToJsonString()), retain: true, cancellationToken: deadline.Token);
        if (inv.Options.Json)
            inv.Out.WriteLine(Json.Compact(new JsonObject { ["id"] = boxId, ["version"] = version, ["topic"] = topic }));
        else
            inv.Out.WriteLine($"desired config version {version} set for {boxId} ({topic}, retained)");
        return ExitCodes.Ok;
    }

    static async Task<int> GetAsync(CommandContext inv, string boxId)
    {
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, TopicNames.Config);
        var message = await ReadRetainedMessageAsync(session, topic, deadline.Token);
        if (message is null)
        {
            inv.Err.WriteLine($"no desired config for {boxId} ({topic} has no retained message)");
            return ExitCodes.Failed;
        }
        var config = Json.TryParseObject(message.Payload);
        if (config is null)
        {
            inv.Err.WriteLine($"warning: the retained {topic} is not a JSON object; printed as is");
            inv.Out.WriteLine(message.PayloadText);
            return ExitCodes.Failed;
        }
        inv.Out.WriteLine(inv.Options.Json ? Json.Compact(config) : Json.Pretty(config));
        return ExitCodes.Ok;
    }

    static async Task<int> ClearAsync(CommandContext inv, string boxId)
    {
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, TopicNames.Config);
        await session.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, retain: true, cancellationToken: deadline.Token);
        if (!inv.Options.Json)
            inv.Out.WriteLine($"desired config of {boxId} cleared ({topic})");
        return ExitCodes.Ok;
    }

    static async Task<JsonObject?> ReadRetainedAsync(BrokerSession session, string topic, CancellationToken ct) =>
        await ReadRetainedMessageAsync(session, topic, ct) is { } m ? Json.TryParseObject(m.Payload) : null;

    static async Task<ReceivedMessage?> ReadRetainedMessageAsync(BrokerSession session, string topic, CancellationToken ct)
    {
        await session.SubscribeAsync([topic], ct);
        var messages = await session.SyncAsync(TimeSpan.Zero, ct);
        return messages.LastOrDefault(m => m.Topic == topic && m.Retained && m.Payload.Length > 0);
    }
}
