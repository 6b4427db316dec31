using Box.Agent.Cloud.Queue;
using Box.FleetSim.Measure;

namespace Box.FleetSim.Tests.Measure;

public sealed class QueueFillTests
{
    [Fact]
    public async Task FillsPastTheLimit_DroppingOldestTelemetry_AndTheAgentsQueueReopensFull()
    {
        using var dir = new TempDir("fleetsim");
        var limits = new OfflineQueueLimits(MaxMessages: 100);
        var (queued, bytes, droppedTelemetry, droppedEvents) = await QueueFill.FillAsync(dir.Path, "qbox", 150, limits);
        Assert.Equal(100, queued);
        Assert.Equal(50, droppedTelemetry);
        Assert.Equal(0, droppedEvents);
        Assert.True(bytes > 100 * 200, $"queue files hold {bytes} bytes");
        using var reopened = OfflineQueue.Open(Path.Combine(dir.Path, "cloud", "queue"), limits);
        Assert.Equal(100, reopened.Count);
    }
}
