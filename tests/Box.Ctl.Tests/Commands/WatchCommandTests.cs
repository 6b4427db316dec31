using System.Text.Json.Nodes;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class WatchCommandTests(Mosquitto broker)
{
    readonly string prefix = CtlRunner.UniquePrefix();

    [Fact]
    public async Task Streams_events_one_line_each_with_readable_times()
    {
        await using var box = new FakeBox(broker.Port, prefix, "b1");
        await box.StartAsync();
        var output = new LineCollector();
        var error = new LineCollector();
        var watch = BoxCtl.RunAsync(["--broker", broker.Url, "--prefix", prefix, "watch", "--id", "b1", "--topics", "events,telemetry", "--count", "2"],
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
        var watch = BoxCtl.RunAsync(["--broker", broker.Url, "--prefix", prefix, "watch", "--all"],
            new LineCollector(), error, stop.Token, TextReader.Null, _ => null);
        await error.WaitForAsync("watching");

        stop.Cancel();

        Assert.Equal(0, await watch.WaitAsync(TimeSpan.FromSeconds(20)));
    }
}
