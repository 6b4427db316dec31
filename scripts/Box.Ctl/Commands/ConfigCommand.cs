using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl config set|get|clear</c>: the retained desired
/// configuration on <c>box/{id}/config</c>.</summary>
public static class ConfigCommand
{
    public const string Usage = "config set ID FILE|- [--force] | config get ID | config clear ID";
    public const int MaxBytes = 256 * 1024;

    public static async Task<int> RunAsync(Invocation inv)
    {
        bool force = inv.Args.Flag("--force");
        string action = inv.Args.RequirePositional("config action: set, get or clear (usage: " + Usage + ")");
        string boxId = inv.Args.RequirePositional("box ID (usage: " + Usage + ")");
        TopicLayout.ValidateId(boxId);
        switch (action)
        {
            case "set":
                string source = inv.Args.RequirePositional("FILE (or - for stdin) with the desired config");
                inv.Args.EnsureEmpty("config set");
                return await SetAsync(inv, boxId, ReadDocument(source, inv.In), force);
            case "get":
                inv.Args.EnsureEmpty("config get");
                return await GetAsync(inv, boxId);
            case "clear":
                inv.Args.EnsureEmpty("config clear");
                return await ClearAsync(inv, boxId);
            default:
                throw new UsageException($"unknown config action '{action}' (set, get or clear)");
        }
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

    static async Task<int> SetAsync(Invocation inv, string boxId, JsonObject config, bool force)
    {
        long version = Json.Long(config, "version")!.Value;
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, "config");
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

    static async Task<int> GetAsync(Invocation inv, string boxId)
    {
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, "config");
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

    static async Task<int> ClearAsync(Invocation inv, string boxId)
    {
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);
        string topic = inv.Options.Topics.For(boxId, "config");
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
