using System.Text.Json.Nodes;
using Box.Ctl.Commands;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class WatchCommandTests(SharedBroker shared)
{
    readonly MosquittoBroker _broker = shared.Broker;

    readonly string _prefix = CtlRunner.UniquePrefix();

    [Fact]
    public async Task Streams_events_one_line_each_with_readable_times()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        await box.StartAsync();
        var output = new LineCollector();
        var error = new LineCollector();
        var watch = BoxCtl.RunAsync(["--broker", _broker.Url.OriginalString, "--prefix", _prefix, "watch", "--id", "b1", "--topics", "events,telemetry", "--count", "2"],
            output, error, CancellationToken.None, TextReader.Null, _ => null);
        await error.WaitForAsync("watching");

        await box.PublishEventAsync("button.press", new JsonObject { ["ms"] = 120 });
        await box.PublishEventAsync("disk.added");

        Assert.Equal(0, await watch.WaitAsync(TimeSpan.FromSeconds(20)));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("2023-11-14 22:15:01Z b1 event button.press seq=1 {\"ms\":120}", lines[0]);
        Assert.Equal("2023-11-14 22:15:02Z b1 event disk.added seq=2", lines[1]);
    }

    [Fact]
    public async Task Ctrl_c_ends_watch_with_exit_0()
    {
        using var stop = new CancellationTokenSource();
        var error = new LineCollector();
        var watch = BoxCtl.RunAsync(["--broker", _broker.Url.OriginalString, "--prefix", _prefix, "watch", "--all"],
            new LineCollector(), error, stop.Token, TextReader.Null, _ => null);
        await error.WaitForAsync("watching");

        stop.Cancel();

        Assert.Equal(0, await watch.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Status_lines_are_readable_and_cleared_or_junk_payloads_are_named()
    {
        static Box.Ctl.Mqtt.ReceivedMessage Message(string payload, bool retained) =>
            new("box/b1/status", System.Text.Encoding.UTF8.GetBytes(payload), retained, null, null, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));

        Assert.Equal("2024-01-02 03:04:05Z b1 status online fw=1.2.0 slot=a booted=2023-11-14T22:13:20Z (retained)",
            WatchCommand.TextLine(Message("""{"online":true,"fw":"1.2.0","slot":"a","bootedAt":1700000000}""", true), "b1", "status"));
        Assert.Equal("2024-01-02 03:04:05Z b1 status offline",
            WatchCommand.TextLine(Message("""{"online":false}""", false), "b1", "status"));
        Assert.Equal("2024-01-02 03:04:05Z b1 status cleared",
            WatchCommand.TextLine(Message("", false), "b1", "status"));
        Assert.Equal("2024-01-02 03:04:05Z b1 status (not a JSON object) garbage",
            WatchCommand.TextLine(Message("garbage", false), "b1", "status"));
    }
}
