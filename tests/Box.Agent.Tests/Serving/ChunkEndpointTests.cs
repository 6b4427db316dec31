using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Box.Agent.Serving;
using Box.Agent.Tests.Http;
using Box.Store;

namespace Box.Agent.Tests.Serving;

public class ChunkEndpointTests
{
    [Fact]
    public async Task Whole_chunk_is_200_with_etag_cache_headers_and_is_recorded_once()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, data) = h.AddChunk(200_000);
        using var client = h.Client();

        using var response = await client.SendAsync(ChunkServerHarness.Get(hash, h.Token(hash, jti: "t-whole")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{hash}\"", response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("bytes", string.Join(",", response.Headers.AcceptRanges));
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString().Replace(" ", "").Replace(",", ", "));
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        await Eventually.TrueAsync(() => h.Recorder.Served.Count == 1, "recorded");
        var served = Assert.Single(h.Recorder.Served);
        Assert.Equal("t-whole", served.Jti);
        Assert.Equal(ChunkHash.Parse(hash), served.Hash);
        Assert.Equal(data.Length, served.Bytes);
        Assert.Equal(data.Length, h.Traffic.BytesServed);
        Assert.Equal(1, h.Traffic.Requests);
        Assert.Equal(0, h.Traffic.ActiveConnections);
    }

    [Fact]
    public async Task Token_in_the_query_works_and_uppercase_hex_names_the_same_chunk()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, data) = h.AddChunk(1000);
        using var client = h.Client();

        using var response = await client.GetAsync($"chunks/{hash.ToUpperInvariant()}?t={h.Token(hash)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{hash}\"", response.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Header_and_query_with_different_tokens_is_400_and_the_same_token_twice_is_fine()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(1000);
        using var client = h.Client();
        var token = h.Token(hash);

        using var twoTokens = new HttpRequestMessage(HttpMethod.Get, $"chunks/{hash}?t={h.Token(hash, jti: "other")}");
        twoTokens.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await client.SendAsync(twoTokens);
        using var same = new HttpRequestMessage(HttpMethod.Get, $"chunks/{hash}?t={token}");
        same.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var accepted = await client.SendAsync(same);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Head_sends_the_headers_only_and_is_not_traffic()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, data) = h.AddChunk(5000);
        using var client = h.Client();

        using var response = await client.SendAsync(ChunkServerHarness.Get(hash, h.Token(hash), HttpMethod.Head));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data.Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(h.Recorder.Served);
        Assert.Equal(0, h.Traffic.Requests);
    }

    [Fact]
    public async Task If_none_match_with_the_etag_is_304()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(5000);
        using var client = h.Client();
        using var request = ChunkServerHarness.Get(hash, h.Token(hash));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{hash}\""));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(h.Recorder.Served);
    }

    [Theory]
    [InlineData("bytes=0-99", 206, 0, 100)]
    [InlineData("bytes=9900-", 206, 9900, 100)]
    [InlineData("bytes=-10", 206, 9990, 10)]
    [InlineData("bytes=9990-20000", 206, 9990, 10)]
    [InlineData("bytes=0-1,5-9", 200, 0, 10000)]
    [InlineData("bytes=x-y", 200, 0, 10000)]
    [InlineData("bytes=10000-", 416, 0, 0)]
    public async Task Ranges(string range, int status, int start, int length)
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, data) = h.AddChunk(10_000);
        await using var raw = await RawHttpClient.ConnectAsync(h.Port);

        await raw.SendAsync($"GET /chunks/{hash} HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer {h.Token(hash)}\r\nRange: {range}\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        if (status == 206)
        {
            Assert.Equal($"bytes {start}-{start + length - 1}/10000", response.Headers["Content-Range"]);
            Assert.Equal(data.AsSpan(start, length).ToArray(), response.Body);
        }
        else if (status == 416)
        {
            Assert.Equal("bytes */10000", response.Headers["Content-Range"]);
        }
        else
        {
            Assert.Equal(data, response.Body);
        }
        // The connection stays usable after every answer.
        await raw.SendAsync($"HEAD /chunks/{hash} HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer {h.Token(hash)}\r\n\r\n");
        Assert.Equal(200, (await raw.ReadResponseAsync(toHead: true)).Status);
    }

    [Fact]
    public async Task If_range_with_another_etag_sends_the_whole_chunk()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, data) = h.AddChunk(1000);
        using var client = h.Client();
        using var request = ChunkServerHarness.Get(hash, h.Token(hash));
        request.Headers.Range = new RangeHeaderValue(0, 9);
        request.Headers.IfRange = new RangeConditionHeaderValue("\"other\"");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_chunk_is_404_and_no_disk_is_503_with_retry_after_but_only_with_a_token()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var missing = new string('a', 64);
        using var client = h.Client();

        using var notFound = await client.SendAsync(ChunkServerHarness.Get(missing, h.Token(missing)));
        using var noToken = await client.SendAsync(ChunkServerHarness.Get(missing, null));
        h.Reader.Unavailable = true;
        using var noDisk = await client.SendAsync(ChunkServerHarness.Get(missing, h.Token(missing)));
        using var noDiskNoToken = await client.SendAsync(ChunkServerHarness.Get(missing, null));

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal("Bearer", noToken.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, noDisk.StatusCode);
        Assert.NotNull(noDisk.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, noDiskNoToken.StatusCode);
    }

    public static TheoryData<string, int> Tokens()
    {
        var hash = new string('b', 64);
        return new()
        {
            { "none", 401 }, { "hs256", 401 }, { "oversized", 401 }, { "garbage", 401 }, { "unknown-kid", 401 },
            { "bad-signature", 401 }, { "expired", 403 }, { "not-yet", 403 }, { "other-chunk", 403 }, { "other-box", 403 },
            { "this-box", 200 }, { "no-kid-default-key", 200 },
        };
    }

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task Token_cases(string kind, int status)
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(100);
        var (otherHash, _) = h.AddChunk(101);
        var soon = DateTimeOffset.UtcNow.AddMinutes(5);
        var k1 = h.Scheduler.K1;
        string token = kind switch
        {
            "none" => SchedulerKeys.MintNone(hash),
            "hs256" => SchedulerKeys.MintHs256(hash),
            "oversized" => SchedulerKeys.Mint(k1, "k1", hash, soon, jti: new string('j', 5000)),
            "garbage" => "not.a.jwt",
            "unknown-kid" => SchedulerKeys.Mint(k1, "k9", hash, soon),
            "bad-signature" => SchedulerKeys.Mint(h.Scheduler.K2, "k1", hash, soon),
            "expired" => SchedulerKeys.Mint(k1, "k1", hash, DateTimeOffset.UtcNow.AddMinutes(-5)),
            "not-yet" => SchedulerKeys.Mint(k1, "k1", hash, soon.AddHours(1), nbf: soon),
            "other-chunk" => SchedulerKeys.Mint(k1, "k1", otherHash, soon),
            "other-box" => SchedulerKeys.Mint(k1, "k1", hash, soon, box: "box-elsewhere"),
            "this-box" => SchedulerKeys.Mint(k1, "k1", hash, soon, box: ChunkServerHarness.BoxId),
            "no-kid-default-key" => SchedulerKeys.Mint(h.Scheduler.Default, null, hash, soon),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        using var client = h.Client();

        // Twice: the second answer may come from the token cache and must not differ.
        for (int i = 0; i < 2; i++)
        {
            using var response = await client.SendAsync(ChunkServerHarness.Get(hash, token));
            Assert.Equal(status, (int)response.StatusCode);
        }
        if (status == 401)
            Assert.Equal(0, h.Endpoint.Tokens.Count);
    }

    [Fact]
    public async Task Kid_rotation_takes_effect_at_once_even_for_cached_tokens()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(100);
        var soon = DateTimeOffset.UtcNow.AddMinutes(5);
        var oldToken = SchedulerKeys.Mint(h.Scheduler.K1, "k1", hash, soon);
        var newToken = SchedulerKeys.Mint(h.Scheduler.K2, "k2", hash, soon);
        using var client = h.Client();
        async Task<int> StatusOf(string token)
        {
            using var response = await client.SendAsync(ChunkServerHarness.Get(hash, token));
            return (int)response.StatusCode;
        }

        Assert.Equal(200, await StatusOf(oldToken));
        Assert.Equal(401, await StatusOf(newToken));
        h.UseKeys(h.Scheduler.Keys(("k1", h.Scheduler.K1), ("k2", h.Scheduler.K2)));
        Assert.Equal(200, await StatusOf(oldToken));
        Assert.Equal(200, await StatusOf(newToken));
        h.UseKeys(h.Scheduler.Keys(("k2", h.Scheduler.K2)));
        Assert.Equal(401, await StatusOf(oldToken));
        Assert.Equal(200, await StatusOf(newToken));
    }

    [Fact]
    public async Task A_cached_token_still_grants_only_its_own_chunk()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(100);
        var (other, _) = h.AddChunk(100);
        var token = h.Token(hash);
        using var client = h.Client();

        using var first = await client.SendAsync(ChunkServerHarness.Get(hash, token));
        using var wrong = await client.SendAsync(ChunkServerHarness.Get(other, token));
        using var tampered = await client.SendAsync(ChunkServerHarness.Get(hash, token[..^2] + (token[^2] == 'A' ? "BA" : "AA")));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
    }

    [Theory]
    [InlineData("/chunks/../status.json", 400)]
    [InlineData("/chunks/%2E%2E/status.json", 400)]
    [InlineData("/chunks/aa%2Fbb", 400)]
    [InlineData("/chunks/aa%00", 400)]
    [InlineData("/chunks/", 404)]
    [InlineData("/chunks/abc", 404)]
    [InlineData("/chunks/HASH/", 404)]
    [InlineData("/chunks/HASH/extra", 404)]
    [InlineData("/chunks/HASHa", 404)]
    [InlineData("/chunks/gHASH-1", 404)]
    [InlineData("/chunks", 404)]
    public async Task Path_tricks_are_refused(string path, int status)
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(100);
        path = path.Replace("HASH-1", hash[1..]).Replace("HASH", hash);
        await using var raw = await RawHttpClient.ConnectAsync(h.Port);

        await raw.SendAsync($"GET {path} HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer {h.Token(hash)}\r\n\r\n");

        Assert.Equal(status, (await raw.ReadResponseAsync()).Status);
        Assert.Empty(h.Recorder.Served);
    }

    [Fact]
    public async Task A_client_that_aborts_mid_body_is_recorded_once_for_less_than_the_chunk()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (hash, _) = h.AddChunk(32 * 1024 * 1024);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.ReceiveBufferSize = 64 * 1024;
            await socket.ConnectAsync(IPAddress.Loopback, h.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /chunks/{hash} HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer {h.Token(hash)}\r\n\r\n"));
            var buffer = new byte[64 * 1024];
            long received = 0;
            while (received < 1024 * 1024)
                received += await socket.ReceiveAsync(buffer);
            // Reset instead of a clean close, and with unread data: the server's next send fails.
            socket.LingerState = new LingerOption(true, 0);
        }

        await Eventually.TrueAsync(() => h.Recorder.Served.Count == 1, "the aborted response is recorded");
        var served = Assert.Single(h.Recorder.Served);
        Assert.InRange(served.Bytes, 1024 * 1024 - 1024, 32L * 1024 * 1024 - 1);
        Assert.Equal(served.Bytes, h.Traffic.BytesServed);
        Assert.Equal(0, h.Traffic.ActiveConnections);
        // What the server says it sent is about what fits in flight: at most
        // the socket buffers (a few MiB on loopback) beyond what the client read.
        Assert.True(served.Bytes < 16 * 1024 * 1024, $"recorded {served.Bytes}");
    }

    [Fact]
    public async Task A_slow_disk_read_does_not_stall_other_requests()
    {
        await using var h = await ChunkServerHarness.StartAsync();
        var (slow, _) = h.AddChunk(100);
        var (fast, _) = h.AddChunk(100);
        h.Reader.SlowChunk = ChunkHash.Parse(slow);
        h.Reader.Delay = TimeSpan.FromSeconds(5);
        using var client = h.Client();

        var slowResponse = client.SendAsync(ChunkServerHarness.Get(slow, h.Token(slow)));
        await Task.Yield();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(ChunkServerHarness.Get(fast, h.Token(fast)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var fastTime = watch.Elapsed;
        Assert.False(slowResponse.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(4), "the slow read was not slow");
        using (var response = await slowResponse)
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(fastTime < TimeSpan.FromSeconds(4), $"fast requests took {fastTime}");
    }
}
