using System.Text.Json.Nodes;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class RolloutCommandTests(SharedBroker shared)
{
    readonly MosquittoBroker _broker = shared.Broker;

    const string Sha = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    readonly string _prefix = CtlRunner.UniquePrefix();

    enum Behaviour { Updates, RollsBack, Refuses }

    async Task<FakeBox> StartBox(string id, Behaviour behaviour)
    {
        var box = new FakeBox(_broker.Port, _prefix, id, fw: "1.0.0");
        box.OnCommand = async (b, cmd) =>
        {
            if (cmd.Name != "firmware.update")
            {
                await b.ReplyErrorAsync(cmd, "unknown_command", cmd.Name);
                return;
            }
            if (behaviour == Behaviour.Refuses)
            {
                await b.ReplyErrorAsync(cmd, "verify_failed", "bundle signature does not verify");
                return;
            }
            await b.ReplyAcceptedAsync(cmd);
            await b.ProgressAsync(cmd, 50, "installing");
            await b.ReplyDoneAsync(cmd, new JsonObject { ["slot"] = "b" });
            string version = cmd.Args!["version"]!.GetValue<string>();
            await b.RebootIntoAsync(behaviour == Behaviour.Updates ? version : "1.0.0");
        };
        await box.StartAsync();
        return box;
    }

    Task<CtlResult> Rollout(params string[] extra) =>
        CtlRunner.RunAsync(["--broker", _broker.Url.OriginalString, "--prefix", _prefix, "rollout", "--ids", "b1,b2,b3",
            "--url", "http://127.0.0.1:9/fw.boxfw", "--version", "2.0.0", "--size", "1234", "--sha256", Sha,
            "--wave-timeout", "20", .. extra]);

    [Fact]
    public async Task A_rolled_back_box_halts_the_rollout_at_threshold_0_and_later_waves_get_nothing()
    {
        await using var b1 = await StartBox("b1", Behaviour.Updates);
        await using var b2 = await StartBox("b2", Behaviour.RollsBack);
        await using var b3 = await StartBox("b3", Behaviour.Updates);

        var result = await Rollout("--wave-size", "1", "--max-failures", "0");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("b1: updated 1.0.0 -> 2.0.0", result.Out);
        Assert.Contains("b2: ROLLED BACK: came back with fw 1.0.0", result.Out);
        Assert.Contains("rollout halted", result.Out);
        Assert.Matches(@"b3\s+not_reached", result.Out);
        Assert.Contains("rollout halted after wave 2", result.Err);
        Assert.Single(b1.Commands);
        Assert.Single(b2.Commands);
        Assert.Empty(b3.Commands);
        var args = b1.Commands.Single()["args"]!.AsObject();
        Assert.Equal("http://127.0.0.1:9/fw.boxfw", args["url"]!.GetValue<string>());
        Assert.Equal("2.0.0", args["version"]!.GetValue<string>());
        Assert.Equal(1234, args["size"]!.GetValue<long>());
        Assert.Equal(Sha, args["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_failure_within_a_threshold_of_1_completes_every_wave()
    {
        await using var b1 = await StartBox("b1", Behaviour.Updates);
        await using var b2 = await StartBox("b2", Behaviour.Refuses);
        await using var b3 = await StartBox("b3", Behaviour.Updates);

        var result = await Rollout("--waves", "1,100%", "--max-failures", "1", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Equal("completed", report["result"]!.GetValue<string>());
        Assert.Equal(2, report["wavesRun"]!.GetValue<int>());
        Assert.Equal(1, report["failures"]!.GetValue<int>());
        var results = report["boxes"]!.AsArray().ToDictionary(b => b!["id"]!.GetValue<string>(), b => b!["result"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["b1"] = "updated", ["b2"] = "failed", ["b3"] = "updated" }, results);
        Assert.Single(b3.Commands);
        Assert.Equal("2.0.0", b3.Fw);
    }

    [Fact]
    public async Task Boxes_already_on_the_version_or_offline_are_not_sent_anything()
    {
        await using var current = new FakeBox(_broker.Port, _prefix, "b1", fw: "2.0.0");
        await current.StartAsync();
        await using (var offline = new FakeBox(_broker.Port, _prefix, "b2"))
        {
            await offline.StartAsync();
            await offline.PublishStatusAsync(online: false);
        }
        await using var b3 = await StartBox("b3", Behaviour.Updates);

        var result = await Rollout("--wave-size", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(current.Commands);
        Assert.Matches(@"b1\s+already_current", result.Out);
        Assert.Matches(@"b2\s+skipped\s+offline", result.Out);
        Assert.Contains("b3: updated", result.Out);
    }

    [Fact]
    public async Task Bad_rollout_arguments_exit_2_before_anything_is_sent()
    {
        var both = await Rollout("--wave-size", "1", "--waves", "1,100%");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--wave-size or --waves", both.Err);

        var partial = await Rollout("--waves", "1,2");
        Assert.Equal(2, partial.ExitCode);
        Assert.Contains("covers 2 of 3", partial.Err);
    }
}
