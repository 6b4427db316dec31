using System.Diagnostics;
using System.Text.Json;
using Box.Protocol.Topics;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Box.FleetSim.Measure;

public sealed record ObserveOptions
{
    public required Uri Broker { get; init; }
    public required int Expect { get; init; }
    public string Prefix { get; init; } = "box/{id}/";
    /// <summary>1: until Expect online. 2: then until the broker connection is lost
    /// and Expect are online again (the reconnect storm after a broker restart).</summary>
    public int Phases { get; init; } = 1;
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a phase saw: time until all were online, the online count per
/// second (the connect rate histogram) and its peak.</summary>
public sealed record PhaseResult(int Phase, int Expect, int Reached, long? AllOnlineMs, IReadOnlyList<int> PerSecond, long ResubscribedMs,
    IReadOnlyList<int> PerTenth)
{
    public int PeakPerSecond => PerSecond.Count == 0 ? 0 : PerSecond.Max();
}

/// <summary>An outside observer of a fleet: subscribes to the retained
/// <c>{prefix}status</c> of every box and counts those whose last status says
/// online. Time 0 of phase 1 is the subscription; of phase 2 the moment the
/// broker connection dropped (the broker went away). After a loss it
/// reconnects in a tight loop, so its own delay is a few milliseconds and
/// retained statuses published meanwhile still arrive on resubscription.</summary>
public sealed class StatusObserver(ObserveOptions options, TextWriter output)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, bool> _online = new(StringComparer.Ordinal);
    private int _onlineCount;
    private volatile bool _lost;

    public int Online { get { lock (_gate) return _onlineCount; } }

    /// <summary>Written once subscribed for the first time (the caller starts the fleet then).</summary>
    public TaskCompletionSource Subscribed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<IReadOnlyList<PhaseResult>> RunAsync(CancellationToken cancel)
    {
        var layout = TopicLayout.Parse(options.Prefix);
        var filter = layout.ForAll(TopicNames.Status);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (layout.TryParse(e.ApplicationMessage.Topic, out var id, out _))
                Record(id, IsOnline(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
                _lost = true;
            return Task.CompletedTask;
        };
        var results = new List<PhaseResult>();
        var overall = Stopwatch.StartNew();
        for (var phase = 1; phase <= options.Phases; phase++)
        {
            var clock = Stopwatch.StartNew();
            if (phase > 1)
            {
                // Wait for the broker to go away (the benchmark restarts it).
                while (!_lost)
                {
                    if (overall.Elapsed > options.Timeout) return Fail(results, phase);
                    await Task.Delay(1, cancel).ConfigureAwait(false);
                }
                clock.Restart();
                output.WriteLine($"phase {phase}: broker connection lost, counting again");
            }
            lock (_gate)
            {
                // Without persistence the broker forgot every retained status; resubscribing recounts them.
                _online.Clear();
                _onlineCount = 0;
            }
            await ConnectAsync(client, filter, overall, cancel).ConfigureAwait(false);
            var resubscribed = clock.ElapsedMilliseconds;
            if (phase == 1)
            {
                clock.Restart();
                resubscribed = 0;
                Subscribed.TrySetResult();
            }
            output.WriteLine($"phase {phase}: subscribed to {filter} at {resubscribed} ms");
            var perSecond = new List<int>();
            var perTenth = new List<int>();
            var lastPrinted = -1;
            var secondStart = 0;
            var tenthStart = 0;
            long? allOnline = null;
            while (true)
            {
                var online = Online;
                var ms = clock.ElapsedMilliseconds;
                while ((perSecond.Count + 1) * 1000L <= ms)
                {
                    perSecond.Add(online - secondStart);
                    secondStart = online;
                }
                while ((perTenth.Count + 1) * 100L <= ms)
                {
                    perTenth.Add(online - tenthStart);
                    tenthStart = online;
                }
                if (online != lastPrinted)
                {
                    output.WriteLine($"t_ms={ms} online={online}");
                    lastPrinted = online;
                }
                if (online >= options.Expect)
                {
                    allOnline = ms;
                    perSecond.Add(online - secondStart);
                    perTenth.Add(online - tenthStart);
                    break;
                }
                if (overall.Elapsed > options.Timeout || _lost)
                    break;
                await Task.Delay(options.Tick, cancel).ConfigureAwait(false);
            }
            var result = new PhaseResult(phase, options.Expect, Online, allOnline, perSecond, resubscribed, perTenth);
            results.Add(result);
            Print(result);
            if (allOnline is null)
                return results;
        }
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
        }
        return results;
    }

    private IReadOnlyList<PhaseResult> Fail(List<PhaseResult> results, int phase)
    {
        var result = new PhaseResult(phase, options.Expect, Online, null, [], 0, []);
        results.Add(result);
        Print(result);
        return results;
    }

    private async Task ConnectAsync(IMqttClient client, string filter, Stopwatch overall, CancellationToken cancel)
    {
        var connect = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Broker.Host, options.Broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("fleetsim-observer-" + Guid.NewGuid().ToString("N")[..8])
            .WithCleanStart()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .Build();
        while (true)
        {
            try
            {
                _lost = false;
                await client.ConnectAsync(connect, cancel).ConfigureAwait(false);
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is MqttCommunicationException or InvalidOperationException or OperationCanceledException && !cancel.IsCancellationRequested)
            {
                if (overall.Elapsed > options.Timeout)
                    throw new TimeoutException($"observe: cannot connect to {options.Broker}: {e.Message}");
                if (client.IsConnected)
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
                await Task.Delay(10, cancel).ConfigureAwait(false);
            }
        }
    }

    private void Record(string id, bool online)
    {
        lock (_gate)
        {
            var was = _online.TryGetValue(id, out var before) && before;
            _online[id] = online;
            if (online != was)
                _onlineCount += online ? 1 : -1;
        }
    }

    /// <summary>{"online":true,…} is online; anything else (offline, cleared, junk) is not.</summary>
    internal static bool IsOnline(System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty)
            return false;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("online", out var online)
                && online.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Print(PhaseResult r)
    {
        output.WriteLine(r.AllOnlineMs is { } ms
            ? $"phase {r.Phase}: all {r.Expect} online after {ms} ms; peak {r.PeakPerSecond}/s"
            : $"phase {r.Phase}: timed out with {r.Reached} of {r.Expect} online");
        for (var s = 0; s < r.PerSecond.Count; s++)
            output.WriteLine($"HIST phase={r.Phase} second={s + 1} online_delta={r.PerSecond[s]}");
        for (var t = 0; t < r.PerTenth.Count; t++)
            output.WriteLine($"HIST100 phase={r.Phase} until_ms={(t + 1) * 100} online_delta={r.PerTenth[t]}");
        output.WriteLine($"RESULT phase={r.Phase} expect={r.Expect} reached={r.Reached} all_online_ms={r.AllOnlineMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "timeout"} peak_per_s={r.PeakPerSecond} resubscribed_ms={r.ResubscribedMs}");
        output.Flush();
    }
}
