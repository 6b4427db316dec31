using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;
using Box.Protocol.Topics;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl watch</c>: one line per message on the chosen topics of
/// one box or all boxes, until Ctrl-C (or <c>--count</c> messages).</summary>
public static class WatchCommand
{
    static readonly string[] Known = [TopicNames.Events, TopicNames.Telemetry, TopicNames.State, TopicNames.Status, TopicNames.Reply, TopicNames.Pairing, TopicNames.Config, TopicNames.Usage];
    public const string DefaultTopics = "events,telemetry";

    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context)
    {
        var id = CliOptions.Text("--id", "ID", "only this box");
        var all = CliOptions.Flag("--all", "every box (the default)");
        var topics = CliOptions.Text("--topics", "T1,T2,…", $"comma-separated topics: {string.Join(",", Known)} (default {DefaultTopics})");
        topics.CompletionSources.Add(c => Known.Select(k => new CompletionItem(k)));
        var count = CliOptions.Long("--count", 1, long.MaxValue, "N", "stop after N messages (default: until Ctrl-C)");
        var command = new Command("watch", "one line per message on the chosen topics of one box or all boxes, until Ctrl-C")
        {
            id, all, topics, count,
        };
        command.SetAction((r, ct) => RunAsync(context(r, ct), r.GetValue(id), r.GetValue(all), r.GetValue(topics) ?? DefaultTopics, r.GetValue(count)));
        return command;
    }

    public static async Task<int> RunAsync(CommandContext inv, string? id, bool all, string topicList, long? count)
    {
        if (id is not null && all)
            throw new UsageException("watch takes --id ID or --all, not both");
        if (id is not null)
            CliOptions.ValidBoxId(id);
        string[] leaves = topicList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (leaves.Length == 0)
            throw new UsageException("--topics needs at least one of " + string.Join(",", Known));
        foreach (string leaf in leaves)
            if (!Known.Contains(leaf))
                throw new UsageException($"--topics: unknown topic '{leaf}' (known: {string.Join(",", Known)})");

        var topics = inv.Options.Topics;
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        await session.SubscribeAsync(leaves.Select(l => id is null ? topics.ForAll(l) : topics.For(id, l)), inv.Cancellation);
        inv.Err.WriteLine($"watching {string.Join(",", leaves)} of {(id is null ? "all boxes" : id)} on {inv.Options.Broker} (Ctrl-C stops)");
        inv.Err.Flush();

        long seen = 0;
        try
        {
            await foreach (var m in session.Messages.ReadAllAsync(inv.Cancellation))
            {
                if (!topics.TryParse(m.Topic, out string boxId, out string leaf))
                    continue;
                inv.Out.WriteLine(inv.Options.Json ? JsonLine(m, boxId, leaf) : TextLine(m, boxId, leaf));
                inv.Out.Flush();
                if (count is { } limit && ++seen >= limit)
                    break;
            }
        }
        catch (OperationCanceledException) when (inv.Cancellation.IsCancellationRequested)
        {
            // Ctrl-C is how watch ends.
        }
        return ExitCodes.Ok;
    }

    static string JsonLine(ReceivedMessage m, string boxId, string leaf)
    {
        JsonNode? payload = m.Payload.Length == 0 ? null : (JsonNode?)Json.TryParseObject(m.Payload) ?? JsonValue.Create(m.PayloadText);
        return Json.Compact(new JsonObject
        {
            ["received"] = m.ReceivedAt.ToUnixTimeMilliseconds() / 1000.0,
            ["id"] = boxId,
            ["topic"] = leaf,
            ["retained"] = m.Retained,
            ["payload"] = payload,
        });
    }

    /// <summary><c>2025-01-02 03:04:05Z box-1 event button.press seq=4 {…}</c>.</summary>
    public static string TextLine(ReceivedMessage m, string boxId, string leaf)
    {
        string retained = m.Retained ? " (retained)" : "";
        if (m.Payload.Length == 0)
            return $"{UnixTime.Format(m.ReceivedAt)} {boxId} {leaf} cleared{retained}";
        var doc = Json.TryParseObject(m.Payload);
        if (doc is null)
            return $"{UnixTime.Format(m.ReceivedAt)} {boxId} {leaf} (not a JSON object) {Truncate(m.PayloadText)}";
        string when = Json.Long(doc, "ts") is { } ts ? UnixTime.Format(ts) : UnixTime.Format(m.ReceivedAt);
        switch (leaf)
        {
            case TopicNames.Events:
                string type = Json.String(doc, "type") ?? "?";
                string seq = Json.Long(doc, "seq") is { } s ? $" seq={s}" : "";
                var rest = (JsonObject)doc.DeepClone();
                rest.Remove("type");
                rest.Remove("seq");
                rest.Remove("ts");
                return $"{when} {boxId} event {type}{seq}{(rest.Count > 0 ? " " + Json.Compact(rest) : "")}";
            case TopicNames.Status:
                if (Json.Bool(doc, "online") != true)
                    return $"{when} {boxId} status offline{retained}";
                string booted = Json.Long(doc, "bootedAt") is { } b ? $" booted={UnixTime.Format(b).Replace(' ', 'T')}" : "";
                return $"{when} {boxId} status online fw={Json.String(doc, "fw") ?? "?"} slot={Json.String(doc, "slot") ?? "?"}{booted}{retained}";
            default:
                var body = (JsonObject)doc.DeepClone();
                body.Remove("ts");
                return $"{when} {boxId} {leaf} {Json.Compact(body)}{retained}";
        }
    }

    static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
