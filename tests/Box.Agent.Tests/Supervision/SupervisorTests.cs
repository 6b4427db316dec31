using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Link;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;
using Box.Agent.Tests.Support;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Supervision;

/// <summary>The supervisor on the simulated board: the HAL's real drivers over a
/// temp directory, a recording cloud link, the real command dispatcher.</summary>
public class SupervisorTests
{
    [Fact]
    public async Task Starts_with_leds_from_the_policy_and_a_state_document()
    {
        await using var agent = await SimAgent.StartAsync();
        // A broker is configured (the recording link) but not connected, no disk.
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED pulse (no network)");
        Assert.Equal("blink-slow", agent.LedPattern("network"));
        Assert.Equal("off", agent.LedPattern("disk"));
        var state = await Eventually.ValueAsync(() => agent.Link.States.LastOrDefault(), "a reported state");
        Assert.Equal(
            """{"paired":false,"owner":null,"disks":[],"store":{"usedBytes":0,"quotaBytes":0,"chunks":0,"disks":[]},"update":{"state":"idle","version":null,"percent":0},"configVersion":0}""",
            state.ToJsonString());
        Assert.True(agent.Link.Started);
    }

    [Fact]
    public async Task Hold_of_four_seconds_opens_the_pairing_window_with_leds_and_hash()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromSeconds(4));
        var pairing = await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "pairing window in the snapshot");
        Assert.Matches("^[0-9]{6}$", pairing.Code);
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "blink-slow", "status LED blink-slow");
        var announced = await Eventually.ValueAsync(() => agent.Link.Pairings.LastOrDefault(), "retained pairing");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pairing.Code))), (string?)announced["codeSha256"]);
        Assert.Equal(pairing.ExpiresAt.ToUnixTimeSeconds(), (long)announced["expires"]!);
        await Eventually.TrueAsync(() => agent.Link.EventsOf("pairing.opened").Any(), "pairing.opened event");
        var hold = Assert.Single(agent.Link.EventsOf("button.hold"));
        Assert.Equal("reset", (string?)hold.Fields["button"]);
        Assert.InRange((long)hold.Fields["ms"]!, 3990, 4010);
        Assert.Empty(agent.Link.EventsOf("button.press"));
    }

    [Fact]
    public async Task Leds_give_feedback_while_the_button_is_still_held()
    {
        await using var agent = await SimAgent.StartAsync();
        // Pressed 3.5 s ago and still down: the 3 s threshold has passed.
        SimBoard.WriteKey(agent.SimDir, pressed: true, DateTimeOffset.UtcNow - TimeSpan.FromSeconds(3.5));
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "blink-slow", "hold feedback on the status LED");
        Assert.Null(agent.Supervisor.Snapshot.Pairing); // not open until released
        SimBoard.WriteKey(agent.SimDir, pressed: false, DateTimeOffset.UtcNow);
        await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window opens on release");
    }

    [Fact]
    public async Task Short_press_is_only_an_event()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromMilliseconds(300));
        await Eventually.TrueAsync(() => agent.Link.EventsOf("button.press").Any(), "button.press event");
        await agent.SettleAsync();
        Assert.Null(agent.Supervisor.Snapshot.Pairing);
        Assert.Empty(agent.Link.Pairings);
    }

    [Fact]
    public async Task Pair_confirm_with_the_code_binds_the_owner_and_closes_the_window()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromSeconds(4));
        var code = (await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window")).Code;

        var reply = await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "alice" });

        Assert.Equal("""{"paired":true}""", reply["result"]!.ToJsonString());
        Assert.True((bool)reply["ok"]!);
        // The reply leaves from inside the handler; the snapshot follows once the loop finishes the input.
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.Owner == "alice", "owner in the snapshot");
        Assert.Null(agent.Supervisor.Snapshot.Pairing);
        Assert.Null(agent.Link.Pairings.Last()); // retained pairing cleared
        Assert.Equal("paired", (string?)agent.Link.EventsOf("pairing.closed").Single().Fields["reason"]);
        Assert.Equal("alice", (string?)agent.Link.EventsOf("paired").Single().Fields["owner"]);
        await Eventually.TrueAsync(() => agent.Link.States.Last()["owner"]?.GetValue<string>() == "alice", "state reports the owner");
        Assert.Contains("\"alice\"", File.ReadAllText(Path.Combine(agent.DataDir, "owner.json")));
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED back to the policy");
    }

    [Fact]
    public async Task Five_wrong_codes_close_the_window_and_the_right_one_is_then_refused()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromSeconds(4));
        var code = (await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window")).Code;
        var wrong = code == "111111" ? "222222" : "111111";
        for (var i = 1; i <= 4; i++)
        {
            var r = await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = wrong, ["owner"] = "mallory" });
            Assert.Equal("unauthorized", (string?)r["error"]!["code"]);
            Assert.Equal($"wrong pairing code ({5 - i} tries left)", (string?)r["error"]!["message"]);
        }
        var fifth = await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = wrong, ["owner"] = "mallory" });
        Assert.Contains("closed after 5 wrong tries", (string?)fifth["error"]!["message"]);
        Assert.Equal("lockout", (string?)agent.Link.EventsOf("pairing.closed").Single().Fields["reason"]);

        var late = await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "alice" });
        Assert.Equal("unauthorized", (string?)late["error"]!["code"]);
        Assert.Contains("no pairing window is open", (string?)late["error"]!["message"]);
        Assert.Null(agent.Supervisor.Snapshot.Owner);
        Assert.False(File.Exists(Path.Combine(agent.DataDir, "owner.json")));
    }

    [Fact]
    public async Task Window_closes_when_its_time_is_up()
    {
        await using var agent = await SimAgent.StartAsync(new JsonObject { ["pairing"] = new JsonObject { ["windowSeconds"] = 60 } });
        agent.Hold(TimeSpan.FromSeconds(4));
        await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window");
        agent.Time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => agent.Link.EventsOf("pairing.closed").Any(), "pairing.closed");
        Assert.Equal("expired", (string?)agent.Link.EventsOf("pairing.closed").Single().Fields["reason"]);
        Assert.Null(agent.Link.Pairings.Last());
        Assert.Null(agent.Supervisor.Snapshot.Pairing);
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED back");
    }

    [Fact]
    public async Task Factory_reset_sends_its_event_first_then_wipes_owner_config_and_queue()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Link.Connected = true;
        agent.Supervisor.Inbox.PostCloud(new CloudInput.LinkUp());
        // Pair, and take a desired config, so there is something to wipe.
        agent.Hold(TimeSpan.FromSeconds(4));
        var code = (await Eventually.ValueAsync(() => agent.Supervisor.Snapshot.Pairing, "window")).Code;
        await agent.CommandAsync("pair.confirm", new JsonObject { ["code"] = code, ["owner"] = "alice" });
        agent.Supervisor.Inbox.PostCloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes("""{"version":5,"telemetryIntervalSeconds":30}""")));
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.ConfigVersion == 5, "config v5");

        agent.Hold(TimeSpan.FromSeconds(11));

        await Eventually.TrueAsync(() => agent.Link.EventsOf("factory.reset").Any(), "factory.reset event");
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "blink-fast", "factory reset LEDs");
        Assert.Equal("blink-fast", agent.LedPattern("network"));
        var calls = agent.Link.Calls.ToList();
        Assert.True(calls.IndexOf("clear-queue") < calls.IndexOf("event:factory.reset"), string.Join(",", calls));
        await agent.SettleAsync();
        Assert.Null(agent.Supervisor.Snapshot.Owner);
        Assert.Equal(0, agent.Supervisor.Snapshot.ConfigVersion);
        Assert.False(File.Exists(Path.Combine(agent.DataDir, "owner.json")));
        Assert.False(File.Exists(Path.Combine(agent.DataDir, "desired-config.json")));
        Assert.Null(agent.Supervisor.Snapshot.Pairing);
        // The LEDs return to the policy after the display time.
        agent.Time.Advance(TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "on", "status LED back (online)");
    }

    [Fact]
    public async Task Factory_reset_while_offline_sends_no_event()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Hold(TimeSpan.FromSeconds(12));
        await Eventually.TrueAsync(() => agent.Link.Calls.Contains("clear-queue"), "queue cleared");
        await agent.SettleAsync();
        Assert.Empty(agent.Link.EventsOf("factory.reset"));
    }

    [Fact]
    public async Task Disk_plug_and_unplug_become_events_state_and_leds()
    {
        await using var agent = await SimAgent.StartAsync();
        var usb = agent.Dir.Combine("usb");
        Directory.CreateDirectory(usb);
        SimBoard.Plug(agent.SimDir, usb);
        var added = await Eventually.ValueAsync(() => agent.Link.EventsOf("disk.added").FirstOrDefault(), "disk.added");
        Assert.Equal("usb", (string?)added.Fields["device"]);
        Assert.Equal(SimBoard.UuidFor(usb), (string?)added.Fields["fsUuid"]);
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "on", "disk LED on");
        await Eventually.TrueAsync(() => agent.Link.States.Last()["disks"]!.AsArray().Count == 1, "state lists the disk");
        Assert.True((bool)agent.Link.States.Last()["disks"]![0]!["mounted"]!);
        Assert.Equal(usb, agent.Supervisor.Snapshot.Disks.Single().Disk.MountPath);

        SimBoard.Unplug(agent.SimDir, usb);
        await Eventually.TrueAsync(() => agent.Link.EventsOf("disk.removed").Any(), "disk.removed");
        await Eventually.TrueAsync(() => agent.LedPattern("disk") == "off", "disk LED off");
        Assert.Empty(agent.Supervisor.Snapshot.Disks);
    }

    [Fact]
    public async Task Desired_config_is_applied_persisted_and_reloaded_after_a_restart()
    {
        var agent = await SimAgent.StartAsync();
        try
        {
            agent.Supervisor.Inbox.PostCloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes("""{"version":3,"pairing":{"windowSeconds":120}}""")));
            await Eventually.TrueAsync(() => agent.Link.States.LastOrDefault()?["configVersion"]?.GetValue<long>() == 3, "state reports configVersion 3");
            Assert.Equal(120, agent.Supervisor.Config.Pairing.WindowSeconds);
            await agent.StopAsync();

            agent = await SimAgent.StartAsync(reuse: agent.Dir);
            Assert.Equal(3, agent.Supervisor.Snapshot.ConfigVersion);
            Assert.Equal(120, agent.Supervisor.Config.Pairing.WindowSeconds);
            // The same retained version again (after reconnect) is not newer: ignored.
            agent.Supervisor.Inbox.PostCloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes("""{"version":3,"pairing":{"windowSeconds":300}}""")));
            await agent.SettleAsync();
            Assert.Equal(120, agent.Supervisor.Config.Pairing.WindowSeconds);
        }
        finally
        {
            await agent.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("""{"version":9,"telemetryIntervalSeconds":0}""", "desired config: telemetryIntervalSeconds: expected integer 1..86400, got 0; keeping config v0")]
    [InlineData("""{"version":9,"store":""", "desired config: line 1: invalid JSON")]
    [InlineData("""{"telemetryIntervalSeconds":5}""", "desired config: version: required")]
    public async Task Invalid_desired_config_is_an_error_event_and_the_old_config_stays(string payload, string expected)
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Supervisor.Inbox.PostCloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes(payload)));
        var error = await Eventually.ValueAsync(() => agent.Link.EventsOf("error").FirstOrDefault(), "error event");
        Assert.Equal("config", (string?)error.Fields["source"]);
        Assert.StartsWith(expected, (string?)error.Fields["message"]);
        Assert.Equal(0, agent.Supervisor.Snapshot.ConfigVersion);
        Assert.Equal(60, agent.Supervisor.Config.TelemetryIntervalSeconds);
        Assert.False(File.Exists(Path.Combine(agent.DataDir, "desired-config.json")));
    }

    [Fact]
    public async Task Unknown_and_forbidden_keys_in_desired_config_are_reported_and_ignored()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Supervisor.Inbox.PostCloud(new CloudInput.DesiredConfigArrived(Encoding.UTF8.GetBytes("""{"version":2,"broker":{"url":"mqtt://evil:1"},"glitter":true}""")));
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.ConfigVersion == 2, "config v2 applied");
        var messages = agent.Link.EventsOf("error").Select(e => (string?)e.Fields["message"]).ToList();
        Assert.Contains("desired config: broker: not settable from the cloud, ignored", messages);
        Assert.Contains("desired config: glitter: unknown key, ignored", messages);
        Assert.Null(agent.Supervisor.Config.Broker.Url);
    }

    [Fact]
    public async Task Telemetry_is_published_every_interval()
    {
        await using var agent = await SimAgent.StartAsync(new JsonObject { ["telemetryIntervalSeconds"] = 10 });
        agent.Time.Advance(TimeSpan.FromSeconds(10));
        var metrics = await Eventually.ValueAsync(() => agent.Link.Telemetry.FirstOrDefault(), "telemetry");
        Assert.True((long)metrics["memory"]!["rssBytes"]! > 1_000_000);
        Assert.Equal(10, (long)metrics["uptime"]!);
        Assert.NotNull(metrics["cpu"]!["percent"]);
        Assert.Equal(0, (long)metrics["bytesServed"]!);
        agent.Time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => agent.Link.Telemetry.Count == 2, "second telemetry");
    }

    [Fact]
    public async Task Link_state_drives_the_network_led_and_the_snapshot()
    {
        await using var agent = await SimAgent.StartAsync();
        agent.Supervisor.Inbox.PostCloud(new CloudInput.LinkUp());
        await Eventually.TrueAsync(() => agent.LedPattern("network") == "on", "network LED on");
        Assert.True(agent.Supervisor.Snapshot.Online);
        agent.Supervisor.Inbox.PostCloud(new CloudInput.LinkDown("broker gone"));
        await Eventually.TrueAsync(() => agent.LedPattern("network") == "blink-slow", "network LED blinking");
        Assert.False(agent.Supervisor.Snapshot.Online);
        Assert.Contains(agent.Log.Tail(50), l => l.Contains("cloud link down: broker gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_broker_the_agent_runs_standalone()
    {
        await using var agent = await SimAgent.StartAsync(withLink: false);
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED");
        Assert.Equal("off", agent.LedPattern("network"));
        agent.Hold(TimeSpan.FromSeconds(4));
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "blink-slow", "pairing still opens");
        Assert.False(agent.Supervisor.Snapshot.CloudConfigured);
    }

    [Fact]
    public async Task Stopping_turns_the_leds_off()
    {
        await using var agent = await SimAgent.StartAsync();
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED");
        await agent.StopAsync();
        Assert.All(SimBoard.ReadLeds(agent.SimDir), l => Assert.Equal("off", l.Description));
    }

    [Fact]
    public async Task A_led_that_refuses_is_reported_once_and_the_loop_goes_on()
    {
        await using var agent = await SimAgent.StartAsync();
        await Eventually.TrueAsync(() => agent.LedPattern("status") == "pulse", "status LED");
        // Yank the LED's trigger file (a driver unbound under us): writes fail from now on.
        var led = Path.Combine(agent.SimDir, "sys/class/leds", agent.Board.Profile.Leds["status"].Name!);
        File.Delete(Path.Combine(led, "trigger"));
        Directory.CreateDirectory(Path.Combine(led, "trigger"));
        agent.Hold(TimeSpan.FromSeconds(4));
        var error = await Eventually.ValueAsync(() => agent.Link.EventsOf("error").FirstOrDefault(e => (string?)e.Fields["source"] == "led"), "led error event");
        Assert.StartsWith("status: ", (string?)error.Fields["message"]);
        // Still handling input: the pairing window opened and commands are answered.
        Assert.NotNull(agent.Supervisor.Snapshot.Pairing);
        agent.Hold(TimeSpan.FromMilliseconds(300));
        await Eventually.TrueAsync(() => agent.Link.EventsOf("button.press").Any(), "later press handled");
        Assert.Single(agent.Link.EventsOf("error"), e => (string?)e.Fields["source"] == "led");
    }

    [Fact]
    public void Gestures_are_classified_by_the_configured_thresholds()
    {
        var p = new Box.Agent.Configuration.PairingConfig { HoldSeconds = 2, FactoryResetHoldSeconds = 6 };
        Assert.Equal(Gesture.Press, ButtonConcern.Classify(TimeSpan.FromMilliseconds(1999), p));
        Assert.Equal(Gesture.PairingHold, ButtonConcern.Classify(TimeSpan.FromSeconds(2), p));
        Assert.Equal(Gesture.PairingHold, ButtonConcern.Classify(TimeSpan.FromSeconds(5.9), p));
        Assert.Equal(Gesture.FactoryResetHold, ButtonConcern.Classify(TimeSpan.FromSeconds(6), p));
    }
}
