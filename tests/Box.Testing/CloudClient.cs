using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Box.Testing;

public sealed record Received(string Topic, byte[] Payload, bool Retain, string? ResponseTopic, byte[]? CorrelationData)
{
    public string Text => Encoding.UTF8.GetString(Payload);
    public JsonNode? Json => Payload.Length == 0 ? null : JsonNode.Parse(Payload);
}

/// <summary>The test's "cloud": a plain MQTTnet 5 client that records
/// everything it receives.</summary>
public sealed class CloudClient : IAsyncDisposable
{
    readonly IMqttClient _client;
    readonly ConcurrentQueue<Received> _received = new();

    CloudClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _received.Enqueue(new Received(m.Topic, m.Payload.ToArray(), m.Retain, m.ResponseTopic, m.CorrelationData));
            return Task.CompletedTask;
        };
    }

    public static async Task<CloudClient> ConnectAsync(Uri broker, string filter = "box/#", Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("cloud-" + Guid.NewGuid().ToString("N")[..8])
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60));
        configure?.Invoke(builder);
        await client.ConnectAsync(builder.Build());
        var cloud = new CloudClient(client);
        if (filter.Length > 0)
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return cloud;
    }

    public IReadOnlyList<Received> All => _received.ToArray();

    public IReadOnlyList<Received> On(string topic) => _received.Where(r => r.Topic == topic).ToList();

    public async Task<Received> WaitForAsync(Func<Received, bool> match, string what, TimeSpan? timeout = null)
    {
        Received? found = null;
        await Eventually.TrueAsync(() => (found = _received.FirstOrDefault(match)) is not null, what + $" (received so far: {string.Join(" | ", _received.TakeLast(5).Select(r => r.Topic + " " + r.Text))})", timeout);
        return found!;
    }

    /// <summary>The first message on <paramref name="topic"/> whose text matches.</summary>
    public Task<Received> WaitForAsync(string topic, Func<string, bool> textMatch, TimeSpan? timeout = null)
        => WaitForAsync(r => r.Topic == topic && textMatch(r.Text), $"a message on {topic}", timeout);

    public Task PublishAsync(string topic, string payload, string? responseTopic = null, byte[]? correlation = null, bool retain = false)
        => PublishAsync(topic, Encoding.UTF8.GetBytes(payload), responseTopic, correlation, retain);

    public async Task PublishAsync(string topic, byte[] payload, string? responseTopic = null, byte[]? correlation = null, bool retain = false, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(qos);
        if (responseTopic is not null)
            builder.WithResponseTopic(responseTopic);
        if (correlation is not null)
            builder.WithCorrelationData(correlation);
        await _client.PublishAsync(builder.Build());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }
        catch (Exception)
        {
        }
        _client.Dispose();
    }
}
