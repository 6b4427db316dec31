using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;
using Box.Hal;
using Box.Hal.Sim;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Box.Agent.Tests.Hosting;

/// <summary>The built box-agent process against a real mosquitto: each topic and
/// command of PROTOCOL.md that this agent implements, as an operator sees them,
/// and the broker side of TLS (pinned CA, client certificate).</summary>
public sealed class AgentContractOverMqttTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();
    private readonly List<IMqttClient> _clients = [];
    private const string Id = "contract-box";

    private string SimDir => _dir.Combine("sim");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private async Task<IMqttClient> CloudAsync(MosquittoBroker broker, string filter = $"box/{Id}/#")
    {
        var cloud = new MqttClientFactory().CreateMqttClient();
        _clients.Add(cloud);
        cloud.ApplicationMessageReceivedAsync += e => { _received.Enqueue(e.ApplicationMessage); return Task.CompletedTask; };
        await cloud.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await cloud.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return cloud;
    }

    private static string Text(MqttApplicationMessage m) => Encoding.UTF8.GetString(m.Payload.ToArray());

    private Task<MqttApplicationMessage> Received(string topic, Func<string, bool> match) =>
        Eventually.ValueAsync(() => _received.FirstOrDefault(m => m.Topic == topic && match(Text(m))),
            $"{topic} message (so far: {string.Join(" | ", _received.TakeLast(6).Select(m => m.Topic + " " + Text(m)))})",
            TimeSpan.FromSeconds(30));

    private AgentProcess StartAgent(string brokerUrl, JsonObject? config = null)
    {
        var args = new List<string> { "run", "--board", "sim", "--sim-dir", SimDir, "--data", _dir.Combine("data"), "--id", Id, "--broker", brokerUrl };
        if (config is not null)
        {
            File.WriteAllText(_dir.Combine("config.json"), config.ToJsonString());
            args.AddRange(["--config", _dir.Combine("config.json")]);
        }
        return AgentProcess.Start([.. args]);
    }

    private static Task SendAsync(IMqttClient cloud, string json, string? responseTopic = null, byte[]? correlation = null)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic($"box/{Id}/cmd").WithPayload(json)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null) message.WithResponseTopic(responseTopic).WithCorrelationData(correlation);
        return cloud.PublishAsync(message.Build());
    }

    private async Task<JsonObject> CommandAsync(IMqttClient cloud, string id, string name, string args = "{}", string status = "")
    {
        await SendAsync(cloud, $$"""{"id":"{{id}}","name":"{{name}}","args":{{args}}}""");
        var reply = await Received($"box/{Id}/reply", t => t.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal)
            && t.Contains(status, StringComparison.Ordinal));
        return JsonNode.Parse(Text(reply))!.AsObject();
    }

    [Fact]
    public async Task Every_topic_and_command_over_mqtt()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var cloud = await CloudAsync(broker);
        using var agent = StartAgent(broker.Url.OriginalString, new JsonObject { ["telemetryIntervalSeconds"] = 1 });

        var status = JsonNode.Parse(Text(await Received($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal))))!;
        Assert.Equal("0.1.0", (string?)status["fw"]);
        Assert.NotNull(status["slot"]);
        Assert.True((long)status["bootedAt"]! > 1_700_000_000);

        var state = JsonNode.Parse(Text(await Received($"box/{Id}/state", t => t.Contains("configVersion", StringComparison.Ordinal))))!;
        Assert.False((bool)state["paired"]!);
        var telemetry = JsonNode.Parse(Text(await Received($"box/{Id}/telemetry", t => t.Contains("uptime", StringComparison.Ordinal))))!;
        Assert.True((long)telemetry["memory"]!["rssBytes"]! > 0);

        // Reply to the MQTT 5 response topic with the request's correlation data.
        var correlation = "corr-42"u8.ToArray();
        await cloud.SubscribeAsync("ops/replies/1", MqttQualityOfServiceLevel.AtLeastOnce);
        await SendAsync(cloud, """{"id":"rt-1","name":"ping"}""", "ops/replies/1", correlation);
        var direct = await Received("ops/replies/1", t => t.Contains("\"pong\":true", StringComparison.Ordinal));
        Assert.Equal(correlation, direct.CorrelationData);

        Assert.False((bool)(await CommandAsync(cloud, "s-1", "state.get"))["result"]!["paired"]!);

        var identify = await CommandAsync(cloud, "i-1", "led.identify", """{"seconds":30}""");
        Assert.True((bool)identify["result"]!["identifying"]!);
        await Eventually.TrueAsync(() => SimBoard.ReadLeds(SimDir).Single(l => l.Name.Contains("status", StringComparison.Ordinal)).Pattern == LedPattern.BlinkFast,
            "status LED blinking fast for led.identify");

        // The same id again is answered from the stored reply, not run again.
        await SendAsync(cloud, """{"id":"i-1","name":"led.identify","args":{"seconds":30}}""");
        string[] RepliesToI1() => [.. _received.Where(m => m.Topic == $"box/{Id}/reply" && Text(m).Contains("\"id\":\"i-1\"", StringComparison.Ordinal)).Select(Text)];
        await Eventually.TrueAsync(() => RepliesToI1().Length == 2, "a second reply to the repeated id i-1");
        Assert.Equal(identify.ToJsonString(), JsonNode.Parse(RepliesToI1()[1])!.ToJsonString());

        var logs = (JsonArray)(await CommandAsync(cloud, "l-1", "logs.tail", """{"lines":5}"""))["result"]!["lines"]!;
        Assert.InRange(logs.Count, 1, 5);
        Assert.False((bool)(await CommandAsync(cloud, "u-1", "unpair"))["result"]!["paired"]!);

        var bad = await CommandAsync(cloud, "b-1", "led.identify", """{"seconds":"x"}""");
        Assert.Equal("bad_request", (string?)bad["error"]!["code"]);
        Assert.Contains("args.seconds", (string?)bad["error"]!["message"]);
        Assert.Equal("unknown_command", (string?)(await CommandAsync(cloud, "n-1", "no.such.command"))["error"]!["code"]);
        await SendAsync(cloud, """{"id":"e-1","name":"reboot","expires":1000}""");
        var expired = JsonNode.Parse(Text(await Received($"box/{Id}/reply", t => t.Contains("\"id\":\"e-1\"", StringComparison.Ordinal))))!;
        Assert.Equal("expired", (string?)expired["error"]!["code"]);
        Assert.False(File.Exists(Path.Combine(SimDir, "run", "reboot-requested")));

        // reboot: accepted at once, the final reply before the (simulated) reboot.
        Assert.Equal("accepted", (string?)(await CommandAsync(cloud, "r-1", "reboot", """{"delaySeconds":0}""", "accepted"))["status"]);
        var done = await CommandAsync(cloud, "r-1", "reboot", """{"delaySeconds":0}""", "\"done\"");
        Assert.True((bool)done["result"]!["rebooting"]!);
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(SimDir, "run", "reboot-requested")), "the sim board's reboot request");

        // Power cut: the broker publishes the retained last will.
        agent.Signal(9);
        await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Received($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal));
        _received.Clear(); // a late subscriber gets the will as the retained status
        await CloudAsync(broker, $"box/{Id}/status");
        var will = await Received($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal));
        Assert.True(will.Retain);
    }

    [Fact]
    public async Task Agent_connects_over_mqtts_with_a_pinned_ca_and_a_client_certificate()
    {
        using var certs = new TestCertificates();
        await using var broker = await MosquittoBroker.StartAsync(new TlsListener(certs.CaCert, certs.ServerCert, certs.ServerKey, RequireCertificate: true));
        await CloudAsync(broker);
        var tls = broker.TlsUrl().OriginalString;
        using var agent = StartAgent(tls, new JsonObject
        {
            ["broker"] = new JsonObject { ["caFile"] = certs.CaCert, ["certFile"] = certs.ClientCert, ["keyFile"] = certs.ClientKey },
        });
        await Received($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal));
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await Received($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Agent_refuses_a_broker_signed_by_another_ca_and_says_so()
    {
        using var certs = new TestCertificates();
        await using var broker = await MosquittoBroker.StartAsync(new TlsListener(certs.CaCert, certs.ServerCert, certs.ServerKey, RequireCertificate: false));
        using var agent = StartAgent(broker.TlsUrl().OriginalString, new JsonObject
        {
            ["broker"] = new JsonObject { ["caFile"] = certs.OtherCaCert },
        });
        var line = await agent.WaitForStderrAsync("does not chain to the pinned CA");
        Assert.Contains(certs.OtherCaCert, line, StringComparison.Ordinal);
        Assert.False(agent.HasExited);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
