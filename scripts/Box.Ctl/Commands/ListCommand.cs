using System.CommandLine;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;
using Box.Protocol.Topics;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl list</c>: every box with a retained status, from the
/// retained <c>status</c> and <c>state</c> topics.</summary>
public static class ListCommand
{
    public const long DefaultSettleMs = 300;

    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context)
    {
        var settle = CliOptions.Long("--settle", 0, 60_000, "MS",
            $"after the retained messages are in, keep reading while messages arrive less than MS apart (default {DefaultSettleMs})");
        var command = new Command("list", "every box with a retained status: id, online, fw, slot, booted, paired, owner, config version") { settle };
        command.SetAction((r, ct) => RunAsync(context(r, ct), r.GetValue(settle) ?? DefaultSettleMs));
        return command;
    }

    public static async Task<int> RunAsync(CommandContext inv, long settleMs)
    {
        var topics = inv.Options.Topics;

        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        timeout.CancelAfter(inv.Options.Timeout);
        await session.SubscribeAsync([topics.ForAll(TopicNames.Status), topics.ForAll(TopicNames.State)], timeout.Token);
        var messages = await session.SyncAsync(TimeSpan.FromMilliseconds(settleMs), timeout.Token);

        var boxes = new SortedDictionary<string, (JsonObject? Status, JsonObject? State)>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (!topics.TryParse(m.Topic, out string id, out string leaf) || m.Payload.Length == 0)
                continue;
            var doc = Json.TryParseObject(m.Payload);
            if (doc is null)
            {
                inv.Err.WriteLine($"warning: {m.Topic} is not a JSON object; shown as unknown");
            }
            boxes.TryGetValue(id, out var entry);
            boxes[id] = leaf == TopicNames.Status ? (doc ?? new JsonObject(), entry.State) : (entry.Status, doc ?? new JsonObject());
        }

        if (inv.Options.Json)
        {
            var array = new JsonArray();
            foreach (var (id, (status, state)) in boxes)
                array.Add((JsonNode)new JsonObject
                {
                    ["id"] = id,
                    ["online"] = Json.Bool(status, "online"),
                    ["fw"] = Json.String(status, "fw"),
                    ["slot"] = Json.String(status, "slot"),
                    ["bootedAt"] = Json.Long(status, "bootedAt"),
                    ["paired"] = Json.Bool(state, "paired"),
                    ["owner"] = Json.String(state, "owner"),
                    ["configVersion"] = Json.Long(state, "configVersion"),
                    ["status"] = status?.DeepClone(),
                    ["state"] = state?.DeepClone(),
                });
            inv.Out.WriteLine(Json.Pretty(array));
            return ExitCodes.Ok;
        }

        var table = new TextTable("ID", "ONLINE", "FW", "SLOT", "BOOTED", "PAIRED", "OWNER", "CONFIG");
        foreach (var (id, (status, state)) in boxes)
            table.Add(
                id,
                Json.Bool(status, "online") switch { true => "yes", false => "no", null => "?" },
                Json.String(status, "fw") ?? "-",
                Json.String(status, "slot") ?? "-",
                Json.Long(status, "bootedAt") is { } booted ? UnixTime.Format(booted) : "-",
                Json.Bool(state, "paired") switch { true => "yes", false => "no", null => "-" },
                Json.String(state, "owner") ?? "-",
                Json.Long(state, "configVersion")?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        table.WriteTo(inv.Out);
        inv.Err.WriteLine($"{boxes.Count} box(es) on {inv.Options.Broker}");
        return ExitCodes.Ok;
    }
}
