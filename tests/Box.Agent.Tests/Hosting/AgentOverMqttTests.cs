using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;

namespace Box.Agent.Tests.Hosting;

/// <summary>The built box-agent process against a real mosquitto: the composition
/// (cloud link, dispatcher, handler table, supervisor) end to end, pairing through
/// the simulated button and commands over MQTT.</summary>
public sealed class AgentOverMqttTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private MosquittoBroker _broker = null!;
    private CloudClient _cloud = null!;
    private AgentProcess _agent = null!;
    private string _statusUrl = "";
    private const string Id = "e2e-box";

    private string SimDir => _dir.Combine("sim");

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _cloud = await CloudClient.ConnectAsync(_broker.Url, $"box/{Id}/#");
        _agent = AgentProcess.Start("run", "--board", "sim", "--sim-dir", SimDir, "--data", _dir.Combine("data"), "--id", Id, "--broker", _broker.Url.OriginalString, "--http", "127.0.0.1:0");
        var ready = await _agent.WaitForStderrAsync("box-agent ready");
        _statusUrl = $"http://{ready.Split(' ').Single(w => w.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]}/status.json";
        await Received("status", t => t.Contains("\"online\":true", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        _agent.Dispose();
        await _cloud.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<string> Received(string topic, Func<string, bool> match) =>
        (await _cloud.WaitForAsync($"box/{Id}/{topic}", match, TimeSpan.FromSeconds(30))).Text;

    private async Task<JsonObject> CommandAsync(string id, string name, JsonObject? args = null)
    {
        var request = new JsonObject { ["id"] = id, ["name"] = name };
        if (args is not null) request["args"] = args;
        await _cloud.PublishAsync($"box/{Id}/cmd", request.ToJsonString());
        return JsonNode.Parse(await Received("reply", t => t.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal)))!.AsObject();
    }

    private async Task<string> OpenPairingWindowAsync()
    {
        var press = await AgentProcess.RunAsync("sim", "press", "--sim-dir", SimDir, "--ms", "3500");
        Assert.Equal(0, press.Code);
        var pairing = JsonNode.Parse(await Received("pairing", t => t.Length > 0))!;
        await Received("events", t => t.Contains("\"type\":\"pairing.opened\"", StringComparison.Ordinal));
        // The owner reads the code on the LAN status page; the cloud has only its hash.
        using var http = new HttpClient();
        var code = (string)JsonNode.Parse(await http.GetStringAsync(_statusUrl))!["pairingCode"]!;
        Assert.Equal((string)pairing["codeSha256"]!, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))));
        Assert.DoesNotContain(_cloud.All, r => r.Text.Contains($"\"{code}\"", StringComparison.Ordinal) && !r.Topic.EndsWith("/cmd", StringComparison.Ordinal));
        return code;
    }

    [Fact]
    public async Task Pairing_happy_path_over_mqtt()
    {
        var ping = await CommandAsync("p1", "ping");
        Assert.True((bool)ping["result"]!["pong"]!);

        var code = await OpenPairingWindowAsync();
        var reply = await CommandAsync("pair-1", "pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "alice" });

        Assert.Equal("""{"id":"pair-1","ok":true,"status":"done","result":{"paired":true}}""", reply.ToJsonString());
        await Received("events", t => t.Contains("\"type\":\"paired\"", StringComparison.Ordinal) && t.Contains("\"owner\":\"alice\"", StringComparison.Ordinal));
        await Received("events", t => t.Contains("\"type\":\"pairing.closed\"", StringComparison.Ordinal) && t.Contains("\"reason\":\"paired\"", StringComparison.Ordinal));
        await Received("pairing", t => t.Length == 0); // retained pairing cleared
        await Received("state", t => t.Contains("\"paired\":true,\"owner\":\"alice\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Five_wrong_codes_over_mqtt_close_the_window()
    {
        var code = await OpenPairingWindowAsync();
        var wrong = code == "000000" ? "999999" : "000000";
        for (var i = 1; i <= 5; i++)
        {
            var reply = await CommandAsync($"w{i}", "pair.confirm", new JsonObject { ["code"] = wrong, ["owner"] = "mallory" });
            Assert.Equal("unauthorized", (string?)reply["error"]!["code"]);
        }
        await Received("events", t => t.Contains("\"reason\":\"lockout\"", StringComparison.Ordinal));
        var late = await CommandAsync("late", "pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "mallory" });
        Assert.Contains("no pairing window is open", (string?)late["error"]!["message"]);
        Assert.DoesNotContain(_cloud.All, r => r.Topic.EndsWith("/state", StringComparison.Ordinal) && r.Text.Contains("mallory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retained_desired_config_is_applied_and_reported()
    {
        await _cloud.PublishAsync($"box/{Id}/config", """{"version":12,"telemetryIntervalSeconds":30,"broker":{"url":"mqtt://evil:1"}}""", retain: true);
        await Received("state", t => t.Contains("\"configVersion\":12", StringComparison.Ordinal));
        await Received("events", t => t.Contains("broker: not settable from the cloud", StringComparison.Ordinal));
        var config = await CommandAsync("cfg", "config.get");
        Assert.Equal(30, (int)config["result"]!["telemetryIntervalSeconds"]!);
        Assert.Equal(_broker.Url.OriginalString, (string?)config["result"]!["broker"]!["url"]);
    }
}
