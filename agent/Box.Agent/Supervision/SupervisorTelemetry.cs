using System.Text.Json.Nodes;
using Box.Agent.Telemetry;

namespace Box.Agent.Supervision;

public sealed partial class Supervisor
{
    private long _telemetryGeneration;
    private readonly ProcessMetrics _metrics = new();

    private void ScheduleTelemetry()
    {
        var generation = ++_telemetryGeneration;
        After(ref _telemetryTimer, TimeSpan.FromSeconds(_config.Effective.TelemetryIntervalSeconds),
            new SupervisorInput.TelemetryDue(generation));
    }

    private void OnTelemetryDue(long generation)
    {
        if (generation != _telemetryGeneration) return;
        ScheduleTelemetry();
        _link?.PublishTelemetry(TelemetryNow());
    }

    /// <summary>uptime, cpu, memory (RSS), disk, bytes served, connections, temperatures.</summary>
    internal JsonObject TelemetryNow()
    {
        var sample = _metrics.Sample();
        var disks = new JsonArray();
        foreach (var disk in _disks.Values)
        {
            if (disk.MountPath is null) continue;
            var (total, free) = ProcessMetrics.FileSystemSpace(disk.MountPath);
            disks.Add((JsonNode)new JsonObject { ["device"] = disk.Device, ["totalBytes"] = total, ["freeBytes"] = free });
        }
        var temperatures = new JsonObject();
        try
        {
            foreach (var (zone, celsius) in _board.System.ReadTemperatures())
                temperatures[zone] = Math.Round(celsius, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Box.Hal.HalException)
        {
            _log.Debug($"telemetry: temperatures unavailable: {e.Message}");
        }
        return new JsonObject
        {
            ["uptime"] = (long)Uptime.TotalSeconds,
            ["systemUptime"] = (long)_board.System.Uptime.TotalSeconds,
            ["cpu"] = new JsonObject { ["percent"] = sample.CpuPercent },
            ["memory"] = new JsonObject { ["rssBytes"] = sample.RssBytes },
            ["disk"] = disks,
            ["store"] = new JsonObject { ["usedBytes"] = _store.UsedBytes, ["quotaBytes"] = _store.QuotaBytes, ["chunks"] = _store.Chunks },
            ["bytesServed"] = _traffic.BytesServed,
            ["connections"] = _traffic.Connections,
            ["temperatures"] = temperatures,
        };
    }
}
