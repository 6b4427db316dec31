using System.Text.Json.Nodes;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class ListCommandTests(SharedBroker shared)
{
    readonly MosquittoBroker _broker = shared.Broker;

    readonly string _prefix = CtlRunner.UniquePrefix();

    [Fact]
    public async Task Lists_retained_status_and_state_of_every_box()
    {
        await using var one = new FakeBox(_broker.Port, _prefix, "box-one", fw: "1.2.0");
        await using var two = new FakeBox(_broker.Port, _prefix, "box-two", fw: "1.3.1");
        await one.StartAsync();
        await two.StartAsync();
        await one.PublishStateAsync(new JsonObject { ["paired"] = true, ["owner"] = "alice", ["configVersion"] = 7 });

        var result = await CtlRunner.RunAsync("--broker", _broker.Url.OriginalString, "--prefix", _prefix, "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("ID", lines[0]);
        Assert.Matches(@"^box-one\s+yes\s+1\.2\.0\s+a\s+2023-11-14 22:13:20Z\s+yes\s+alice\s+7$", lines[1]);
        Assert.Matches(@"^box-two\s+yes\s+1\.3\.1\s+b\s+2023-11-14 22:13:20Z\s+-\s+-\s+-$", lines[2]);
        Assert.Contains("2 box(es)", result.Err);
    }

    [Fact]
    public async Task Json_output_and_offline_boxes()
    {
        await using (var gone = new FakeBox(_broker.Port, _prefix, "gone"))
        {
            await gone.StartAsync();
            await gone.PublishStatusAsync(online: false);
        }

        var result = await CtlRunner.RunAsync("--broker", _broker.Url.OriginalString, "--prefix", _prefix, "--json", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        var boxes = JsonNode.Parse(result.Out)!.AsArray();
        var box = Assert.Single(boxes)!.AsObject();
        Assert.Equal("gone", box["id"]!.GetValue<string>());
        Assert.False(box["online"]!.GetValue<bool>());
    }
}
