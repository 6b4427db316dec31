using System.Globalization;
using System.Text.Json.Nodes;

namespace Box.Agent.Configuration;

/// <summary>The effective configuration as JSON in the same schema it is read
/// in (for <c>config.get</c> and the status page).</summary>
public static class ConfigJson
{
    public const string Redacted = "***";

    public static JsonObject ToJson(AgentConfig c, bool redactSecrets = true) => new()
    {
        ["version"] = c.Version,
        ["telemetryIntervalSeconds"] = c.TelemetryIntervalSeconds,
        ["store"] = new JsonObject
        {
            ["quotaPercent"] = c.Store.QuotaPercent,
            ["highWatermarkPercent"] = c.Store.HighWatermarkPercent,
            ["lowWatermarkPercent"] = c.Store.LowWatermarkPercent,
            ["quotaBytes"] = c.Store.QuotaBytes,
            ["maxConcurrentDownloads"] = c.Store.MaxConcurrentDownloads,
            ["writeBytesPerSecond"] = c.Store.WriteBytesPerSecond,
            ["scrubBytesPerSecond"] = c.Store.ScrubBytesPerSecond,
        },
        ["serve"] = new JsonObject
        {
            ["rateLimitBytesPerSecond"] = c.Serve.RateLimitBytesPerSecond,
            ["maxConnections"] = c.Serve.MaxConnections,
            ["maxConnectionsPerClient"] = c.Serve.MaxConnectionsPerClient,
            ["connectionRateLimitBytesPerSecond"] = c.Serve.ConnectionRateLimitBytesPerSecond,
            ["schedule"] = new JsonArray([.. c.Serve.Schedule.Select(w => (JsonNode)new JsonObject
            {
                ["from"] = Clock(w.From),
                ["to"] = w.ToIsMidnight ? "24:00" : Clock(w.To),
                ["rateLimitBytesPerSecond"] = w.RateLimitBytesPerSecond,
            })]),
        },
        ["scheduler"] = new JsonObject
        {
            ["publicKeyPem"] = c.Scheduler.PublicKeyPem,
            ["publicKeys"] = new JsonObject([.. c.Scheduler.PublicKeys.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)k.Value))]),
        },
        ["pairing"] = new JsonObject
        {
            ["holdSeconds"] = c.Pairing.HoldSeconds,
            ["factoryResetHoldSeconds"] = c.Pairing.FactoryResetHoldSeconds,
            ["windowSeconds"] = c.Pairing.WindowSeconds,
        },
        ["id"] = c.Id,
        ["board"] = c.Board,
        ["simDir"] = c.SimDir,
        ["dataDir"] = c.DataDir,
        ["http"] = c.Http,
        ["broker"] = new JsonObject
        {
            ["url"] = c.Broker.Url,
            ["caFile"] = c.Broker.CaFile,
            ["certFile"] = c.Broker.CertFile,
            ["keyFile"] = c.Broker.KeyFile,
            ["username"] = c.Broker.Username,
            ["password"] = c.Broker.Password is null ? null : redactSecrets ? Redacted : c.Broker.Password,
            ["topicPrefix"] = c.Broker.TopicPrefix,
            ["reconnectWindowSeconds"] = c.Broker.ReconnectWindowSeconds,
        },
        ["queue"] = new JsonObject
        {
            ["maxMessages"] = c.Queue.MaxMessages,
            ["maxBytes"] = c.Queue.MaxBytes,
        },
        ["firmware"] = new JsonObject { ["publicKeyFile"] = c.Firmware.PublicKeyFile },
    };

    private static string Clock(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);
}
