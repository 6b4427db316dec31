using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;

namespace Box.Agent.Tests.Hosting;

/// <summary>The built box-agent process under the failures issue 4 names: killed
/// with SIGKILL while the broker is away, and a flood of junk on its command
/// and config topics.</summary>
public sealed class AgentResilienceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private const string Id = "tough-box";

    private string SimDir => _dir.Combine("sim");
    private string DataDir => _dir.Combine("data");

    public void Dispose() => _dir.Dispose();

    private AgentProcess StartAgent(MosquittoBroker broker) =>
        AgentProcess.Start("run", "--board", "sim", "--sim-dir", SimDir, "--data", DataDir, "--id", Id,
            "--broker", broker.Url.OriginalString, "--http", "127.0.0.1:0");

    private static Task<CloudClient> CloudAsync(MosquittoBroker broker) => CloudClient.ConnectAsync(broker.Url, $"box/{Id}/#");

    private static IEnumerable<JsonObject> Events(CloudClient cloud, string type) =>
        cloud.On($"box/{Id}/events")
            .Select(r => r.Json!.AsObject())
            .Where(e => (string?)e["type"] == type);

    private static Task Online(CloudClient cloud) =>
        cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

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
        await using (var cloud = await CloudAsync(broker))
        using (var agent = StartAgent(broker))
        {
            await agent.WaitForStderrAsync("box-agent ready");
            await Online(cloud);

            await broker.DisposeAsync(); // the broker goes away
            await agent.WaitForStderrAsync("cloud: ");
            for (var i = 0; i < 3; i++)
                Assert.Equal(0, (await AgentProcess.RunAsync("sim", "press", "--sim-dir", SimDir, "--ms", "80")).Code);
            await Eventually.TrueAsync(() => QueuedOnDisk("button.press") == 3, "three button.press events in the offline queue on disk");

            agent.Signal(9); // power cut, as far as the agent can tell
            await agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // A new cloud client: only what arrives after the restart counts.
        await using var restarted = await MosquittoBroker.StartAsync(port);
        await using var cloudAfter = await CloudAsync(restarted);
        using var again = StartAgent(restarted);
        await Online(cloudAfter);
        await Eventually.TrueAsync(() => Events(cloudAfter, "button.press").Count() >= 3, "the three queued button.press events after the restart");

        var presses = Events(cloudAfter, "button.press").Select(e => (long)e["seq"]!).ToList();
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
        await using var cloud = await CloudAsync(broker);
        using var agent = StartAgent(broker);
        await agent.WaitForStderrAsync("box-agent ready");
        await Online(cloud);

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
            await cloud.PublishAsync($"box/{Id}/cmd", payload);
            if (i % 100 == 0) // retained junk on config too
                await cloud.PublishAsync($"box/{Id}/config", Mutate(random, """{"version":5,"telemetryIntervalSeconds":60}"""u8.ToArray()), retain: true);
        }
        await cloud.PublishAsync($"box/{Id}/config", Array.Empty<byte>(), retain: true);

        await cloud.PublishAsync($"box/{Id}/cmd", """{"id":"after-fuzz","name":"ping"}"""u8.ToArray());
        await cloud.WaitForAsync($"box/{Id}/reply", t => t.Contains("\"id\":\"after-fuzz\"", StringComparison.Ordinal) && t.Contains("\"pong\":true", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(cloud.On($"box/{Id}/reply"), r => r.Text.Contains("bad_request", StringComparison.Ordinal));
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
