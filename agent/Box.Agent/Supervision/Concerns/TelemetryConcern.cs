using System.Text.Json.Nodes;
using Box.Agent.Telemetry;
using Box.Hal;

namespace Box.Agent.Supervision.Concerns;

/// <summary>Periodic <c>telemetry</c>: uptime, cpu, memory, disk space, store
/// and traffic figures, temperatures; rescheduled when the interval changes.</summary>
public sealed class TelemetryConcern(
    ConcernContext context, ConfigurationConcern configuration, ISystem system,
    DiskConcern disks, StoreConcern stores, FiguresConcern figures) : SupervisorConcern(context)
{
    private const string IntervalTimer = "interval";
    private readonly ProcessMetrics _metrics = new();
    private readonly DateTimeOffset _startedAt = context.Time.GetUtcNow();

    /// <summary>Agent uptime.</summary>
    public TimeSpan Uptime => Context.Time.GetUtcNow() - _startedAt;

    public DateTimeOffset StartedAt => _startedAt;

    public override void Start()
    {
        configuration.Applied += before =>
        {
            if (before.TelemetryIntervalSeconds != configuration.Effective.TelemetryIntervalSeconds)
                Schedule();
        };
        Schedule();
    }

    private void Schedule() =>
        Context.After(IntervalTimer, TimeSpan.FromSeconds(configuration.Effective.TelemetryIntervalSeconds));

    public override void OnTimer(string name)
    {
        Schedule();
        Context.Link?.PublishTelemetry(Sample());
    }

    /// <summary>The telemetry document now.</summary>
    public JsonObject Sample()
    {
        var sample = _metrics.Sample();
        var diskSpace = new JsonArray();
        foreach (var disk in disks.Mounted)
        {
            var (total, free) = ProcessMetrics.FileSystemSpace(disk.MountPath!);
            diskSpace.Add((JsonNode)new JsonObject { ["device"] = disk.Device, ["totalBytes"] = total, ["freeBytes"] = free });
        }
        var temperatures = new JsonObject();
        try
        {
            foreach (var (zone, celsius) in system.ReadTemperatures())
                temperatures[zone] = Math.Round(celsius, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HalException)
        {
            Context.Log.Debug($"telemetry: temperatures unavailable: {e.Message}");
        }
        var store = stores.Totals;
        var traffic = figures.Traffic;
        return new JsonObject
        {
            ["uptime"] = (long)Uptime.TotalSeconds,
            ["systemUptime"] = (long)system.Uptime.TotalSeconds,
            ["cpu"] = new JsonObject { ["percent"] = sample.CpuPercent },
            ["memory"] = new JsonObject { ["rssBytes"] = sample.RssBytes },
            ["disk"] = diskSpace,
            ["store"] = new JsonObject { ["usedBytes"] = store.UsedBytes, ["quotaBytes"] = store.QuotaBytes, ["chunks"] = store.Chunks },
            ["bytesServed"] = traffic.BytesServed,
            ["connections"] = traffic.Connections,
            ["temperatures"] = temperatures,
        };
    }
}
