using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Box.Ctl.Cli;
using Box.Ctl.Mqtt;
using Box.Ctl.Output;
using Box.Ctl.Rollout;
using Box.Protocol.Tokens;
using Box.Protocol.Topics;

namespace Box.Ctl.Commands;

/// <summary><c>boxctl rollout</c>: <c>firmware.update</c> to a fleet in waves,
/// halting when failures exceed the threshold (logic in <see cref="RolloutState"/>
/// and <see cref="BoxUpdate"/>; this class only moves messages).</summary>
public static class RolloutCommand
{
    public static readonly TimeSpan DefaultWaveTimeout = TimeSpan.FromMinutes(15);

    public static Command Create(Func<ParseResult, CancellationToken, CommandContext> context)
    {
        var ids = CliOptions.Text("--ids", "ID1,ID2,…", "the fleet, in order (canaries first)");
        var idsFile = CliOptions.Text("--ids-file", "FILE", "the fleet, one id per line (blank lines and # comments skipped)");
        var waveSize = CliOptions.Long("--wave-size", 1, int.MaxValue, "N", "consecutive waves of N boxes");
        var waves = CliOptions.Text("--waves", "STEPS", $"cumulative steps, counts or percentages of the fleet (default {RolloutPlan.DefaultSteps})");
        var url = Required(CliOptions.Text("--url", "URL", "where boxes download the bundle (http:// or https://)"));
        var version = Required(CliOptions.Text("--version", "V", "the bundle's firmware version"));
        var size = Required(CliOptions.Long("--size", 1, long.MaxValue, "BYTES", "the bundle's size in bytes"));
        var sha256 = Required(CliOptions.Text("--sha256", "HEX", "the bundle's SHA-256"));
        var maxFailures = CliOptions.Long("--max-failures", 0, int.MaxValue, "N", "failures tolerated (default 0)");
        var maxPercent = CliOptions.Double("--max-failure-percent", 0, 100, "P", "failures tolerated, in percent of the boxes asked so far");
        var waveTimeout = CliOptions.Long("--wave-timeout", 1, 7 * 24 * 3600, "SECONDS",
            $"a box still undecided then timed out (default {DefaultWaveTimeout.TotalSeconds:0})");
        var command = new Command("rollout", "firmware.update to a fleet in waves, halting when failures exceed the threshold")
        {
            ids, idsFile, waveSize, waves, url, version, size, sha256, maxFailures, maxPercent, waveTimeout,
        };
        command.SetAction((r, ct) => RunAsync(context(r, ct), r.GetValue(ids), r.GetValue(idsFile), r.GetValue(waveSize), r.GetValue(waves),
            r.GetValue(url)!, r.GetValue(version)!, r.GetValue(size)!.Value, r.GetValue(sha256)!, r.GetValue(maxFailures), r.GetValue(maxPercent),
            r.GetValue(waveTimeout) ?? (long)DefaultWaveTimeout.TotalSeconds));
        return command;
    }

    static Option<T> Required<T>(Option<T> option)
    {
        option.Required = true;
        return option;
    }

