using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Box.FleetSim.Fleet;
using Box.Hal.Sim;

namespace Box.FleetSim.Tests.Fleet;

public sealed class FleetTests
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(40);

    /// <summary>Latest retained status per box id, from box/+/status.</summary>
    static Dictionary<string, bool> Statuses(CloudClient cloud)
    {
        var latest = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var r in cloud.All.Where(r => r.Topic.EndsWith("/status", StringComparison.Ordinal)))
            latest[r.Topic.Split('/')[1]] = r.Payload.Length > 0 && r.Json?["online"]?.GetValue<bool>() == true;
        return latest;
    }

    static int Online(CloudClient cloud) => Statuses(cloud).Count(s => s.Value);

    [Fact]
    public async Task FiftyBoxesComeOnline_EachAnswersPing_AllComeBackAfterBrokerRestart_AndStopOffline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDir("fleetsim");
        const int count = 50;
        var options = new FleetOptions { Broker = broker.Url.ToString().TrimEnd('/'), Count = count, Dir = dir.Path };
        var fleet = Box.FleetSim.Fleet.Fleet.Start(options, CancellationToken.None);
        try
        {
            await fleet.AllStarted;
            Assert.Equal(count, fleet.Started);
            await using (var cloud = await CloudClient.ConnectAsync(broker.Url, "box/+/status"))
            {
                await Eventually.TrueAsync(() => Online(cloud) == count, $"{count} retained online statuses (have {Online(cloud)})", Long);
                Assert.Equal(Enumerable.Range(1, count).Select(options.IdOf).Order(), Statuses(cloud).Keys.Order());
            }
            Assert.Equal(count, fleet.Sample().Connected);

            // Every box answers a ping on the MQTT 5 response topic with our correlation data.
            var replies = new ConcurrentDictionary<string, JsonNode>();
            await using (var cloud = await CloudClient.ConnectAsync(broker.Url, "test/replies"))
            {
                foreach (var box in fleet.Boxes)
                    await cloud.PublishAsync($"box/{box.Id}/cmd", $$"""{"id":"p-{{box.Id}}","name":"ping"}""", "test/replies", Encoding.UTF8.GetBytes(box.Id));
                await Eventually.TrueAsync(() => cloud.On("test/replies").Count >= count, $"{count} ping replies (have {cloud.On("test/replies").Count})", Long);
                foreach (var reply in cloud.On("test/replies"))
                {
                    var id = Encoding.UTF8.GetString(reply.CorrelationData!);
                    Assert.Equal($"p-{id}", reply.Json!["id"]!.GetValue<string>());
                    Assert.True(reply.Json!["result"]!["pong"]!.GetValue<bool>());
                    replies[id] = reply.Json!;
                }
            }
            Assert.Equal(count, replies.Count);
            Assert.Equal(count, fleet.CommandsAnswered);

            // Broker crash and restart without persistence: every retained status is gone; the boxes republish it.
            await broker.KillAsync();
            await Eventually.TrueAsync(() => fleet.Sample().Connected == 0, "every link notices the broker is gone", Long);
            await broker.RestartAsync();
            await using (var cloud = await CloudClient.ConnectAsync(broker.Url, "box/+/status"))
            {
                await Eventually.TrueAsync(() => Online(cloud) == count, $"{count} online again after the restart (have {Online(cloud)})", Long);
            }
            await Eventually.TrueAsync(() => fleet.Sample().Connected == count, "every link up again", Long);
        }
        finally
        {
            await fleet.DisposeAsync();
        }

        // A clean stop leaves every box retained offline (published, not a last will).
        await using var after = await CloudClient.ConnectAsync(broker.Url, "box/+/status");
        await Eventually.TrueAsync(() => Statuses(after).Count == count, "every box's retained status");
        Assert.All(Statuses(after), s => Assert.False(s.Value, $"{s.Key} still online"));
    }

    [Fact]
    public async Task PressOnAFleetBoxSimulatedButton_IsReadByTheSharedPoller_AndPublishedAsEvent()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDir("fleetsim");
        var options = new FleetOptions { Broker = broker.Url.ToString().TrimEnd('/'), Count = 3, Dir = dir.Path, IdFormat = "btn-{n}" };
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, "box/#");
        var fleet = Box.FleetSim.Fleet.Fleet.Start(options, CancellationToken.None);
        try
        {
            await fleet.AllStarted;
            await Eventually.TrueAsync(() => fleet.Sample().Connected == 3, "3 boxes online", Long);
            var box = fleet.Boxes.Single(b => b.Id == "btn-2");
            SimBoard.Press(box.SimDir, TimeSpan.FromMilliseconds(150));
            var press = await cloud.WaitForAsync(r => r.Topic == "box/btn-2/events" && r.Json?["type"]?.GetValue<string>() == "button.press",
                "button.press from btn-2", Long);
            Assert.NotNull(press.Json!["seq"]);
            Assert.DoesNotContain(cloud.All, r => r.Topic is "box/btn-1/events" or "box/btn-3/events" && r.Text.Contains("button.press", StringComparison.Ordinal));
        }
        finally
        {
            await fleet.DisposeAsync();
        }
    }

    [Fact]
    public void IdsFollowTheFormatAndFirstNumber()
    {
        var options = new FleetOptions { Broker = "mqtt://127.0.0.1:1", Count = 2, Dir = "/nonexistent", First = 3334 };
        Assert.Equal("sim-03334", options.IdOf(options.First));
        Assert.Equal("box7", FleetOptions.FormatId("box{n}", 7));
        Assert.Equal("a-0042-b", FleetOptions.FormatId("a-{n:0000}-b", 42));
        Assert.Throws<FormatException>(() => FleetOptions.FormatId("sim-{x}", 1));
        Assert.Throws<FormatException>(() => FleetOptions.FormatId("sim", 1));
    }
}
