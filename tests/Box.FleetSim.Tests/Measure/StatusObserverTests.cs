using System.Buffers;
using System.Text;
using Box.FleetSim.Measure;

namespace Box.FleetSim.Tests.Measure;

public sealed class StatusObserverTests
{
    [Theory]
    [InlineData("""{"online":true,"fw":"1.2.0"}""", true)]
    [InlineData("""{"online":false}""", false)]
    [InlineData("""{"online":"true"}""", false)]
    [InlineData("", false)]
    [InlineData("not json", false)]
    [InlineData("[true]", false)]
    public void OnlyAnOnlineTrueDocumentCountsAsOnline(string payload, bool online) =>
        Assert.Equal(online, StatusObserver.IsOnline(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload))));

    [Fact]
    public async Task CountsBareClientsUntilAllAreOnline_ThenAfterABrokerRestartCountsThemAgain()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var output = new StringWriter();
        var observer = new StatusObserver(new ObserveOptions
        {
            Broker = broker.Url,
            Expect = 20,
            Prefix = "bare/{id}/",
            Phases = 2,
            Timeout = TimeSpan.FromSeconds(60),
        }, TextWriter.Synchronized(output));
        var observing = observer.RunAsync(CancellationToken.None);
        await observer.Subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await using (var clients = new BareClients(broker.Url, 20, "bare/{id}/", parallel: 4))
        {
            await clients.ConnectAllAsync(CancellationToken.None);
            Assert.Equal(20, clients.Connected);
            await Eventually.TrueAsync(() => output.ToString().Contains("phase 1: all 20 online", StringComparison.Ordinal), "phase 1 done");
        }
        // Phase 2: the broker goes away and comes back without the retained statuses;
        // new clients publish them again (bare clients do not reconnect by themselves).
        await broker.KillAsync();
        await broker.RestartAsync();
        await using (var again = new BareClients(broker.Url, 20, "bare/{id}/", parallel: 4))
        {
            await again.ConnectAllAsync(CancellationToken.None);
            var results = await observing.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.Equal(20, r.Reached));
            Assert.All(results, r => Assert.NotNull(r.AllOnlineMs));
            Assert.Equal(20, results[1].PerSecond.Sum());
            Assert.Equal(20, results[1].PerTenth.Sum());
        }
        Assert.Contains("RESULT phase=2 expect=20 reached=20", output.ToString(), StringComparison.Ordinal);
    }
}
