using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;
using Box.Protocol.Topics;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl cmd</c>: sends one command and waits for its final reply.</summary>
public static class CmdCommand
{
    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context)
    {
        var box = new Argument<string>("ID") { Description = "the box" };
        var name = new Argument<string>("NAME") { Description = "the command, like ping, led.identify, chunk.prefetch, firmware.update" };
        var args = CliOptions.Text("--args", "JSON", "the command's args, a JSON object like '{\"seconds\":10}'");
        var expiresIn = CliOptions.Long("--expires-in", 1, 365L * 24 * 3600, "SECONDS", "the box refuses the command after now + SECONDS (default: never expires)");
        var cmdId = CliOptions.Text("--cmd-id", "X", "command id (default random boxctl-<hex>); repeat one to retry idempotently");
        var command = new Command("cmd", "send one command and wait for its final reply (progress is printed meanwhile)")
        {
            box, name, args, expiresIn, cmdId,
        };
        command.SetAction((r, ct) => RunAsync(context(r, ct), r.GetValue(box)!, r.GetValue(name)!, r.GetValue(args), r.GetValue(expiresIn),
            r.GetValue(cmdId) ?? CommandMessages.NewCommandId()));
        return command;
    }

    public static async Task<int> RunAsync(CommandContext inv, string boxId, string name, string? argsText, long? expiresIn, string cmdId)
    {
        CliOptions.ValidBoxId(boxId);
        if (cmdId.Length is 0 or > 128)
            throw new UsageException("--cmd-id must be 1..128 characters");
        JsonObject? args = argsText is null ? null : ParseArgs(argsText);

        var topics = inv.Options.Topics;
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(inv.Options.Timeout);

        string responseTopic = $"boxctl/{session.Token}/reply";
        byte[] correlation = Encoding.UTF8.GetBytes(cmdId);
        // Subscribed before sending, so no reply or progress can be missed.
        // box/{id}/reply too: a box that ignores the response topic answers there.
        await session.SubscribeAsync([responseTopic, topics.For(boxId, TopicNames.Reply), topics.For(boxId, TopicNames.Events)], deadline.Token);
        long? expires = expiresIn is { } s ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() + s : null;
        await session.PublishAsync(topics.For(boxId, TopicNames.Cmd), CommandMessages.Build(cmdId, name, args, expires), retain: false,
            responseTopic, correlation, deadline.Token);

        bool accepted = false;
        try
        {
            await foreach (var m in session.Messages.ReadAllAsync(deadline.Token))
            {
                if (m.Topic == topics.For(boxId, TopicNames.Events))
                {
                    if (CommandMessages.IsProgressOf(Json.TryParseObject(m.Payload), cmdId, out double? percent, out string? message))
                        (inv.Options.Json ? inv.Err : inv.Out).WriteLine(
                            $"progress {percent?.ToString("0.#", CultureInfo.InvariantCulture) ?? "?"}%{(message is null ? "" : " " + message)}");
                    continue;
                }
                var reply = CommandReply.TryParse(m.Payload);
                if (reply is null || reply.Id != cmdId)
                    continue;
                if (m.Topic == responseTopic && m.CorrelationData is { } cd && !cd.AsSpan().SequenceEqual(correlation))
                    continue;
                if (reply.IsAccepted)
                {
                    if (!accepted)
                        (inv.Options.Json ? inv.Err : inv.Out).WriteLine($"accepted {cmdId}; waiting for the final reply");
                    accepted = true;
                    continue;
                }
                return Report(inv, reply);
            }
        }
        catch (OperationCanceledException) when (!inv.Cancellation.IsCancellationRequested)
        {
            inv.Err.WriteLine(accepted
                ? $"error: {boxId} accepted {name} ({cmdId}) but sent no final reply within {inv.Options.Timeout.TotalSeconds:0} s"
                : $"error: no reply from {boxId} to {name} ({cmdId}) within {inv.Options.Timeout.TotalSeconds:0} s");
            return ExitCodes.Timeout;
        }
        throw new BrokerException("lost the broker connection while waiting for the reply");
    }

    static int Report(CommandContext inv, CommandReply reply)
    {
        if (inv.Options.Json)
            inv.Out.WriteLine(Json.Compact(reply.Raw));
        if (!reply.Ok)
        {
            inv.Err.WriteLine($"error: {reply.ErrorCode}: {reply.ErrorMessage ?? "(no message)"}");
            return ExitCodes.Failed;
        }
        if (!inv.Options.Json)
            inv.Out.WriteLine(reply.Result is null ? reply.Status : Json.Pretty(reply.Result));
        return ExitCodes.Ok;
    }

    static JsonObject ParseArgs(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new UsageException("--args must be a JSON object, like '{\"seconds\":10}'");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--args is not valid JSON: {ex.Message}");
        }
    }
}
