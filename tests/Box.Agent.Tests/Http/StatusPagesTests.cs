using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Box.Agent.Status;

namespace Box.Agent.Tests.Http;

/// <summary>The status pages through a real server and HttpClient.</summary>
public partial class StatusPagesTests
{
    [Fact]
    public async Task Root_redirects_to_status()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/status", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Unknown_path_is_404()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Client.GetAsync("status.xml");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Status_page_is_uncached_html_with_a_strict_policy()
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(9).AddSeconds(30);
        await using var server = await TestServer.StartAsync(() => TestSnapshots.Sample(pairingCode: "482913", pairingExpires: expires));

        using var response = await server.Client.GetAsync("status");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5\">", html);
        Assert.Contains("482913", html);
        Assert.Contains("Enter this code in the app", html);
        Assert.Matches(@"9 min \d+ s left", html);
        Assert.Contains("Online", html);
        Assert.Contains("1.4.2-test (slot B)", html);
        Assert.Contains("alice@example.org", html);
        Assert.Contains("123 GB used of 450 GB", html);
        Assert.Contains("48,213 chunks", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html); // no external assets
    }

    [Fact]
    public async Task Status_page_escapes_values_from_outside()
    {
        var snapshot = TestSnapshots.Sample(owner: "<script>alert(1)</script>") with
        {
            Disks = [new DiskStatus { Device = "sdb1", Label = "\"><img src=x onerror=alert(2)>", FsType = "vfat", SizeBytes = 1 }],
            LastError = "disk <b>full</b> & more",
        };
        await using var server = await TestServer.StartAsync(() => snapshot);

        var html = await server.Client.GetStringAsync("status");

        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>full", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("disk &lt;b&gt;full&lt;/b&gt; &amp; more", html);
    }

    [Fact]
    public async Task Expired_or_absent_pairing_code_is_shown_nowhere()
    {
        var expired = TestSnapshots.Sample(pairingCode: "482913", pairingExpires: DateTimeOffset.UtcNow.AddSeconds(-1));
        await using var server = await TestServer.StartAsync(() => expired);

        var html = await server.Client.GetStringAsync("status");
        var json = await server.Client.GetStringAsync("status.json");
        var metrics = await server.Client.GetStringAsync("metrics");

        Assert.DoesNotContain("482913", html);
        Assert.DoesNotContain("Pairing code", html);
        Assert.DoesNotContain("482913", json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("pairingCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("pairingExpires").ValueKind);
        Assert.Contains("\nbox_pairing_window_open 0\n", metrics);
    }

    [Fact]
    public async Task Offline_unpaired_box_without_disk_says_so()
    {
        var snapshot = TestSnapshots.Sample(online: false, owner: null) with { Disks = [], Store = null };
        await using var server = await TestServer.StartAsync(() => snapshot);

        var html = await server.Client.GetStringAsync("status");

        Assert.Contains("Offline", html);
        Assert.DoesNotContain(">Online<", html);
        Assert.Contains("Not paired", html);
        Assert.Contains("No disk", html);
        Assert.DoesNotContain("id=\"update\"", html);
    }

    [Fact]
    public async Task Running_update_shows_version_and_progress()
    {
        var snapshot = TestSnapshots.Sample() with { Update = new UpdateStatus { State = "installing", Version = "1.5.0", Percent = 42 } };
        await using var server = await TestServer.StartAsync(() => snapshot);

        var html = await server.Client.GetStringAsync("status");
        var metrics = await server.Client.GetStringAsync("metrics");

        Assert.Contains("installing 1.5.0 · 42%", html);
        Assert.Contains("<section id=\"update\">", html);
        Assert.Contains("<span style=\"width:42%\">", html);
        Assert.Contains("\nbox_update_percent 42\n", metrics);
        Assert.Contains("\nbox_update_info{state=\"installing\",version=\"1.5.0\"} 1\n", metrics);
    }

    [Fact]
    public async Task Status_json_has_the_snapshot_in_camel_case_with_unix_seconds()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600);
        await using var server = await TestServer.StartAsync(() => TestSnapshots.Sample(pairingCode: "482913", pairingExpires: expires));

        using var response = await server.Client.GetAsync("status.json");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("box-7f3a9c", root.GetProperty("boxId").GetString());
        Assert.Equal("1.4.2-test", root.GetProperty("firmwareVersion").GetString());
        Assert.Equal("b", root.GetProperty("slot").GetString());
        Assert.Equal(93784, root.GetProperty("uptime").GetInt64());
        Assert.True(root.GetProperty("online").GetBoolean());
        Assert.True(root.GetProperty("paired").GetBoolean());
        Assert.Equal("alice@example.org", root.GetProperty("owner").GetString());
        Assert.Equal("482913", root.GetProperty("pairingCode").GetString());
        Assert.Equal(expires.ToUnixTimeSeconds(), root.GetProperty("pairingExpires").GetInt64());
        var disk = root.GetProperty("disks")[0];
        Assert.Equal("sda1", disk.GetProperty("device").GetString());
        Assert.Equal("MEDIA", disk.GetProperty("label").GetString());
        Assert.Equal("ext4", disk.GetProperty("fsType").GetString());
        Assert.Equal(500_107_862_016, disk.GetProperty("sizeBytes").GetInt64());
        Assert.Equal("/media/box/1f0c", disk.GetProperty("mountPath").GetString());
        Assert.Equal("1f0c2a3e-9b7d-4c11-8d2e-5a6b7c8d9e0f", disk.GetProperty("fsUuid").GetString());
        Assert.Equal(123_456_789_012, root.GetProperty("store").GetProperty("usedBytes").GetInt64());
        Assert.Equal(450_000_000_000, root.GetProperty("store").GetProperty("quotaBytes").GetInt64());
        Assert.Equal(48_213, root.GetProperty("store").GetProperty("chunks").GetInt64());
        Assert.Equal(9_876_543_210, root.GetProperty("traffic").GetProperty("bytesServed").GetInt64());
        Assert.Equal(3, root.GetProperty("traffic").GetProperty("activeConnections").GetInt32());
        Assert.Equal(120_345, root.GetProperty("traffic").GetProperty("requests").GetInt64());
        Assert.Equal("idle", root.GetProperty("update").GetProperty("state").GetString());
        Assert.Equal(0, root.GetProperty("update").GetProperty("percent").GetInt32());
        Assert.Equal(7, root.GetProperty("configVersion").GetInt64());
        Assert.Equal("On", root.GetProperty("leds").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task Snapshot_provider_failure_is_a_500_and_the_server_stays_up()
    {
        bool fail = true;
        await using var server = await TestServer.StartAsync(() => fail ? throw new InvalidOperationException("supervisor gone") : TestSnapshots.Sample());

        using var failed = await server.Client.GetAsync("status");
        fail = false;

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        await server.AssertStillServesAsync();
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""(\\\\|\\""|\\n|[^""\\\n])*"")(,[a-zA-Z_][a-zA-Z0-9_]*=""(\\\\|\\""|\\n|[^""\\\n])*"")*\})? -?[0-9.eE+]+$")]
    private static partial Regex SampleLine();

    [Fact]
    public async Task Metrics_are_valid_prometheus_text_with_every_family_typed()
    {
        var snapshot = TestSnapshots.Sample() with
        {
            Disks = [new DiskStatus { Device = "sda1", Label = "my \"big\" disk\\1\nline2", FsType = "exfat", SizeBytes = 2_000_000_000_000, MountPath = "/m" }],
            Traffic = TestSnapshots.Sample().Traffic with { BadRequests = 4, RejectedConnections = 2 },
        };
        await using var server = await TestServer.StartAsync(() => snapshot);

        using var response = await server.Client.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.EndsWith("\n", text);
        var typed = new Dictionary<string, string>();
        var samples = new Dictionary<string, string>();
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "gauge", "counter" });
                Assert.True(typed.TryAdd(parts[2], parts[3]), $"family {parts[2]} typed twice");
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
                continue;
            Assert.Matches(SampleLine(), line);
            var name = line.Split('{', ' ')[0];
            Assert.True(typed.ContainsKey(name), $"sample {name} before its # TYPE");
            samples[line[..line.LastIndexOf(' ')]] = line[(line.LastIndexOf(' ') + 1)..];
        }

        Assert.Equal("1", samples["box_up"]);
        Assert.Equal("1", samples["box_info{id=\"box-7f3a9c\",fw=\"1.4.2-test\",slot=\"b\"}"]);
        Assert.Equal("93784", samples["box_uptime_seconds"]);
        Assert.Equal("1", samples["box_cloud_connected"]);
        Assert.Equal("1", samples["box_paired"]);
        Assert.Equal("123456789012", samples["box_store_used_bytes"]);
        Assert.Equal("450000000000", samples["box_store_quota_bytes"]);
        Assert.Equal("48213", samples["box_store_chunks"]);
        Assert.Equal("9876543210", samples["box_served_bytes_total"]);
        Assert.Equal("counter", typed["box_served_bytes_total"]);
        Assert.Equal("3", samples["box_http_connections"]);
        Assert.Equal("120345", samples["box_http_requests_total"]);
        Assert.Equal("counter", typed["box_http_requests_total"]);
        Assert.Equal("4", samples["box_http_bad_requests_total"]);
        Assert.Equal("2", samples["box_http_rejected_connections_total"]);
        Assert.Equal("1", samples["box_disks"]);
        Assert.Equal("0", samples["box_update_percent"]);
        Assert.Equal("7", samples["box_config_version"]);
        Assert.Equal("2000000000000", samples["box_disk_size_bytes{device=\"sda1\",label=\"my \\\"big\\\" disk\\\\1\\nline2\",fstype=\"exfat\",uuid=\"\"}"]);
        Assert.Equal("1", samples["box_led_info{name=\"network\",pattern=\"Heartbeat\"}"]);
    }

    [Fact]
    public async Task Open_pairing_window_shows_the_code_and_not_the_hold_hint()
    {
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        await using var server = await TestServer.StartAsync(() => TestSnapshots.Sample(pairingCode: "482913", pairingExpires: expires, owner: null));

        var html = await server.Client.GetStringAsync("status");

        Assert.Contains("<p class=\"code\">482913</p>", html);
        Assert.Contains("enter the pairing code above in the app", html);
        Assert.DoesNotContain("Hold the reset button", html);
    }

    [Fact]
    public async Task Unpaired_box_without_a_window_tells_the_owner_to_hold_the_button()
    {
        await using var server = await TestServer.StartAsync(() => TestSnapshots.Sample(owner: null));

        var html = await server.Client.GetStringAsync("status");

        Assert.Contains("Hold the reset button for 3 seconds", html);
        Assert.DoesNotContain("pairing code above", html);
    }

    [Fact]
    public async Task Traffic_status_reads_the_live_server_counters()
    {
        await using var server = await TestServer.StartAsync();
        using (await server.Client.GetAsync("status"))
        using (await server.Client.GetAsync("metrics"))
        {
        }
        await using (var raw = await server.ConnectAsync())
        {
            await raw.SendAsync("DELETE / HTTP/1.1\r\nHost: b\r\n\r\n");
            Assert.Equal(405, (await raw.ReadResponseAsync()).Status);
        }

        await TestServer.WaitUntilAsync(() => TrafficStatus.From(server.Server.Counters).BytesServed > 1000, "bytes counted");
        var traffic = TrafficStatus.From(server.Server.Counters);
        Assert.Equal(2, traffic.Requests);
        Assert.Equal(1, traffic.BadRequests);
        Assert.Equal(0, traffic.RejectedConnections);
    }

    [Fact]
    public void Html_escaping_covers_text_and_attribute_contexts()
    {
        Assert.Equal("&lt;a href=&quot;x&quot; title=&#39;t&#39;&gt;Tom &amp; Jerry&lt;/a&gt; · café", StatusPage.E("<a href=\"x\" title='t'>Tom & Jerry</a> · café"));
        Assert.Equal("", StatusPage.E(null));
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", StatusMetrics.EscapeLabelValue("a\\b\"c\nd"));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1_500, "1.5 kB")]
    [InlineData(123_456_789_012, "123 GB")]
    [InlineData(12_345_678_901, "12.3 GB")]
    [InlineData(2_000_000_000_000, "2 TB")]
    public void Byte_counts_read_like_disk_sizes(long bytes, string text)
    {
        Assert.Equal(text, StatusPage.Bytes(bytes));
    }
}
