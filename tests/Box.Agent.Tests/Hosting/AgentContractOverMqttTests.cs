using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;
using Box.Hal;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Hosting;

/// <summary>The built box-agent process against a real mosquitto: each topic and
/// command of docs/contract.md that this agent implements, as an operator sees them,
/// and the broker side of TLS (pinned CA, client certificate).</summary>
public sealed class AgentContractOverMqttTests : IDisposable
{
    private readonly TempDir _dir = new();
    private const string Id = "contract-box";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private string SimDir => _dir.Combine("sim");

    public void Dispose() => _dir.Dispose();

    private static Task<CloudClient> CloudAsync(MosquittoBroker broker, string filter = $"box/{Id}/#") =>
        CloudClient.ConnectAsync(broker.Url, filter);

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

    private static Task SendAsync(CloudClient cloud, string json, string? responseTopic = null, byte[]? correlation = null) =>
        cloud.PublishAsync($"box/{Id}/cmd", json, responseTopic, correlation);

    private static async Task<JsonObject> CommandAsync(CloudClient cloud, string id, string name, string args = "{}", string status = "")
    {
        await SendAsync(cloud, $$"""{"id":"{{id}}","name":"{{name}}","args":{{args}}}""");
        var reply = await cloud.WaitForAsync($"box/{Id}/reply", t => t.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal)
            && t.Contains(status, StringComparison.Ordinal), Wait);
        return reply.Json!.AsObject();
    }

    [Fact]
    public async Task Every_topic_and_command_over_mqtt()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var cloud = await CloudAsync(broker);
        using var agent = StartAgent(broker.Url.OriginalString, new JsonObject { ["telemetryIntervalSeconds"] = 1 });

        var status = (await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal), Wait)).Json!;
        Assert.Equal("0.1.0", (string?)status["fw"]);
        Assert.NotNull(status["slot"]);
        Assert.True((long)status["bootedAt"]! > 1_700_000_000);

        var state = (await cloud.WaitForAsync($"box/{Id}/state", t => t.Contains("configVersion", StringComparison.Ordinal), Wait)).Json!;
        Assert.False((bool)state["paired"]!);
        var telemetry = (await cloud.WaitForAsync($"box/{Id}/telemetry", t => t.Contains("uptime", StringComparison.Ordinal), Wait)).Json!;
        Assert.True((long)telemetry["memory"]!["rssBytes"]! > 0);

        // Reply to the MQTT 5 response topic with the request's correlation data
        // (an operator client subscribed to that topic, not to the box's own).
        var correlation = "corr-42"u8.ToArray();
        await using var ops = await CloudAsync(broker, "ops/replies/1");
        await SendAsync(cloud, """{"id":"rt-1","name":"ping"}""", "ops/replies/1", correlation);
        var direct = await ops.WaitForAsync("ops/replies/1", t => t.Contains("\"pong\":true", StringComparison.Ordinal), Wait);
        Assert.Equal(correlation, direct.CorrelationData);

        Assert.False((bool)(await CommandAsync(cloud, "s-1", "state.get"))["result"]!["paired"]!);

        var identify = await CommandAsync(cloud, "i-1", "led.identify", """{"seconds":30}""");
        Assert.True((bool)identify["result"]!["identifying"]!);
        await Eventually.TrueAsync(() => SimBoard.ReadLeds(SimDir).Single(l => l.Name.Contains("status", StringComparison.Ordinal)).Pattern == LedPattern.BlinkFast,
            "status LED blinking fast for led.identify");

        // The same id again is answered from the stored reply, not run again.
        await SendAsync(cloud, """{"id":"i-1","name":"led.identify","args":{"seconds":30}}""");
        string[] RepliesToI1() => [.. cloud.On($"box/{Id}/reply").Select(r => r.Text).Where(t => t.Contains("\"id\":\"i-1\"", StringComparison.Ordinal))];
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
        var expired = (await cloud.WaitForAsync($"box/{Id}/reply", t => t.Contains("\"id\":\"e-1\"", StringComparison.Ordinal), Wait)).Json!;
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
        await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal), Wait);
        // Only then does a late subscriber come: it gets the will as the retained status.
        await using var late = await CloudAsync(broker, $"box/{Id}/status");
        var will = await late.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal), Wait);
        Assert.True(will.Retain);
    }

    [Fact]
    public async Task Agent_connects_over_mqtts_with_a_pinned_ca_and_a_client_certificate()
    {
        using var certs = new TestCertificates();
        await using var broker = await MosquittoBroker.StartAsync(new TlsListener(certs.CaCert, certs.ServerCert, certs.ServerKey, RequireCertificate: true));
        await using var cloud = await CloudAsync(broker);
        var tls = broker.TlsUrl().OriginalString;
        using var agent = StartAgent(tls, new JsonObject
        {
            ["broker"] = new JsonObject { ["caFile"] = certs.CaCert, ["certFile"] = certs.ClientCert, ["keyFile"] = certs.ClientKey },
        });
        await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal), Wait);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":false", StringComparison.Ordinal), Wait);
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