    public static async Task<int> RunAsync(CommandContext inv, string? idsText, string? idsFile, long? waveSize, string? steps,
        string url, string version, long size, string sha256, long? maxFailures, double? maxPercent, long waveTimeoutSeconds)
    {
        if ((idsText is null) == (idsFile is null))
            throw new UsageException("rollout needs exactly one of --ids ID1,ID2,… or --ids-file FILE");
        if (waveSize is not null && steps is not null)
            throw new UsageException("rollout takes --wave-size or --waves, not both");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new UsageException($"--url must be an http:// or https:// URL, not '{url}'");
        if (!ChunkTokenFormat.IsSha256Hex(sha256))
            throw new UsageException($"--sha256 must be 64 hex digits, not '{sha256}'");
        if (string.IsNullOrWhiteSpace(version))
            throw new UsageException("--version must not be empty");
        List<string> ids;
        if (idsFile is not null)
        {
            if (!File.Exists(idsFile))
                throw new UsageException($"--ids-file: no such file '{idsFile}'");
            ids = RolloutPlan.ParseIds(File.ReadLines(idsFile), $"'{idsFile}'");
        }
        else
        {
            ids = RolloutPlan.ParseIds(idsText!.Split(','), "--ids");
        }
        var plan = waveSize is { } n ? RolloutPlan.BySize(ids, (int)n) : RolloutPlan.BySteps(ids, steps ?? RolloutPlan.DefaultSteps);
        var state = new RolloutState(plan, FailureThreshold.Create(maxFailures, maxPercent));
        var waveTimeout = TimeSpan.FromSeconds(waveTimeoutSeconds);
        var updateArgs = new JsonObject { ["url"] = url, ["version"] = version, ["size"] = size, ["sha256"] = sha256.ToLowerInvariant() };

        var topics = inv.Options.Topics;
        await using var session = await BrokerSession.ConnectAsync(inv.Options, inv.Cancellation);
        string responseTopic = $"boxctl/{session.Token}/reply";
        await session.SubscribeAsync([responseTopic], inv.Cancellation);
        var log = inv.Options.Json ? inv.Err : inv.Out;
        log.WriteLine($"rollout of {version} to {plan.BoxCount} box(es) in {plan.Waves.Count} wave(s); tolerating {state.Threshold}");

        try
        {
            while (!state.IsFinished)
            {
                var wave = state.StartWave();
                int number = state.Summaries.Count + 1;
                log.WriteLine($"wave {number}/{plan.Waves.Count}: {wave.Count} box(es): {string.Join(", ", wave)}");
                foreach (var outcome in await RunWaveAsync(session, inv, wave, responseTopic, session.Token, version, updateArgs, waveTimeout))
                {
                    state.Record(outcome);
                    log.WriteLine($"  {outcome.BoxId}: {Describe(outcome)}");
                }
                var summary = state.FinishWave();
                log.WriteLine($"wave {summary.Number}/{summary.Of} done: {summary.Count(BoxResult.Updated)} updated, {summary.Failures} failed, "
                    + $"{summary.Count(BoxResult.AlreadyCurrent)} already current, {summary.Count(BoxResult.Skipped)} skipped; "
                    + $"{summary.TotalFailures} failure(s) of {summary.TotalAsked} asked so far");
            }
        }
        catch (OperationCanceledException) when (inv.Cancellation.IsCancellationRequested)
        {
            inv.Err.WriteLine("rollout interrupted; boxes of the running wave may still be updating");
            return ExitCodes.Interrupted;
        }

        WriteReport(inv, state, version);
        return state.ThresholdExceeded ? ExitCodes.Failed : ExitCodes.Ok;
    }

