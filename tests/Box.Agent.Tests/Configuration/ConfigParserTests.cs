using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Configuration;

namespace Box.Agent.Tests.Configuration;

public class ConfigParserTests
{
    private static AgentConfig Parse(string json, List<string>? warnings = null) =>
        ConfigParser.Build(ConfigParser.ParseObject(Encoding.UTF8.GetBytes(json), "test"), "test", warnings ?? []);

    private static string Rejected(string json) => Assert.Throws<ConfigException>(() => Parse(json)).Message;

    [Fact]
    public void Empty_document_gives_the_documented_defaults()
    {
        var c = Parse("{}");
        Assert.Equal(0, c.Version);
        Assert.Equal(60, c.TelemetryIntervalSeconds);
        Assert.Equal((90, 90, 80), (c.Store.QuotaPercent, c.Store.HighWatermarkPercent, c.Store.LowWatermarkPercent));
        Assert.Equal((0L, 256), (c.Serve.RateLimitBytesPerSecond, c.Serve.MaxConnections));
        Assert.Equal((3, 10, 600), (c.Pairing.HoldSeconds, c.Pairing.FactoryResetHoldSeconds, c.Pairing.WindowSeconds));
        Assert.Equal("/data", c.DataDir);
        Assert.Null(c.Broker.Url);
        Assert.Equal("box/{id}/", c.Broker.TopicPrefix);
    }

