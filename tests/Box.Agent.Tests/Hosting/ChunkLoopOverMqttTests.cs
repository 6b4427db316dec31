using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Box.Agent.Http;
using Box.Agent.Tests.Serving;
using Box.Agent.Tests.Support;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Hosting;

/// <summary>What the box exists for, end to end with the built agent process:
/// a real mosquitto, a real origin, a USB "disk" plugged into the simulated
/// board, <c>chunk.prefetch</c> over MQTT, the chunk fetched with a token an
/// ordinary JWT library minted, and the usage report for it arriving.</summary>
public sealed class ChunkLoopOverMqttTests : IAsyncLifetime
{
    private const string Id = "loop-box";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDir _dir = new();
    private readonly ECDsa _scheduler = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _chunk = RandomNumberGenerator.GetBytes(300_000);
    private HttpServer _origin = null!;

    private string Hash => Convert.ToHexStringLower(SHA256.HashData(_chunk));

    public async Task InitializeAsync()
    {
        var router = new HttpRouter()
            .Map("/chunk", (_, response, ct) => response.SendAsync(200, "application/octet-stream", _chunk, ct))
            .Map("/wrong", (_, response, ct) => response.SendAsync(200, "application/octet-stream", _chunk.Reverse().ToArray(), ct));
        _origin = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), router);
        await _origin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _scheduler.Dispose();
        _dir.Dispose();
    }

    private string Origin(string path) => $"http://{_origin.LocalEndPoint}{path}";

    private static async Task<JsonObject> CommandAsync(CloudClient cloud, string id, string name, string args, string status)
    {
        await cloud.PublishAsync($"box/{Id}/cmd", $$"""{"id":"{{id}}","name":"{{name}}","args":{{args}}}""");
        var reply = await cloud.WaitForAsync($"box/{Id}/reply", t => t.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal)
            && t.Contains(status, StringComparison.Ordinal), Wait);
        return reply.Json!.AsObject();
    }

    [Fact]
    public async Task Prefetch_then_serve_with_a_token_then_the_usage_report_arrives()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{Id}/#");
        var config = new JsonObject
        {
            ["telemetryIntervalSeconds"] = 1,
            ["scheduler"] = new JsonObject { ["publicKeyPem"] = _scheduler.ExportSubjectPublicKeyInfoPem() },
        };
        File.WriteAllText(_dir.Combine("config.json"), config.ToJsonString());
        var sim = _dir.Combine("sim");
        using var agent = AgentProcess.Start("run", "--board", "sim", "--sim-dir", sim, "--data", _dir.Combine("data"), "--id", Id,
            "--broker", broker.Url.OriginalString, "--http", "127.0.0.1:0", "--config", _dir.Combine("config.json"));
        var ready = await agent.WaitForStderrAsync("box-agent ready", Wait);
        var http = ready.Split(' ').Single(w => w.StartsWith("http=", StringComparison.Ordinal))["http=".Length..];
        using var client = new HttpClient { BaseAddress = new Uri($"http://{http}/") };
        // Commands are not retained: send them once the box listens.
        await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal), Wait);

        // No disk yet: nothing to fetch into, and the chunk server says so.
        var noDisk = await CommandAsync(cloud, "p-0", "chunk.prefetch", $$"""{"hash":"{{Hash}}","size":{{_chunk.Length}},"url":"{{Origin("/chunk")}}"}""", "\"ok\":false");
        Assert.Equal("no_disk", (string?)noDisk["error"]!["code"]);
        var token = SchedulerKeys.Mint(_scheduler, null, Hash, DateTimeOffset.UtcNow.AddMinutes(10), jti: "order-1");
        using (var early = await GetAsync(client, token))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);

        var usb = _dir.Combine("usb");
        Directory.CreateDirectory(usb);
        File.WriteAllText(Path.Combine(usb, "holiday.jpg"), "the owner's own file");
        SimBoard.Plug(sim, usb);
        await cloud.WaitForAsync($"box/{Id}/state", t => t.Contains("\"storeId\"", StringComparison.Ordinal), Wait);

        var accepted = await CommandAsync(cloud, "p-1", "chunk.prefetch", $$"""{"hash":"{{Hash}}","size":{{_chunk.Length}},"url":"{{Origin("/chunk")}}"}""", "accepted");
        Assert.True((bool)accepted["ok"]!);
        var done = await CommandAsync(cloud, "p-1", "chunk.prefetch", "{}", "\"done\"");
        Assert.Equal(Hash, (string?)done["result"]!["hash"]);
        await cloud.WaitForAsync($"box/{Id}/events", t => t.Contains("chunk.stored", StringComparison.Ordinal) && t.Contains(Hash, StringComparison.Ordinal), Wait);
        Assert.Equal(_chunk, File.ReadAllBytes(Path.Combine(usb, "box-store", "chunks", Hash[..2], Hash)));
        Assert.Equal("the owner's own file", File.ReadAllText(Path.Combine(usb, "holiday.jpg")));

        // A wrong body is never stored.
        var wrongHash = Convert.ToHexStringLower(SHA256.HashData(_chunk.Reverse().ToArray().Concat(new byte[] { 1 }).ToArray()));
        await CommandAsync(cloud, "p-2", "chunk.prefetch", $$"""{"hash":"{{wrongHash}}","size":{{_chunk.Length}},"url":"{{Origin("/wrong")}}"}""", "accepted");
        var failed = await CommandAsync(cloud, "p-2", "chunk.prefetch", "{}", "\"failed\"");
        Assert.Equal("verify_failed", (string?)failed["error"]!["code"]);
        Assert.False(File.Exists(Path.Combine(usb, "box-store", "chunks", wrongHash[..2], wrongHash)));

        // Served whole and as a range, with the scheduler's token.
        using (var whole = await GetAsync(client, token))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(_chunk, await whole.Content.ReadAsByteArrayAsync());
            Assert.Equal($"\"{Hash}\"", whole.Headers.ETag?.Tag);
        }
        using (var part = await GetAsync(client, token, new RangeHeaderValue(1000, 1999)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(_chunk[1000..2000], await part.Content.ReadAsByteArrayAsync());
        }
        using (var forged = await GetAsync(client, token[..^4] + "AAAA"))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        // The usage report: this token, this chunk, every byte served.
        var usage = await cloud.WaitForAsync($"box/{Id}/usage", t => t.Contains("order-1", StringComparison.Ordinal), Wait);
        var report = usage.Json!.AsObject();
        Assert.True((long)report["seq"]! >= 1);
        Assert.Equal(_chunk.Length + 1000L, (long)report["bytes"]!);
        var entry = Assert.Single(report["tokens"]!.AsArray());
        Assert.Equal(("order-1", Hash, 2L), ((string?)entry!["jti"], (string?)entry["h"], (long)entry["requests"]!));

        var list = await CommandAsync(cloud, "l-1", "chunk.list", """{"limit":10}""", "\"ok\":true");
        Assert.Equal([Hash], list["result"]!["hashes"]!.AsArray().Select(h => (string?)h));
        var stats = await CommandAsync(cloud, "s-1", "store.stats", "{}", "\"ok\":true");
        Assert.Equal(1, (long)stats["result"]!["chunks"]!);
        Assert.Equal(_chunk.Length, (long)stats["result"]!["usedBytes"]!);

        var evicted = await CommandAsync(cloud, "e-1", "chunk.evict", $$"""{"hashes":["{{Hash}}"]}""", "\"ok\":true");
        Assert.Equal(1, (int)evicted["result"]!["evicted"]!);
        using (var gone = await GetAsync(client, token))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("the owner's own file", File.ReadAllText(Path.Combine(usb, "holiday.jpg")));
    }

    [Fact]
    public async Task A_disk_yanked_while_downloading_and_serving_fails_cleanly_and_serves_again_when_replugged()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{Id}/#");
        var config = new JsonObject { ["scheduler"] = new JsonObject { ["publicKeyPem"] = _scheduler.ExportSubjectPublicKeyInfoPem() } };
        File.WriteAllText(_dir.Combine("config.json"), config.ToJsonString());
        var sim = _dir.Combine("sim");
        using var agent = AgentProcess.Start("run", "--board", "sim", "--sim-dir", sim, "--data", _dir.Combine("data"), "--id", Id,
            "--broker", broker.Url.OriginalString, "--http", "127.0.0.1:0", "--config", _dir.Combine("config.json"));
        var ready = await agent.WaitForStderrAsync("box-agent ready", Wait);
        var http = ready.Split(' ').Single(w => w.StartsWith("http=", StringComparison.Ordinal))["http=".Length..];
        using var client = new HttpClient { BaseAddress = new Uri($"http://{http}/") };
        // Commands are not retained: send them once the box listens.
        await cloud.WaitForAsync($"box/{Id}/status", t => t.Contains("\"online\":true", StringComparison.Ordinal), Wait);
        var usb = _dir.Combine("usb");
        Directory.CreateDirectory(usb);
        SimBoard.Plug(sim, usb);
        await cloud.WaitForAsync($"box/{Id}/state", t => t.Contains("\"storeId\"", StringComparison.Ordinal), Wait);
        await CommandAsync(cloud, "p-1", "chunk.prefetch", $$"""{"hash":"{{Hash}}","size":{{_chunk.Length}},"url":"{{Origin("/chunk")}}"}""", "\"done\"");
        var token = SchedulerKeys.Mint(_scheduler, null, Hash, DateTimeOffset.UtcNow.AddMinutes(10), jti: "order-2");

        // An origin that sends half a chunk and then nothing: the download is in flight when the disk goes.
        using var stalled = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        stalled.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        var serving = Task.Run(async () =>
        {
            var c = await stalled.AcceptTcpClientAsync();
            held.Add(c);
            var s = c.GetStream();
            var buffer = new byte[4096];
            _ = await s.ReadAsync(buffer); // the request head; its content does not matter here
            await s.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {_chunk.Length}\r\n\r\n"));
            await s.WriteAsync(_chunk.AsMemory(0, _chunk.Length / 2));
        });
        var other = Convert.ToHexStringLower(SHA256.HashData(_chunk.AsSpan(1)));
        await CommandAsync(cloud, "p-2", "chunk.prefetch", $$"""{"hash":"{{other}}","size":{{_chunk.Length}},"url":"http://{{stalled.LocalEndpoint}}/x"}""", "accepted");
        await serving.WaitAsync(Wait);

        SimBoard.Unplug(sim, usb);
        var failed = await CommandAsync(cloud, "p-2", "chunk.prefetch", "{}", "\"failed\"");
        Assert.Equal("no_disk", (string?)failed["error"]!["code"]);
        await Eventually.TrueAsync(() => GetAsync(client, token).GetAwaiter().GetResult().StatusCode == HttpStatusCode.ServiceUnavailable,
            "the chunk to answer 503 once its disk is gone");
        var noStore = await CommandAsync(cloud, "l-1", "chunk.list", "{}", "\"ok\":false");
        Assert.Equal("no_disk", (string?)noStore["error"]!["code"]);

        SimBoard.Plug(sim, usb);
        await Eventually.TrueAsync(() => GetAsync(client, token).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK,
            "the chunk served again after the disk came back");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(usb, "box-store", "tmp")));
        Assert.False(agent.HasExited);
        foreach (var c in held) c.Dispose();
    }

    private Task<HttpResponseMessage> GetAsync(HttpClient client, string token, RangeHeaderValue? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"chunks/{Hash}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Range = range;
        return client.SendAsync(request);
    }
}