    static async Task<List<BoxOutcome>> RunWaveAsync(BrokerSession session, CommandContext inv, IReadOnlyList<string> wave,
        string responseTopic, string rolloutToken, string version, JsonObject updateArgs, TimeSpan waveTimeout)
    {
        var topics = inv.Options.Topics;
        var boxes = wave.ToDictionary(id => id, id => new BoxUpdate(id, $"rollout-{rolloutToken}-{id}", version), StringComparer.Ordinal);
        var byCommand = boxes.Values.ToDictionary(b => b.CommandId, StringComparer.Ordinal);
        await session.SubscribeAsync(wave.SelectMany(id => new[] { topics.For(id, TopicNames.Status), topics.For(id, TopicNames.Events), topics.For(id, TopicNames.Reply) }), inv.Cancellation);

        // Retained statuses first: who is online, and on which fw.
        var initial = new Dictionary<string, JsonObject?>(StringComparer.Ordinal);
        foreach (var m in await session.SyncAsync(TimeSpan.FromMilliseconds(100), inv.Cancellation))
            if (topics.TryParse(m.Topic, out string id, out string leaf) && leaf == TopicNames.Status && boxes.ContainsKey(id))
                initial[id] = Json.TryParseObject(m.Payload);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(inv.Cancellation);
        deadline.CancelAfter(waveTimeout);
        long expires = DateTimeOffset.UtcNow.Add(waveTimeout).ToUnixTimeSeconds();
        foreach (var box in boxes.Values)
        {
            if (!box.Begin(initial.GetValueOrDefault(box.BoxId)))
                continue;
            await session.PublishAsync(topics.For(box.BoxId, TopicNames.Cmd), CommandMessages.Build(box.CommandId, "firmware.update", updateArgs, expires),
                retain: false, responseTopic, Encoding.UTF8.GetBytes(box.CommandId), deadline.Token);
        }

        try
        {
            while (boxes.Values.Any(b => b.Outcome is null))
            {
                var m = await session.Messages.ReadAsync(deadline.Token);
                if (m.Topic == responseTopic)
                {
                    if (CommandReply.TryParse(m.Payload) is { } reply && byCommand.TryGetValue(reply.Id, out var target))
                        target.OnReply(reply);
                    continue;
                }
                if (!topics.TryParse(m.Topic, out string id, out string leaf) || !boxes.TryGetValue(id, out var box))
                    continue;
                switch (leaf)
                {
                    case TopicNames.Status:
                        box.OnStatus(Json.TryParseObject(m.Payload));
                        break;
                    case TopicNames.Events:
                        box.OnEvent(Json.TryParseObject(m.Payload));
                        break;
                    case TopicNames.Reply:
                        if (CommandReply.TryParse(m.Payload) is { } direct)
                            box.OnReply(direct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!inv.Cancellation.IsCancellationRequested)
        {
            // Wave timeout: whoever is undecided timed out (below).
        }
        return wave.Select(id => boxes[id].Outcome ?? boxes[id].TimeOut(waveTimeout)).ToList();
    }

    static string Describe(BoxOutcome o) => o.Result switch
    {
        BoxResult.Updated => "updated " + o.Detail,
        BoxResult.AlreadyCurrent => "unchanged, " + o.Detail,
        BoxResult.Skipped => "skipped (" + o.Detail + "; nothing sent)",
        BoxResult.Failed => "FAILED: " + o.Detail,
        BoxResult.RolledBack => "ROLLED BACK: " + o.Detail,
        BoxResult.TimedOut => "TIMED OUT: " + o.Detail,
        _ => o.Detail,
    };

    static void WriteReport(CommandContext inv, RolloutState state, string version)
    {
        var notReached = state.NotReached.ToList();
        string verdict = state.Halted ? "halted" : state.ThresholdExceeded ? "failed" : "completed";
        if (inv.Options.Json)
        {
            var boxes = new JsonArray();
            foreach (var o in state.Outcomes)
                boxes.Add((JsonNode)new JsonObject { ["id"] = o.BoxId, ["result"] = ResultName(o.Result), ["detail"] = o.Detail });
            foreach (string id in notReached)
                boxes.Add((JsonNode)new JsonObject { ["id"] = id, ["result"] = "not_reached", ["detail"] = "rollout halted before its wave" });
            inv.Out.WriteLine(Json.Pretty(new JsonObject
            {
                ["version"] = version,
                ["result"] = verdict,
                ["waves"] = state.Plan.Waves.Count,
                ["wavesRun"] = state.Summaries.Count,
                ["asked"] = state.Asked,
                ["failures"] = state.Failures,
                ["threshold"] = state.Threshold.ToString(),
                ["boxes"] = boxes,
            }));
            return;
        }
        var o2 = state.Outcomes;
        inv.Out.WriteLine();
        inv.Out.WriteLine($"rollout {verdict}: {version} on {o2.Count(o => o.Result is BoxResult.Updated or BoxResult.AlreadyCurrent)} of {state.Plan.BoxCount} box(es); "
            + $"{state.Failures} failure(s) of {state.Asked} asked (tolerating {state.Threshold}); "
            + $"{state.Summaries.Count} of {state.Plan.Waves.Count} wave(s) run");
        var table = new TextTable("ID", "RESULT", "DETAIL");
        foreach (var o in o2.Where(o => o.Result != BoxResult.Updated))
            table.Add(o.BoxId, ResultName(o.Result), o.Detail);
        foreach (string id in notReached)
            table.Add(id, "not_reached", "rollout halted before its wave; nothing sent");
        if (o2.Any(o => o.Result != BoxResult.Updated) || notReached.Count > 0)
            table.WriteTo(inv.Out);
        if (state.Halted)
            inv.Err.WriteLine($"error: rollout halted after wave {state.Summaries.Count}: {state.Failures} failure(s) exceed the threshold ({state.Threshold}); {notReached.Count} box(es) not reached");
        else if (state.ThresholdExceeded)
            inv.Err.WriteLine($"error: the last wave exceeded the failure threshold ({state.Failures} failure(s), tolerating {state.Threshold})");
    }

    static string ResultName(BoxResult r) => r switch
    {
        BoxResult.Updated => "updated",
        BoxResult.AlreadyCurrent => "already_current",
        BoxResult.Skipped => "skipped",
        BoxResult.Failed => "failed",
        BoxResult.RolledBack => "rolled_back",
        BoxResult.TimedOut => "timed_out",
        _ => r.ToString(),
    };
}
