using System.Text.Json.Nodes;
using Box.Agent.Configuration;

namespace Box.Agent.Tests.Configuration;

public class ConfigLayersTests
{
    private static ConfigLayers Layers(JsonObject? file = null, JsonObject? flags = null) =>
        ConfigLayers.Create(file ?? [], "config test.json", flags ?? [], []);

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void Flags_override_the_file()
    {
        var layers = Layers(
            Json("""{"board":"rpi4","broker":{"url":"mqtt://file:1883","username":"u"},"id":"from-file"}"""),
            Json("""{"board":"sim","broker":{"url":"mqtts://flag:8883"}}"""));
        var c = layers.Effective;
        Assert.Equal("sim", c.Board);
        Assert.Equal("mqtts://flag:8883", c.Broker.Url);
        Assert.Equal("u", c.Broker.Username); // objects merge key by key
        Assert.Equal("from-file", c.Id);
    }

    [Fact]
    public void Desired_config_overrides_the_file_for_cloud_keys_only()
    {
        var layers = Layers(Json("""{"version":1,"telemetryIntervalSeconds":60,"broker":{"url":"mqtt://b:1883"},"id":"box1","firmware":{"publicKeyFile":"/etc/fw.pem"}}"""));
        var warnings = new List<string>();
        var outcome = layers.ApplyDesired(Json("""{"version":2,"telemetryIntervalSeconds":10,"broker":{"url":"mqtt://evil:1883"},"id":"other","firmware":{"publicKeyFile":"/tmp/evil.pem"},"sparkles":1}"""), warnings);
        Assert.Equal(ConfigLayers.DesiredOutcome.Applied, outcome);
        var c = layers.Effective;
        Assert.Equal(2, c.Version);
        Assert.Equal(10, c.TelemetryIntervalSeconds);
        Assert.Equal("mqtt://b:1883", c.Broker.Url);
        Assert.Equal("box1", c.Id);
        Assert.Equal("/etc/fw.pem", c.Firmware.PublicKeyFile);
        Assert.Contains("desired config: broker: not settable from the cloud, ignored", warnings);
        Assert.Contains("desired config: id: not settable from the cloud, ignored", warnings);
        Assert.Contains("desired config: firmware: not settable from the cloud, ignored", warnings);
        Assert.Contains("desired config: sparkles: unknown key, ignored", warnings);
        Assert.False(layers.Desired!.ContainsKey("broker"));
    }

    [Fact]
    public void Flags_still_win_over_desired_config()
    {
        var layers = Layers(flags: Json("""{"dataDir":"/tmp/d"}"""));
        layers.ApplyDesired(Json("""{"version":1,"dataDir":"/elsewhere"}"""), []);
        Assert.Equal("/tmp/d", layers.Effective.DataDir);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public void Desired_config_that_is_not_newer_is_ignored(int version)
    {
        var layers = Layers(Json("""{"version":5,"telemetryIntervalSeconds":60}"""));
        var outcome = layers.ApplyDesired(Json($$"""{"version":{{version}},"telemetryIntervalSeconds":5}"""), []);
        Assert.Equal(ConfigLayers.DesiredOutcome.NotNewer, outcome);
        Assert.Equal(60, layers.Effective.TelemetryIntervalSeconds);
        Assert.Null(layers.Desired);
    }

    [Fact]
    public void Invalid_desired_config_changes_nothing()
    {
        var layers = Layers();
        layers.ApplyDesired(Json("""{"version":3,"telemetryIntervalSeconds":20}"""), []);
        var before = layers.Effective;
        var e = Assert.Throws<ConfigException>(() => layers.ApplyDesired(Json("""{"version":4,"telemetryIntervalSeconds":20,"pairing":{"windowSeconds":"long"}}"""), []));
        Assert.Equal("desired config: pairing.windowSeconds: expected integer 30..3600, got \"long\"", e.Message);
        Assert.Same(before, layers.Effective);
        Assert.Equal(3, layers.Effective.Version);
    }

    [Fact]
    public void Desired_config_conflicting_with_the_file_is_rejected_as_a_whole()
    {
        var layers = Layers(Json("""{"store":{"lowWatermarkPercent":85}}"""));
        var e = Assert.Throws<ConfigException>(() => layers.ApplyDesired(Json("""{"version":1,"store":{"highWatermarkPercent":80}}"""), []));
        Assert.Contains("store.lowWatermarkPercent: 85 is above store.highWatermarkPercent (80)", e.Message);
        Assert.Equal(0, layers.Effective.Version);
    }

    [Fact]
    public void Desired_config_needs_a_version()
    {
        var e = Assert.Throws<ConfigException>(() => Layers().ApplyDesired(Json("""{"telemetryIntervalSeconds":5}"""), []));
        Assert.Equal("desired config: version: required", e.Message);
    }

    [Fact]
    public void Clearing_the_desired_layer_returns_to_file_and_flags()
    {
        var layers = Layers(Json("""{"version":1,"telemetryIntervalSeconds":60}"""));
        layers.ApplyDesired(Json("""{"version":2,"telemetryIntervalSeconds":5}"""), []);
        layers.ClearDesired();
        Assert.Equal((1L, 60), (layers.Effective.Version, layers.Effective.TelemetryIntervalSeconds));
        Assert.Null(layers.Desired);
    }

    [Fact]
    public void Invalid_flag_is_named_as_coming_from_the_command_line()
    {
        var e = Assert.Throws<ConfigException>(() => Layers(flags: Json("""{"id":"a b"}""")));
        Assert.StartsWith("command line: id:", e.Message);
    }

    [Fact]
    public void Load_reports_unreadable_and_malformed_files_by_path()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("missing.json");
        Assert.StartsWith($"config {missing}: cannot read", Assert.Throws<ConfigException>(() => ConfigLayers.Load(missing, [], [])).Message);
        var bad = dir.Combine("bad.json");
        File.WriteAllText(bad, "{\"version\": 1,\n \"store\": }");
        var message = Assert.Throws<ConfigException>(() => ConfigLayers.Load(bad, [], [])).Message;
        Assert.StartsWith($"config {bad}: line 2: invalid JSON", message);
        var warnings = new List<string>();
        var good = dir.Combine("good.json");
        File.WriteAllText(good, """{"version":4,"mystery":true}""");
        Assert.Equal(4, ConfigLayers.Load(good, [], warnings).Effective.Version);
        Assert.Equal([$"config {good}: mystery: unknown key, ignored"], warnings);
    }

    [Fact]
    public void Desired_config_store_round_trips_atomically()
    {
        using var dir = new TempDir();
        var store = new DesiredConfigStore(dir.Combine("data"));
        Assert.Null(store.Load());
        store.Save(Json("""{"version":8,"telemetryIntervalSeconds":12}"""));
        Assert.Equal(8, (int)store.Load()!["version"]!);
        Assert.Empty(Directory.GetFiles(dir.Combine("data"), "*.tmp-*"));
        store.Delete();
        Assert.Null(store.Load());
        File.WriteAllText(store.Path, "{garbage");
        Assert.Contains("invalid JSON", Assert.Throws<ConfigException>(store.Load).Message);
    }
}
