using Box.FleetSim.Fleet;
using Box.FleetSim.Measure;

namespace Box.FleetSim.Tests.Measure;

public sealed class RoundTripTests
{
    [Fact]
    public async Task PingsAFleetBoxAndTheEchoPeer_OneTimePerRequest()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDir("fleetsim");
        var fleet = Box.FleetSim.Fleet.Fleet.Start(new FleetOptions
        {
            Broker = broker.Url.ToString().TrimEnd('/'),
            Count = 1,
            Dir = dir.Path,
            IdFormat = "rtt-{n}",
        }, CancellationToken.None);
        try
        {
            var output = new StringWriter();
            var rtt = new RoundTrip(broker.Url, output);
            var agent = await rtt.PingAgentAsync("box/rtt-1/", count: 30, warmup: 5, CancellationToken.None);
            var echo = await rtt.EchoAsync(count: 30, warmup: 5, CancellationToken.None);
            Assert.Equal(30, agent.Micros.Length);
            Assert.Equal(30, echo.Micros.Length);
            Assert.True(agent.Percentile(50) > 0 && agent.Percentile(50) <= agent.Percentile(99));
            Assert.Equal(35, fleet.CommandsAnswered);
            Assert.Contains("RESULT rtt=agent count=30", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await fleet.DisposeAsync();
        }
    }

    [Fact]
    public void PercentilesAreNearestRank()
    {
        var r = new RoundTrips("x", [.. Enumerable.Range(1, 100).Select(i => (long)i)]);
        Assert.Equal(50, r.Percentile(50));
        Assert.Equal(99, r.Percentile(99));
        Assert.Equal(100, r.Percentile(100));
        Assert.Equal(0, new RoundTrips("empty", []).Percentile(50));
    }
}
