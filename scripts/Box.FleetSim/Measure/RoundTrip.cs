using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Box.Protocol.Topics;

namespace Box.FleetSim.Measure;

/// <summary>Round-trip times in microseconds, sorted.</summary>
public sealed record RoundTrips(string Name, long[] Micros)
{
    public long Percentile(double p) => Micros.Length == 0 ? 0 : Micros[Math.Min(Micros.Length - 1, (int)Math.Ceiling(p / 100 * Micros.Length) - 1)];
    public double Mean => Micros.Length == 0 ? 0 : Micros.Average();
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"RESULT rtt={Name} count={Micros.Length} p50_us={Percentile(50)} p90_us={Percentile(90)} p99_us={Percentile(99)} max_us={Micros.LastOrDefault()} mean_us={Mean:0}");
}

/// <summary>Sequential request/response round trips through the broker, QoS 1
/// both ways, MQTT 5 response topic + correlation data: <c>ping</c> commands to
/// an agent, and (the peer) the same messages to a trivial echo responder that
/// publishes each request back to its response topic.</summary>
public sealed class RoundTrip(Uri broker, TextWriter output)
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiting = new();
    private readonly MqttClientFactory _factory = new();

    /// <summary>Pings the agent under <paramref name="topicPrefix"/> (its retained
    /// status must say online first: a command sent before it subscribed is lost).</summary>
    public async Task<RoundTrips> PingAgentAsync(string topicPrefix, int count, int warmup, CancellationToken cancel)
    {
        await WaitOnlineAsync(topicPrefix + TopicNames.Status, TimeSpan.FromSeconds(60), cancel).ConfigureAwait(false);
        var commandTopic = topicPrefix + TopicNames.Cmd;
        var run = Guid.NewGuid().ToString("N")[..8];
        return await MeasureAsync("agent", commandTopic, count, warmup,
            i => Encoding.UTF8.GetBytes($$"""{"id":"rtt-{{run}}-{{i}}","name":"ping"}"""), cancel).ConfigureAwait(false);
    }

    private async Task WaitOnlineAsync(string statusTopic, TimeSpan timeout, CancellationToken cancel)
    {
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (StatusObserver.IsOnline(e.ApplicationMessage.Payload))
                online.TrySetResult();
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Options("fleetsim-wait-" + Guid.NewGuid().ToString("N")[..8]), cancel).ConfigureAwait(false);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(statusTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel).ConfigureAwait(false);
        try
        {
            await online.Task.WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"rtt: {statusTopic} did not say online within {timeout.TotalSeconds:0} s (is the agent running against this broker?)");
        }
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The peer: an echo responder on its own connection, measured with the same client and payload shape.</summary>
    public async Task<RoundTrips> EchoAsync(int count, int warmup, CancellationToken cancel)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var requests = $"fleetsim/echo/{run}/req";
        using var echo = _factory.CreateMqttClient();
        echo.ApplicationMessageReceivedAsync += async e =>
        {
            var m = e.ApplicationMessage;
            if (m.ResponseTopic is null) return;
            await echo.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(m.ResponseTopic).WithPayload(m.Payload).WithCorrelationData(m.CorrelationData)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), CancellationToken.None).ConfigureAwait(false);
        };
        await echo.ConnectAsync(Options("fleetsim-echo-" + run), cancel).ConfigureAwait(false);
        await echo.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(requests, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel).ConfigureAwait(false);
        var result = await MeasureAsync("echo", requests, count, warmup,
            i => Encoding.UTF8.GetBytes($$"""{"id":"rtt-{{run}}-{{i}}","name":"ping"}"""), cancel).ConfigureAwait(false);
        await echo.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private async Task<RoundTrips> MeasureAsync(string name, string topic, int count, int warmup, Func<int, byte[]> payload, CancellationToken cancel)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var replies = $"fleetsim/rtt/{run}/reply";
        using var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var c = e.ApplicationMessage.CorrelationData;
            if (c is { Length: 8 } && _waiting.TryRemove(BinaryPrimitives.ReadInt64BigEndian(c), out var done))
                done.TrySetResult();
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Options("fleetsim-rtt-" + run), cancel).ConfigureAwait(false);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(replies, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel).ConfigureAwait(false);
        var micros = new List<long>(count);
        var correlation = new byte[8];
        for (var i = 0; i < warmup + count; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[i] = done;
            BinaryPrimitives.WriteInt64BigEndian(correlation, i);
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(topic).WithPayload(payload(i)).WithResponseTopic(replies).WithCorrelationData(correlation.ToArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var started = Stopwatch.GetTimestamp();
            await client.PublishAsync(message, cancel).ConfigureAwait(false);
            try
            {
                await done.Task.WaitAsync(TimeSpan.FromSeconds(30), cancel).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"rtt {name}: no reply to request {i} on {replies} within 30 s");
            }
            if (i >= warmup)
                micros.Add((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        var sorted = micros.Order().ToArray();
        var result = new RoundTrips(name, sorted);
        output.WriteLine(result);
        return result;
    }

    private MqttClientOptions Options(string clientId) => new MqttClientOptionsBuilder()
        .WithTcpServer(broker.Host, broker.Port)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithCleanStart()
        .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
        .Build();
}
