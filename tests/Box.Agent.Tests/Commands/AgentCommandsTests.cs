using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;

namespace Box.Agent.Tests.Commands;

/// <summary>The handlers through the real dispatcher, on the supervisor loop, on the sim board.</summary>
public class AgentCommandsTests
{
    private static JsonObject Args(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("led.identify", """{"seconds":"5"}""", "args.seconds: expected integer 1..3600, got \"5\"")]
    [InlineData("led.identify", """{"seconds":0}""", "args.seconds: expected integer 1..3600, got 0")]
    [InlineData("led.identify", """{"seconds":2.5}""", "args.seconds: expected integer 1..3600, got 2.5")]
    [InlineData("reboot", """{"delaySeconds":-1}""", "args.delaySeconds: expected integer 0..3600, got -1")]
    [InlineData("reboot", """{"delaySeconds":[]}""", "args.delaySeconds: expected integer 0..3600, got an array")]
    [InlineData("pair.confirm", """{"owner":"a"}""", "args.code: required string")]
    [InlineData("pair.confirm", """{"code":123456,"owner":"a"}""", "args.code: expected string, got 123456")]
    [InlineData("pair.confirm", """{"code":"12345","owner":"a"}""", "args.code: expected a 6-digit string")]
    [InlineData("pair.confirm", """{"code":"12345x","owner":"a"}""", "args.code: expected a 6-digit string")]
    [InlineData("pair.confirm", """{"code":"123456"}""", "args.owner: required string")]
    [InlineData("pair.confirm", """{"code":"123456","owner":""}""", "args.owner: expected 1..128 characters, got 0")]
    [InlineData("pair.confirm", """{"code":"123456","owner":"a\nb"}""", "args.owner: must not contain control characters")]
    [InlineData("logs.tail", """{"lines":0}""", "args.lines: expected integer 1..1000, got 0")]
    [InlineData("logs.tail", """{"lines":1001}""", "args.lines: expected integer 1..1000, got 1001")]
    public async Task Bad_arguments_are_bad_request_naming_the_field(string name, string args, string message)
    {
        await using var agent = await SimAgent.StartAsync();
        var reply = await agent.CommandAsync(name, Args(args));
        Assert.False((bool)reply["ok"]!);
        Assert.Equal("bad_request", (string?)reply["error"]!["code"]);
        Assert.Equal(message, (string?)reply["error"]!["message"]);
    }

