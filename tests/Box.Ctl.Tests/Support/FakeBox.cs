using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Box.Protocol.Commands;
using Box.Protocol.Topics;
using MQTTnet;
using MQTTnet.Protocol;

namespace Box.Ctl.Tests.Support;

/// <summary>
/// A tiny box written against the MQTT contract (docs/contract.md) with MQTTnet
/// and Box.Protocol's topics and reply envelope:
/// retained status with a retained last will, commands on <c>cmd</c>, replies
/// to the response topic with the correlation data. What it does for a
/// command is the test's <see cref="OnCommand"/>.
/// </summary>
public sealed class FakeBox : IAsyncDisposable
{
    readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    readonly string _prefix;
    long _seq;

    public FakeBox(int port, string prefixTemplate, string id, string fw = "1.0.0")
    {
        Port = port;
        Id = id;
        Fw = fw;
        _prefix = TopicLayout.Parse(prefixTemplate).PrefixOf(id);
    }

    public int Port { get; }
    public string Id { get; }
    public string Fw { get; set; }
    public long BootedAt { get; private set; } = 1_700_000_000;
    public ConcurrentQueue<JsonObject> Commands { get; } = new();
    /// <summary>Runs off the MQTT receive loop, so it may publish and await.</summary>
    public Func<FakeBox, IncomingCommand, Task>? OnCommand { get; set; }

    public sealed record IncomingCommand(JsonObject Body, string? ResponseTopic, byte[]? CorrelationData)
    {
        public string Id => Body["id"]!.GetValue<string>();
        public string Name => Body["name"]!.GetValue<string>();
        public JsonObject? Args => Body["args"] as JsonObject;
    }

    public string Topic(string leaf) => _prefix + leaf;

    public async Task StartAsync()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            if (m.Topic != Topic(TopicNames.Cmd))
                return Task.CompletedTask;
            var body = JsonNode.Parse(Encoding.UTF8.GetString(m.Payload.ToArray()))!.AsObject();
            var cmd = new IncomingCommand(body, m.ResponseTopic, m.CorrelationData);
            Commands.Enqueue(body);
            if (OnCommand is { } handler)
                _ = Task.Run(() => handler(this, cmd));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("fakebox-" + Guid.NewGuid().ToString("N"))
            .WithWillTopic(Topic(TopicNames.Status))
            .WithWillPayload("{\"online\":false}"u8.ToArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.ConnectAsync(options);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topic(TopicNames.Cmd)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build());
        await PublishStatusAsync(online: true);
    }

    public Task PublishStatusAsync(bool online) =>
        PublishAsync(Topic(TopicNames.Status), online
            ? new JsonObject { ["online"] = true, ["fw"] = Fw, ["slot"] = Fw.EndsWith('0') ? "a" : "b", ["bootedAt"] = BootedAt }
            : new JsonObject { ["online"] = false }, retain: true);

    public Task PublishStateAsync(JsonObject state) => PublishAsync(Topic(TopicNames.State), state, retain: true);

    public Task PublishEventAsync(string type, JsonObject? fields = null)
    {
        var ev = fields?.DeepClone().AsObject() ?? new JsonObject();
        ev["seq"] = Interlocked.Increment(ref _seq);
        ev["type"] = type;
        ev["ts"] = 1_700_000_100 + _seq;
        return PublishAsync(Topic(TopicNames.Events), ev, retain: false);
    }

    /// <summary>Answers like the contract says: response topic + correlation data, else box/{id}/reply.</summary>
    public Task ReplyAsync(IncomingCommand cmd, JsonObject reply)
    {
        reply["id"] = cmd.Id;
        return PublishReplyAsync(cmd, Encoding.UTF8.GetBytes(reply.ToJsonString()));
    }

    async Task PublishReplyAsync(IncomingCommand cmd, byte[] payload)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(cmd.ResponseTopic ?? Topic(TopicNames.Reply))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (cmd.CorrelationData is { } cd)
            builder.WithCorrelationData(cd);
        await _client.PublishAsync(builder.Build());
    }

    public Task ReplyDoneAsync(IncomingCommand cmd, JsonObject? result = null) => PublishReplyAsync(cmd, Replies.Done(cmd.Id, result));

    public Task ReplyAcceptedAsync(IncomingCommand cmd) => PublishReplyAsync(cmd, Replies.Accepted(cmd.Id));

    public Task ReplyErrorAsync(IncomingCommand cmd, string code, string message) =>
        PublishReplyAsync(cmd, Replies.Error(cmd.Id, code, message, jobFailed: true));

    public Task ProgressAsync(IncomingCommand cmd, int percent, string? message = null) =>
        PublishEventAsync("job.progress", new JsonObject { ["id"] = cmd.Id, ["name"] = cmd.Name, ["percent"] = percent, ["message"] = message });

    /// <summary>What a box does for firmware.update: goes offline, boots
    /// (a new bootedAt) and comes back with <paramref name="bootedFw"/>.</summary>
    public async Task RebootIntoAsync(string bootedFw)
    {
        await PublishStatusAsync(online: false);
        Fw = bootedFw;
        BootedAt += 60;
        await PublishStatusAsync(online: true);
    }

    async Task PublishAsync(string topic, JsonObject payload, bool retain) =>
        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload.ToJsonString()))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build());

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
            await _client.DisconnectAsync();
        _client.Dispose();
    }
}
