using Box.Agent.Status;
using Box.Agent.Supervision;
using Box.Hal.Leds;

namespace Box.Agent.Hosting;

/// <summary>Maps the supervisor's <see cref="AgentSnapshot"/> to what the status pages show.</summary>
public static class StatusView
{
    /// <param name="liveTraffic">Chunk traffic read now, newer than the snapshot's
    /// sample; null uses the snapshot's.</param>
    public static StatusSnapshot From(AgentSnapshot s, DateTimeOffset now, TrafficStatus? liveTraffic = null)
    {
        var mounted = s.Disks.Any(d => d.Disk.MountPath is not null);
        return new StatusSnapshot
        {
            BoxId = s.BoxId,
            FirmwareVersion = s.FirmwareVersion,
            Slot = s.Slot ?? "-",
            Uptime = now - s.StartedAt,
            Online = s.Online,
            Paired = s.Paired,
            Owner = s.Owner,
            PairingCode = s.Pairing?.Code,
            PairingExpires = s.Pairing?.ExpiresAt,
            Disks = [.. s.Disks.Select(d => new DiskStatus
            {
                Device = d.Disk.Device,
                Label = d.Disk.Label,
                FsType = d.Disk.FsType,
                SizeBytes = d.Disk.SizeBytes,
                MountPath = d.Disk.MountPath,
                FsUuid = d.Disk.FsUuid,
            })],
            Store = mounted ? new StoreStatus { UsedBytes = s.Store.UsedBytes, QuotaBytes = s.Store.QuotaBytes, Chunks = s.Store.Chunks } : null,
            Traffic = liveTraffic ?? new TrafficStatus { BytesServed = s.Traffic.BytesServed, ActiveConnections = s.Traffic.Connections },
            Update = new UpdateStatus { State = s.Update.State, Version = s.Update.Version, Percent = s.Update.Percent },
            ConfigVersion = s.ConfigVersion,
            Leds = s.Leds.ToDictionary(kv => kv.Key, kv => kv.Value.ToName()),
            LastError = s.Errors.Count > 0 ? s.Errors[^1] : null,
        };
    }
}
