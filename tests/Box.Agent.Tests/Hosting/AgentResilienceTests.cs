using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Box.Agent.Tests.Hosting;

/// <summary>The built box-agent process under the failures issue 4 names: killed
/// with SIGKILL while the broker is away, and a flood of junk on its command
/// and config topics.</summary>
public sealed class AgentResilienceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<(string Topic, string Text)> _received = new();
    private readonly List<IMqttClient> _clients = [];
    private const string Id = "tough-box";

    private string SimDir => _dir.Combine("sim");
    private string DataDir => _dir.Combine("data");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private AgentProcess StartAgent(MosquittoBroker broker) =>
        AgentProcess.Start("run", "--board", "sim", "--sim-dir", SimDir, "--data", DataDir, "--id", Id,
            "--broker", broker.Url.OriginalString, "--http", "127.0.0.1:0");

    private async Task<IMqttClient> CloudAsync(MosquittoBroker broker)
    {
        var cloud = new MqttClientFactory().CreateMqttClient();
        _clients.Add(cloud);
        cloud.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray())));
            return Task.CompletedTask;
        };
        await cloud.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500).Build());
        await cloud.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"box/{Id}/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return cloud;
    }

    private IEnumerable<JsonObject> Events(string type) =>
        _received.Where(r => r.Topic == $"box/{Id}/events")
            .Select(r => JsonNode.Parse(r.Text)!.AsObject())
            .Where(e => (string?)e["type"] == type);

    private Task Received(string topic, Func<string, bool> match) =>
        Eventually.ValueAsync(() => _received.Where(r => r.Topic == $"box/{Id}/{topic}" && match(r.Text)).Select(r => r.Text).FirstOrDefault(),
            $"{topic} message (so far: {string.Join(" | ", _received.TakeLast(6))})", TimeSpan.FromSeconds(30));

    private static Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain = false) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private int QueuedOnDisk(string type)
    {
        var queue = Path.Combine(DataDir, "cloud", "queue");
        if (!Directory.Exists(queue)) return 0;
        var needle = Encoding.UTF8.GetBytes($"\"type\":\"{type}\"");
        return Directory.GetFiles(queue, "seg-*").Sum(f => Count(File.ReadAllBytes(f), needle));

        static int Count(byte[] hay, byte[] needle)
        {
            var n = 0;
            for (var i = hay.AsSpan().IndexOf(needle); i >= 0;)
            {
                n++;
                var next = hay.AsSpan(i + 1).IndexOf(needle);
                i = next < 0 ? -1 : i + 1 + next;
            }
            return n;
        }
    }

    [Fact]
    public async Task Events_queued_while_offline_survive_SIGKILL_and_arrive_once_in_order()
    {
        var broker = await MosquittoBroker.StartAsync();
        var port = broker.Port;
        await CloudAsync(broker);
        using (var agent = StartAgent(broker))
        {
            await agent.WaitForStderrAsync("box-agent ready");
            await Received("status", t => t.Contains("\"online\":true", StringComparison.Ordinal));

            await broker.DisposeAsync(); // the broker goes away
            await agent.WaitForStderrAsync("cloud: ");
            for (var i = 0; i < 3; i++)
                Assert.Equal(0, (await AgentProcess.RunAsync("sim", "press", "--sim-dir", SimDir, "--ms", "80")).Code);
            await Eventually.TrueAsync(() => QueuedOnDisk("button.press") == 3, "three button.press events in the offline queue on disk");

            agent.Signal(9); // power cut, as far as the agent can tell
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        _received.Clear();
        await using var restarted = await MosquittoBroker.StartAsync(port);
        await CloudAsync(restarted);
        using var again = StartAgent(restarted);
        await Received("status", t => t.Contains("\"online\":true", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Events("button.press").Count() >= 3, "the three queued button.press events after the restart");

        var presses = Events("button.press").Select(e => (long)e["seq"]!).ToList();
        Assert.Equal(3, presses.Count);                 // exactly once
        Assert.Equal(presses.Order().ToList(), presses); // in order
        Assert.Equal(3, presses.Distinct().Count());
        again.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Thousands_of_junk_commands_and_configs_leave_the_agent_answering_ping()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var cloud = await CloudAsync(broker);
        using var agent = StartAgent(broker);
        await agent.WaitForStderrAsync("box-agent ready");
        await Received("status", t => t.Contains("\"online\":true", StringComparison.Ordinal));

        var valid = """{"id":"seed","name":"led.identify","args":{"seconds":2},"expires":4102444800}"""u8.ToArray();
        var random = new Random(20261124);
        for (var i = 0; i < 2000; i++)
        {
            var payload = (i % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 300)),
                1 => Mutate(random, valid),
                2 => Encoding.UTF8.GetBytes($$"""{"id":{{Junk(random)}},"name":{{Junk(random)}},"args":{{Junk(random)}},"expires":{{Junk(random)}}}"""),
                _ => Encoding.UTF8.GetBytes(new string('[', random.Next(1, 5000))),
            };
            await PublishAsync(cloud, $"box/{Id}/cmd", payload);
            if (i % 100 == 0) // retained junk on config too
                await PublishAsync(cloud, $"box/{Id}/config", Mutate(random, """{"version":5,"telemetryIntervalSeconds":60}"""u8.ToArray()), retain: true);
        }
        await PublishAsync(cloud, $"box/{Id}/config", [], retain: true);

        await PublishAsync(cloud, $"box/{Id}/cmd", """{"id":"after-fuzz","name":"ping"}"""u8.ToArray());
        await Received("reply", t => t.Contains("\"id\":\"after-fuzz\"", StringComparison.Ordinal) && t.Contains("\"pong\":true", StringComparison.Ordinal));
        Assert.Contains(_received, r => r.Topic == $"box/{Id}/reply" && r.Text.Contains("bad_request", StringComparison.Ordinal));
        Assert.False(agent.HasExited);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        for (var n = random.Next(1, 6); n > 0; n--)
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        return random.Next(3) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
    }

    private static string Junk(Random random) => random.Next(8) switch
    {
        0 => "null",
        1 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => "-1e308",
        3 => "[]",
        4 => "{\"a\":{\"b\":[1,2,{}]}}",
        5 => "\"" + new string('x', random.Next(0, 2000)) + "\"",
        6 => "true",
        _ => "\"\\ud800\"",
    };
}
