using System.Globalization;
using System.Text;

namespace Box.Agent.Status;

/// <summary>/metrics: the snapshot in the Prometheus text exposition format 0.0.4.</summary>
public static class StatusMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(StatusSnapshot s, DateTimeOffset now)
    {
        var w = new Writer();
        w.Metric("box_up", "gauge", "1 while the agent answers.", 1);
        w.Family("box_info", "gauge", "Box identity and firmware; the value is always 1.");
        w.Sample("box_info", [("id", s.BoxId), ("fw", s.FirmwareVersion), ("slot", s.Slot)], 1);
        w.Metric("box_uptime_seconds", "gauge", "Seconds since the box booted.", Math.Floor(s.Uptime.TotalSeconds));
        w.Metric("box_cloud_connected", "gauge", "1 while connected to the cloud broker.", s.Online ? 1 : 0);
        w.Metric("box_paired", "gauge", "1 when the box is bound to an owner.", s.Paired ? 1 : 0);
        w.Metric("box_pairing_window_open", "gauge", "1 while the pairing window is open.", s.PairingWindowOpen(now) ? 1 : 0);
        w.Metric("box_config_version", "gauge", "Version of the applied configuration.", s.ConfigVersion);

        w.Metric("box_disks", "gauge", "USB disks seen.", s.Disks.Count);
        w.Family("box_disk_size_bytes", "gauge", "Size of each disk.");
        foreach (var d in s.Disks)
            w.Sample("box_disk_size_bytes", [("device", d.Device), ("label", d.Label ?? ""), ("fstype", d.FsType ?? ""), ("uuid", d.FsUuid ?? "")], d.SizeBytes);
        w.Family("box_disk_mounted", "gauge", "1 when the disk is mounted.");
        foreach (var d in s.Disks)
            w.Sample("box_disk_mounted", [("device", d.Device)], d.MountPath is null ? 0 : 1);

        w.Metric("box_store_mounted", "gauge", "1 while the chunk store is available.", s.Store is null ? 0 : 1);
        w.Metric("box_store_used_bytes", "gauge", "Bytes used by stored chunks.", s.Store?.UsedBytes ?? 0);
        w.Metric("box_store_quota_bytes", "gauge", "The owner's quota for the chunk store.", s.Store?.QuotaBytes ?? 0);
        w.Metric("box_store_chunks", "gauge", "Chunks stored.", s.Store?.Chunks ?? 0);

        w.Metric("box_served_bytes_total", "counter", "Chunk bytes served since start (the status pages are not counted).", s.Traffic.BytesServed);
        w.Metric("box_http_connections", "gauge", "Open chunk connections.", s.Traffic.ActiveConnections);
        w.Metric("box_served_bytes_per_second", "gauge", "Chunk upload rate over the last few seconds.", s.Traffic.BytesPerSecond);
        w.Metric("box_served_bytes_today", "gauge", "Chunk bytes served since local midnight (or since start).", s.Traffic.BytesToday);
        w.Metric("box_serve_rate_limit_bytes_per_second", "gauge", "Upload limit in force now (0 = unlimited).", s.Traffic.RateLimitBytesPerSecond);
        w.Metric("box_http_requests_total", "counter", "Chunk requests answered since start.", s.Traffic.Requests);
        w.Metric("box_http_bad_requests_total", "counter", "Requests the LAN HTTP server refused as malformed, too large, too slow or with a wrong method.", s.Traffic.BadRequests);
        w.Metric("box_http_rejected_connections_total", "counter", "Connections the LAN HTTP server turned away at its connection limit.", s.Traffic.RejectedConnections);

        w.Metric("box_update_percent", "gauge", "Progress of the running firmware update.", s.Update.Percent);
        w.Family("box_update_info", "gauge", "Firmware update state; the value is always 1.");
        w.Sample("box_update_info", [("state", s.Update.State), ("version", s.Update.Version ?? "")], 1);

        w.Family("box_led_info", "gauge", "Pattern each LED shows; the value is always 1.");
        foreach (var (name, pattern) in s.Leds.OrderBy(l => l.Key, StringComparer.Ordinal))
            w.Sample("box_led_info", [("name", name), ("pattern", pattern)], 1);
        w.Metric("box_error", "gauge", "1 while an error is reported on the status page.", s.LastError is null ? 0 : 1);
        return w.ToString();
    }

    /// <summary>Label value escaping per the text format: backslash, double quote, newline.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
             .Replace("\"", "\\\"", StringComparison.Ordinal)
             .Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Writer
    {
        private readonly StringBuilder _text = new(2048);

        public void Metric(string name, string type, string help, double value)
        {
            Family(name, type, help);
            Sample(name, [], value);
        }

        public void Family(string name, string type, string help) =>
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
                 .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

        public void Sample(string name, (string Name, string Value)[] labels, double value)
        {
            _text.Append(name);
            if (labels.Length > 0)
            {
                _text.Append('{');
                for (int i = 0; i < labels.Length; i++)
                {
                    if (i > 0)
                        _text.Append(',');
                    _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
                }
                _text.Append('}');
            }
            // Whole numbers (byte counts) in plain digits, not 1E+15.
            var number = Math.Abs(value) < 1e15 && value == Math.Floor(value)
                ? ((long)value).ToString(CultureInfo.InvariantCulture)
                : value.ToString("R", CultureInfo.InvariantCulture);
            _text.Append(' ').Append(number).Append('\n');
        }

        public override string ToString() => _text.ToString();
    }
}