    [Fact]
    public async Task Ping_answers_pong_with_uptime()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Time.Advance(TimeSpan.FromSeconds(42));
        var reply = await agent.CommandAsync("ping");
        Assert.Equal("""{"pong":true,"uptime":42}""", reply["result"]!.ToJsonString());
    }

    [Fact]
    public async Task State_get_returns_the_state_document()
    {
        await using var agent = await SimAgent.StartAsync();
        var result = (await agent.CommandAsync("state.get"))["result"]!.AsObject();
        Assert.Equal(["paired", "owner", "disks", "store", "update", "configVersion"], result.Select(p => p.Key));
        Assert.False((bool)result["paired"]!);
    }

    [Fact]
    public async Task Pair_confirm_without_a_window_is_unauthorized_saying_so()
    {
        await using var agent = await SimAgent.StartAsync();
        var reply = await agent.CommandAsync("pair.confirm", Args("""{"code":"123456","owner":"alice"}"""));
        Assert.Equal("unauthorized", (string?)reply["error"]!["code"]);
        Assert.Equal("no pairing window is open; hold the reset button for 3 s to open one", (string?)reply["error"]!["message"]);
    }

    [Fact]
    public async Task Unpair_clears_the_owner()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromSeconds(4));
        var code = (await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window")).Code;
        await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "alice" });
        // The reply leaves from inside the handler; the snapshot follows once the loop finishes the input.
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.Paired, "paired in the snapshot");

        var reply = await agent.CommandAsync("unpair");

        Assert.Equal("""{"paired":false}""", reply["result"]!.ToJsonString());
        await Eventually.TrueAsync(() => !agent.Supervisor.Snapshot.Paired, "unpaired in the snapshot");
        Assert.False(File.Exists(Path.Combine(agent.DataDir, "owner.json")));
        await Eventually.TrueAsync(() => agent.Link.States.Last()["paired"]!.GetValue<bool>() == false, "state reports unpaired");
    }

    [Fact]
    public async Task Led_identify_blinks_the_status_led_for_the_given_time()
    {
        await using var agent = await SimAgent.StartAsync();
        var reply = await agent.CommandAsync("led.identify", Args("""{"seconds":5}"""));
        Assert.Equal("""{"identifying":true,"seconds":5}""", reply["result"]!.ToJsonString());
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "blink-fast", "status LED blinks fast");
        agent.Time.Advance(TimeSpan.FromSeconds(4));
        await agent.SettleAsync();
        Assert.Equal("blink-fast", agent.LedPattern("status"));
        agent.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED back to the policy");
    }

    [Fact]
    public async Task Reboot_is_accepted_then_done_then_the_board_reboots()
    {
        await using var agent = await SimAgent.StartAsync();
        var rebootFile = Path.Combine(agent.SimDir, "run/reboot-requested");
        var accepted = await agent.CommandAsync("reboot", Args("""{"delaySeconds":30}"""));
        Assert.Equal("accepted", (string?)accepted["status"]);
        var id = (string)accepted["id"]!;

        var busy = await agent.CommandAsync("reboot", Args("""{"delaySeconds":1}"""));
        Assert.Equal("busy", (string?)busy["error"]!["code"]);

        agent.Time.Advance(TimeSpan.FromSeconds(29));
        await agent.SettleAsync();
        Assert.Single(agent.RepliesTo(id));
        agent.Time.Advance(TimeSpan.FromSeconds(1));
        var done = await Eventually.ValueAsync(() => agent.RepliesTo(id).Skip(1).FirstOrDefault(), "final reply");
        Assert.Equal("done", (string?)done["status"]);
        Assert.Equal("""{"rebooting":true}""", done["result"]!.ToJsonString());
        Assert.False(File.Exists(rebootFile)); // the reply leaves first
        agent.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => File.Exists(rebootFile), "sim board records the reboot");
    }

    [Fact]
    public async Task Config_get_returns_the_effective_config_with_secrets_redacted()
    {
        await using var agent = await SimAgent.StartAsync(new JsonObject
        {
            ["version"] = 4,
            ["broker"] = new JsonObject { ["url"] = "mqtts://127.0.0.1:8883", ["username"] = "box", ["password"] = "s3cret" },
        });
        var result = (await agent.CommandAsync("config.get"))["result"]!.AsObject();
        Assert.Equal(4, (long)result["version"]!);
        Assert.Equal("box", (string?)result["broker"]!["username"]);
        Assert.Equal("***", (string?)result["broker"]!["password"]);
        Assert.DoesNotContain("s3cret", result.ToJsonString());
        Assert.Equal(600, (int)result["pairing"]!["windowSeconds"]!);
    }

    [Fact]
    public async Task Logs_tail_returns_the_newest_lines()
    {
        await using var agent = await SimAgent.StartAsync();
        for (var i = 0; i < 5; i++) agent.Log.Info($"filler {i}");
        agent.Hold(TimeSpan.FromMilliseconds(200));
        await Eventually.TrueAsync(() => agent.Link.EventsOf("button.press").Any(), "press");
        var lines = (await agent.CommandAsync("logs.tail", Args("""{"lines":3}""")))["result"]!["lines"]!.AsArray();
        Assert.Equal(3, lines.Count);
        Assert.Contains(lines, l => ((string)l!).Contains("button reset: press", StringComparison.Ordinal));
        var all = (await agent.CommandAsync("logs.tail"))["result"]!["lines"]!.AsArray();
        Assert.True(all.Count >= 7, $"{all.Count} lines");
    }
}
