using Box.Agent.Storage;
using Box.Store.Ingest;
using System.Text;
using Box.Agent.Cloud.Link;
using Box.Agent.Configuration;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;
using Box.Hal;
using Moq;

namespace Box.Agent.Tests.Supervision.Concerns;

public class TelemetryConcernTests
{
    [Fact]
    public async Task Publishes_every_interval_and_follows_a_new_interval_at_once()
    {
        using var h = new ConcernHarness();
        var configuration = new ConfigurationConcern(h.Context("config"), h.Config(), new DesiredConfigStore(h.DataDir));
        var figures = new FiguresConcern(h.Context("figures"));
        var disks = new DiskConcern(h.Context("disk"), Mock.Of<IStorageWatcher>(), h.Inbox);
        IReadOnlyDictionary<string, double> temperatures = new Dictionary<string, double> { ["soc"] = 41.26 };
        var system = Mock.Of<ISystem>(s => s.ReadTemperatures() == temperatures);
        var stores = new StoreConcern(h.Context("store"), disks, new StoreSet(), "box", () => configuration.Effective, new ChunkDownloader());
        var telemetry = new TelemetryConcern(h.Context("telemetry"), configuration, system, disks, stores, figures);
        configuration.Start();
        telemetry.Start();
        await figures.HandleAsync(new SupervisorInput.Traffic(1234, 2));

        h.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(h.Link.Telemetry);
        h.Advance(TimeSpan.FromSeconds(1));
        var sample = Assert.Single(h.Link.Telemetry);
        Assert.Equal(1234, (long)sample["bytesServed"]!);
        Assert.Equal(2, (int)sample["connections"]!);
        Assert.Equal(41.3, (double)sample["temperatures"]!["soc"]!);

        await configuration.HandleAsync(new SupervisorInput.Cloud(new CloudInput.DesiredConfigArrived(
            Encoding.UTF8.GetBytes("""{"version":2,"telemetryIntervalSeconds":10}"""))));
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, h.Link.Telemetry.Count);
        h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, h.Link.Telemetry.Count);
        Assert.Equal(1, h.Time.PendingTimers); // one schedule, not one per change
    }
}