    [Fact]
    public void Protocol_example_is_read_key_by_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportSubjectPublicKeyInfoPem();
        var doc = new JsonObject
        {
            ["version"] = 7,
            ["telemetryIntervalSeconds"] = 30,
            ["store"] = new JsonObject { ["quotaPercent"] = 85, ["highWatermarkPercent"] = 95, ["lowWatermarkPercent"] = 70 },
            ["serve"] = new JsonObject
            {
                ["rateLimitBytesPerSecond"] = 0,
                ["maxConnections"] = 100,
                ["schedule"] = new JsonArray(new JsonObject { ["from"] = "08:00", ["to"] = "23:00", ["rateLimitBytesPerSecond"] = 1000000 }),
            },
            ["scheduler"] = new JsonObject { ["publicKeyPem"] = pem },
            ["pairing"] = new JsonObject { ["holdSeconds"] = 2, ["factoryResetHoldSeconds"] = 8, ["windowSeconds"] = 300 },
        };
        var c = Parse(doc.ToJsonString());
        Assert.Equal(7, c.Version);
        Assert.Equal(30, c.TelemetryIntervalSeconds);
        Assert.Equal((85, 95, 70), (c.Store.QuotaPercent, c.Store.HighWatermarkPercent, c.Store.LowWatermarkPercent));
        Assert.Equal(100, c.Serve.MaxConnections);
        var window = Assert.Single(c.Serve.Schedule);
        Assert.Equal((new TimeOnly(8, 0), new TimeOnly(23, 0), 1_000_000L), (window.From, window.To, window.RateLimitBytesPerSecond));
        Assert.Equal(pem, c.Scheduler.PublicKeyPem);
        Assert.Equal((2, 8, 300), (c.Pairing.HoldSeconds, c.Pairing.FactoryResetHoldSeconds, c.Pairing.WindowSeconds));
    }

    [Theory]
    [InlineData("""{"telemetryIntervalSeconds":"60"}""", "test: telemetryIntervalSeconds: expected integer 1..86400, got \"60\"")]
    [InlineData("""{"telemetryIntervalSeconds":1.5}""", "telemetryIntervalSeconds: expected integer 1..86400, got 1.5")]
    [InlineData("""{"store":{"quotaPercent":150}}""", "store.quotaPercent: expected integer 1..100, got 150")]
    [InlineData("""{"store":7}""", "store: expected object, got 7")]
    [InlineData("""{"store":{"quotaBytes":-1}}""", "store.quotaBytes: expected integer ≥ 0, got -1")]
    [InlineData("""{"store":{"maxConcurrentDownloads":0}}""", "store.maxConcurrentDownloads: expected integer 1..16, got 0")]
    [InlineData("""{"store":{"scrubBytesPerSecond":"fast"}}""", "store.scrubBytesPerSecond: expected integer ≥ 0, got \"fast\"")]
    [InlineData("""{"serve":{"maxConnectionsPerClient":70000}}""", "serve.maxConnectionsPerClient: expected integer 0..65535, got 70000")]
    [InlineData("""{"serve":{"connectionRateLimitBytesPerSecond":-5}}""", "serve.connectionRateLimitBytesPerSecond: expected integer ≥ 0, got -5")]
    [InlineData("""{"serve":{"maxConnections":-1}}""", "serve.maxConnections: expected integer 0..65535, got -1")]
    [InlineData("""{"serve":{"schedule":{}}}""", "serve.schedule: expected array, got an object")]
    [InlineData("""{"serve":{"schedule":[{"from":"25:00","to":"23:00"}]}}""", "serve.schedule[0].from: \"25:00\" is not HH:MM")]
    [InlineData("""{"serve":{"schedule":[{"from":"08:00","to":"8:00"}]}}""", "serve.schedule[0].to: \"8:00\" is not HH:MM")]
    [InlineData("""{"serve":{"schedule":[{"from":"08:00"}]}}""", "serve.schedule[0].to: required")]
    [InlineData("""{"serve":{"schedule":[{"from":"08:00","to":"08:00"}]}}""", "serve.schedule[0].to: equals from")]
    [InlineData("""{"serve":{"schedule":[5]}}""", "serve.schedule[0]: expected object, got 5")]
    [InlineData("""{"pairing":{"holdSeconds":0}}""", "pairing.holdSeconds: expected integer 1..60, got 0")]
    [InlineData("""{"pairing":{"holdSeconds":5,"factoryResetHoldSeconds":5}}""", "pairing.factoryResetHoldSeconds: 5 must be longer than pairing.holdSeconds (5)")]
    [InlineData("""{"scheduler":{"publicKeyPem":"not a key"}}""", "scheduler.publicKeyPem: not an EC public key in PEM")]
    [InlineData("""{"scheduler":{"publicKeys":{"2026-12":"not a key"}}}""", "scheduler.publicKeys.2026-12: not an EC public key in PEM")]
    [InlineData("""{"scheduler":{"publicKeys":{"":"x"}}}""", "scheduler.publicKeys.: expected a key id of 1..64 printable ASCII")]
    [InlineData("""{"scheduler":{"publicKeys":{"k":5}}}""", "scheduler.publicKeys.k: expected string, got 5")]
    [InlineData("""{"scheduler":{"publicKeys":[]}}""", "scheduler.publicKeys: expected object")]
    [InlineData("""{"broker":{"url":"http://example.com"}}""", "broker.url: scheme \"http\" is not supported")]
    [InlineData("""{"broker":{"certFile":"/c.pem"}}""", "broker.keyFile: certFile and keyFile go together")]
    [InlineData("""{"broker":{"topicPrefix":"box/#/"}}""", "broker.topicPrefix: must contain {id}")]
    [InlineData("""{"broker":{"reconnectWindowSeconds":3601}}""", "broker.reconnectWindowSeconds: expected integer 0..3600, got 3601")]
    [InlineData("""{"id":"a/b"}""", "id: \"a/b\" may only contain")]
    [InlineData("""{"http":"localhost"}""", "http: \"localhost\" is not ADDR:PORT")]
    [InlineData("""{"http":"127.0.0.1:70000"}""", "http: \"127.0.0.1:70000\" is not ADDR:PORT")]
    [InlineData("""{"version":-1}""", "version: expected integer ≥ 0, got -1")]
    public void Invalid_value_rejects_the_document_naming_key_and_reason(string json, string expected)
    {
        Assert.Contains(expected, Rejected(json));
    }

    [Fact]
    public void Low_watermark_above_high_is_rejected_naming_both()
    {
        var message = Rejected("""{"store":{"highWatermarkPercent":80,"lowWatermarkPercent":85}}""");
        Assert.Equal("test: store.lowWatermarkPercent: 85 is above store.highWatermarkPercent (80)", message);
    }

    [Theory]
    [InlineData("{", "invalid JSON")]
    [InlineData("{\"a\":1,}x", "invalid JSON")]
    [InlineData("[1,2]", "expected a JSON object at the top level, got an array")]
    [InlineData("null", "expected a JSON object at the top level, got null")]
    public void Malformed_json_is_one_line_naming_the_source(string json, string expected)
    {
        var message = Assert.Throws<ConfigException>(() => ConfigParser.ParseObject(Encoding.UTF8.GetBytes(json), "config /x.json")).Message;
        Assert.StartsWith("config /x.json: ", message);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Oversized_document_is_rejected_before_parsing()
    {
        var huge = new byte[ConfigParser.MaxDocumentBytes + 1];
        Assert.Contains("limit", Assert.Throws<ConfigException>(() => ConfigParser.ParseObject(huge, "desired config")).Message);
    }

    [Fact]
    public void Unknown_keys_are_warnings_and_the_rest_applies()
    {
        var warnings = new List<string>();
        var c = Parse("""{"telemetryIntervalSeconds":15,"colour":"red","store":{"quotaPercent":50,"shelf":1},"serve":{"schedule":[{"from":"01:00","to":"02:00","extra":true}]}}""", warnings);
        Assert.Equal(15, c.TelemetryIntervalSeconds);
        Assert.Equal(50, c.Store.QuotaPercent);
        Assert.Equal(3, warnings.Count);
        Assert.Contains("test: colour: unknown key, ignored", warnings);
        Assert.Contains("test: store.shelf: unknown key, ignored", warnings);
        Assert.Contains("test: serve.schedule[0].extra: unknown key, ignored", warnings);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed_in_files()
    {
        Assert.Equal(9, Parse("{ // local\n \"version\": 9, }").Version);
    }

    [Fact]
    public void Null_unsets_an_optional_string()
    {
        Assert.Null(Parse("""{"scheduler":{"publicKeyPem":null}}""").Scheduler.PublicKeyPem);
    }

    [Theory]
    [InlineData("08:00", "23:00", "12:00", true)]
    [InlineData("08:00", "23:00", "23:00", false)]
    [InlineData("08:00", "23:00", "07:59", false)]
    [InlineData("22:00", "06:00", "23:30", true)]
    [InlineData("22:00", "06:00", "05:59", true)]
    [InlineData("22:00", "06:00", "12:00", false)]
    [InlineData("00:00", "24:00", "23:59", true)]
    public void Schedule_windows_may_span_midnight(string from, string to, string at, bool inside)
    {
        var c = Parse($$$"""{"serve":{"schedule":[{"from":"{{{from}}}","to":"{{{to}}}"}]}}""");
        Assert.Equal(inside, c.Serve.Schedule[0].Contains(TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Effective_config_json_round_trips_and_redacts_the_password()
    {
        var c = Parse("""{"version":3,"broker":{"url":"mqtts://b:8883","username":"u","password":"hunter2"},"serve":{"schedule":[{"from":"00:00","to":"24:00","rateLimitBytesPerSecond":5}]}}""");
        var json = ConfigJson.ToJson(c);
        Assert.Equal(ConfigJson.Redacted, (string?)json["broker"]!["password"]);
        Assert.DoesNotContain("hunter2", json.ToJsonString());
        Assert.Equal("24:00", (string?)json["serve"]!["schedule"]![0]!["to"]);
        // What config.get shows is itself a valid configuration.
        var again = ConfigParser.Build(ConfigJson.ToJson(c, redactSecrets: false), "again", []);
        Assert.Equal(c.Version, again.Version);
        Assert.Equal("hunter2", again.Broker.Password);
        Assert.Equal(c.Serve.Schedule, again.Serve.Schedule);
    }

    [Fact]
    public void Reconnect_window_defaults_to_ten_seconds_and_can_be_widened()
    {
        Assert.Equal(10, Parse("{}").Broker.ReconnectWindowSeconds);
        Assert.Equal(120, Parse("""{"broker":{"reconnectWindowSeconds":120}}""").Broker.ReconnectWindowSeconds);
    }

    [Fact]
    public void Scheduler_keys_by_kid_are_read_and_round_trip()
    {
        using var a = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var b = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keys = new JsonObject { ["2026-11"] = a.ExportSubjectPublicKeyInfoPem(), ["2026-12"] = b.ExportSubjectPublicKeyInfoPem() };
        var c = ConfigParser.Build(new JsonObject { ["scheduler"] = new JsonObject { ["publicKeys"] = keys } }, "test", []);
        Assert.Equal(["2026-11", "2026-12"], c.Scheduler.PublicKeys.Keys.Order());
        Assert.Equal(b.ExportSubjectPublicKeyInfoPem(), c.Scheduler.PublicKeys["2026-12"]);
        var again = ConfigParser.Build(ConfigJson.ToJson(c, redactSecrets: false), "again", []);
        Assert.Equal(c.Scheduler.PublicKeys, again.Scheduler.PublicKeys);
        Assert.Empty(ConfigParser.Build([], "defaults", []).Scheduler.PublicKeys);
    }
}
