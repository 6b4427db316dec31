using System.Net;
using System.Net.Sockets;
using System.Text;
using Box.Agent.Http;

namespace Box.Agent.Tests.Http;

public class HttpServerTests
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Serves_get_and_reports_the_bound_ephemeral_port()
    {
        await using var server = await TestServer.StartAsync();

        Assert.NotEqual(0, server.Port);
        using var response = await server.Client.GetAsync("status.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Date.HasValue);
        Assert.Equal("box-agent", response.Headers.Server.ToString());
        Assert.Equal(1, server.Server.Counters.Requests);
        // Counted once the send completes, which the client may notice first.
        await TestServer.WaitUntilAsync(() => server.Server.Counters.BytesSent > response.Content.Headers.ContentLength, "bytes counted");
    }

    [Fact]
    public async Task Oversized_request_line_gets_414_and_the_server_stays_up()
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync("GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: b\r\n\r\n");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(414, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Too_many_headers_get_431()
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();
        var head = new StringBuilder("GET /status HTTP/1.1\r\nHost: b\r\n");
        for (int i = 0; i < 100; i++)
            head.Append("X-H").Append(i).Append(": v\r\n");

        await raw.SendAsync(head.Append("\r\n").ToString());

        Assert.Equal(431, (await raw.ReadResponseAsync()).Status);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Oversized_header_section_gets_431_without_waiting_for_its_end()
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        // No blank line ever comes: the server must not wait for one.
        await raw.SendAsync("GET /status HTTP/1.1\r\nHost: b\r\nX-Big: " + new string('v', 17 * 1024));

        Assert.Equal(431, (await raw.ReadResponseAsync()).Status);
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Slowloris_headers_trickled_past_the_timeout_get_the_connection_closed()
    {
        await using var server = await TestServer.StartAsync(limits: new HttpServerLimits { HeaderTimeout = TimeSpan.FromSeconds(1) });
        await using var raw = await server.ConnectAsync();
        await raw.SendAsync("GET /status.json HTTP/1.1\r\nHost: b\r\n");

        var closed = raw.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        for (int i = 0; i < 300 && !closed.IsCompleted; i++)
        {
            try
            {
                await raw.SendAsync($"X-Slow-{i}: v\r\n");
            }
            catch (IOException)
            {
                break; // the server already closed
            }
            await Task.WhenAny(closed, Task.Delay(100));
        }

        Assert.True(await closed, "server kept a trickling client open");
        Assert.Equal(0, server.Server.Counters.Requests);
        await TestServer.WaitUntilAsync(() => server.Log.Any(l => l.Contains("408")), "the 408 log line");
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Idle_keep_alive_connection_is_closed_after_the_idle_timeout()
    {
        await using var server = await TestServer.StartAsync(limits: new HttpServerLimits { IdleTimeout = TimeSpan.FromMilliseconds(500) });
        await using var raw = await server.ConnectAsync();
        await raw.SendAsync("GET /status.json HTTP/1.1\r\nHost: b\r\n\r\n");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);

        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        await TestServer.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 0, "the connection slot to be freed");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync($"{method} /status HTTP/1.1\r\nHost: b\r\nContent-Length: 4\r\n\r\nbody");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Headers["Allow"]);
        await server.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/../../etc/passwd")]
    [InlineData("/status/../../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/chunks%2f..%2f..%2fetc")]
    [InlineData("/..%5c..%5cwindows")]
    [InlineData("/status%00.json")]
    public async Task Path_traversal_gets_400(string target)
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync($"GET {target} HTTP/1.1\r\nHost: b\r\n\r\n");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(400, response.Status);
        Assert.DoesNotContain("root:", response.Text);
        await server.AssertStillServesAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a })]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x0a, 0x0a })]
    public async Task Garbage_bytes_get_400_at_once(byte[] garbage)
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync(garbage);

        Assert.Equal(400, (await raw.ReadResponseAsync()).Status);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Random_garbage_never_kills_the_server()
    {
        await using var server = await TestServer.StartAsync(limits: new HttpServerLimits { HeaderTimeout = TimeSpan.FromSeconds(2) });
        var random = new Random(4711);
        for (int i = 0; i < 40; i++)
        {
            await using var raw = await server.ConnectAsync();
            var junk = new byte[random.Next(1, 4096)];
            random.NextBytes(junk);
            await raw.SendAsync(junk);
            Assert.True(await raw.WaitForCloseAsync(CloseWait), $"connection {i} stayed open");
        }
        await server.AssertStillServesAsync();
        Assert.True(server.Server.Counters.BadRequests >= 40);
    }

    [Theory]
    [InlineData("GET /status HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello", 400)]
    [InlineData("GET /status HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("GET /status HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /status HTTP/2.0\r\nHost: b\r\n\r\n", 505)]
    public async Task Bodies_missing_host_and_other_versions_are_refused(string request, int status)
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync(request);

        Assert.Equal(status, (await raw.ReadResponseAsync()).Status);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Http10_request_is_answered_and_closed()
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync("GET /status.json HTTP/1.0\r\n\r\n");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Headers["Connection"]);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_get_503_and_a_freed_slot_is_reused()
    {
        await using var server = await TestServer.StartAsync(limits: new HttpServerLimits { MaxConnections = 4 });
        var held = new List<RawHttpClient>();
        try
        {
            for (int i = 0; i < 4; i++)
                held.Add(await server.ConnectAsync());
            await TestServer.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 4, "4 open connections");

            for (int i = 0; i < 3; i++)
            {
                await using var extra = await server.ConnectAsync();
                await extra.SendAsync("GET /status.json HTTP/1.1\r\nHost: b\r\n\r\n");
                var refused = await extra.ReadResponseAsync();
                Assert.Equal(503, refused.Status);
                Assert.Equal("1", refused.Headers["Retry-After"]);
                Assert.True(await extra.WaitForCloseAsync(CloseWait));
            }
            Assert.Equal(3, server.Server.Counters.ConnectionsRejected);

            // The held connections are still served.
            await held[0].SendAsync("GET /status.json HTTP/1.1\r\nHost: b\r\n\r\n");
            Assert.Equal(200, (await held[0].ReadResponseAsync()).Status);

            await held[3].DisposeAsync();
            held.RemoveAt(3);
            await TestServer.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 3, "a freed slot");
            await server.AssertStillServesAsync();
        }
        finally
        {
            foreach (var client in held)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Many_concurrent_clients_get_200_or_503_and_nothing_leaks()
    {
        await using var server = await TestServer.StartAsync(limits: new HttpServerLimits { MaxConnections = 8 });
        var statuses = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            await using var raw = await server.ConnectAsync();
            await raw.SendAsync($"GET /status.json?n={i} HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n");
            var response = await raw.ReadResponseAsync();
            Assert.True(await raw.WaitForCloseAsync(CloseWait));
            return response.Status;
        }));

        Assert.All(statuses, s => Assert.True(s is 200 or 503, $"status {s}"));
        Assert.Contains(200, statuses);
        Assert.Equal(statuses.Count(s => s == 503), server.Server.Counters.ConnectionsRejected);
        await TestServer.WaitUntilAsync(() => server.Server.Counters.ActiveConnections == 0, "all connections to close");
        await server.AssertStillServesAsync();
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_and_head_has_no_body()
    {
        await using var server = await TestServer.StartAsync(routes: router =>
        {
            router.Map("/one", (_, r, ct) => r.SendTextAsync(200, "text/plain", "first body", ct));
            router.Map("/two", (_, r, ct) => r.SendTextAsync(200, "text/plain", "second, longer body", ct));
        });
        await using var raw = await server.ConnectAsync();

        await raw.SendAsync(
            "GET /one HTTP/1.1\r\nHost: b\r\n\r\n" +
            "HEAD /two HTTP/1.1\r\nHost: b\r\n\r\n" +
            "GET /two HTTP/1.1\r\nHost: b\r\n\r\n" +
            "GET /missing HTTP/1.1\r\nHost: b\r\n\r\n" +
            "GET /one HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n");

        var first = await raw.ReadResponseAsync();
        Assert.Equal("first body", first.Text);
        var head = await raw.ReadResponseAsync(toHead: true);
        Assert.Equal(200, head.Status);
        Assert.Equal("19", head.Headers["Content-Length"]);
        var second = await raw.ReadResponseAsync();
        Assert.Equal("second, longer body", second.Text); // a HEAD body would have shifted this
        Assert.Equal(404, (await raw.ReadResponseAsync()).Status);
        var last = await raw.ReadResponseAsync();
        Assert.Equal("first body", last.Text);
        Assert.Equal("close", last.Headers["Connection"]);
        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        Assert.Equal(0, raw.PendingBytes);
        Assert.Equal(5, server.Server.Counters.Requests);
    }

    [Fact]
    public async Task Head_sends_the_get_headers_without_a_body()
    {
        await using var server = await TestServer.StartAsync();

        using var get = await server.Client.GetAsync("status");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "status"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/html; charset=utf-8", head.Content.Headers.ContentType?.ToString());
        Assert.True(head.Content.Headers.ContentLength > 1000);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Handler_failures_become_500_and_the_connection_survives_for_others()
    {
        await using var server = await TestServer.StartAsync(routes: router =>
        {
            router.Map("/throws", (_, _, _) => throw new InvalidOperationException("boom"));
            router.Map("/silent", (_, _, _) => ValueTask.CompletedTask);
        });

        using var thrown = await server.Client.GetAsync("throws");
        using var silent = await server.Client.GetAsync("silent");

        Assert.Equal(HttpStatusCode.InternalServerError, thrown.StatusCode);
        Assert.DoesNotContain("boom", await thrown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, silent.StatusCode);
        Assert.Contains(server.Log, l => l.Contains("handler failed") && l.Contains("boom"));
        Assert.Contains(server.Log, l => l.Contains("handler sent no response"));
        await server.AssertStillServesAsync();
    }

    [Theory]
    [InlineData(FileOptions.Asynchronous)] // sendfile(2) path
    [InlineData(FileOptions.None)]         // buffered copy path
    public async Task Send_file_sends_exactly_the_range_and_counts_the_bytes(FileOptions options)
    {
        var path = Path.Combine(Path.GetTempPath(), $"box-http-{Guid.NewGuid():N}.bin");
        var content = new byte[3 * 1024 * 1024 + 517];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(path, content);
        const long offset = 1000, length = 2 * 1024 * 1024 + 333;
        var responseBytes = new System.Collections.Concurrent.ConcurrentQueue<long>();
        try
        {
            await using var server = await TestServer.StartAsync(routes: router => router.MapPrefix("/files/", async (req, r, ct) =>
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, options);
                r.SetHeader("ETag", "\"range\"");
                await r.SendFileAsync(200, "application/octet-stream", file, offset, length, ct);
                responseBytes.Enqueue(r.BytesSent);
            }));

            var before = server.Server.Counters.BytesSent;
            var body = await server.Client.GetByteArrayAsync("files/x");
            Assert.Equal(content.AsSpan((int)offset, (int)length).ToArray(), body);
            Assert.True(server.Server.Counters.BytesSent - before >= length);
            // The handler records after its last write; the client may see the end first.
            await TestServer.WaitUntilAsync(() => responseBytes.Count == 1, "the GET handler to finish");
            Assert.InRange(responseBytes.ToArray()[0], length + 100, length + 1000);

            using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "files/x"));
            Assert.Equal(length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.Equal("\"range\"", head.Headers.ETag?.ToString());
            await TestServer.WaitUntilAsync(() => responseBytes.Count == 2, "the HEAD handler to finish");
            Assert.InRange(responseBytes.ToArray()[1], 100, 1000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(FileOptions.Asynchronous)]
    [InlineData(FileOptions.None)]
    public async Task Send_file_that_is_shorter_than_announced_closes_the_connection(FileOptions options)
    {
        var path = Path.Combine(Path.GetTempPath(), $"box-http-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, new byte[100]);
        try
        {
            await using var server = await TestServer.StartAsync(routes: router => router.Map("/short", async (_, r, ct) =>
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, options);
                await r.SendFileAsync(200, "application/octet-stream", file, 0, 5000, ct);
            }));
            await using var raw = await server.ConnectAsync();

            await raw.SendAsync("GET /short HTTP/1.1\r\nHost: b\r\n\r\n");

            var failed = await Assert.ThrowsAsync<IOException>(() => raw.ReadResponseAsync());
            Assert.Contains("inside a response body", failed.Message);
            await server.AssertStillServesAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Router_prefers_exact_routes_then_the_longest_prefix()
    {
        await using var server = await TestServer.StartAsync(routes: router => router
            .MapPrefix("/a/", (_, r, ct) => r.SendTextAsync(200, "text/plain", "a", ct))
            .MapPrefix("/a/b/", (req, r, ct) => r.SendTextAsync(200, "text/plain", "ab:" + req.Path + ":" + req.Query.GetValueOrDefault("t"), ct))
            .Map("/a/b/exact", (_, r, ct) => r.SendTextAsync(200, "text/plain", "exact", ct)));

        Assert.Equal("a", await server.Client.GetStringAsync("a/x"));
        Assert.Equal("ab:/a/b/c d:x y", await server.Client.GetStringAsync("a/b/c%20d?t=x+y"));
        Assert.Equal("exact", await server.Client.GetStringAsync("a/b/exact"));
        using var missing = await server.Client.GetAsync("b/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Throws<ArgumentException>(() => new HttpRouter().MapPrefix("/nope", (_, r, ct) => ValueTask.CompletedTask));
    }

    [Fact]
    public async Task Response_headers_cannot_split_the_response()
    {
        await using var server = await TestServer.StartAsync(routes: router => router.Map("/split", (req, r, ct) =>
        {
            Assert.Throws<ArgumentException>(() => r.SetHeader("X-Evil", "a\r\nSet-Cookie: x=1"));
            Assert.Throws<ArgumentException>(() => r.SetHeader("Content-Length", "5"));
            Assert.Throws<ArgumentException>(() => r.SetHeader("Bad Name", "v"));
            return r.SendTextAsync(200, "text/plain", "ok", ct);
        }));

        using var response = await server.Client.GetAsync("split");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Stop_closes_open_connections_and_the_port()
    {
        var server = await TestServer.StartAsync();
        int port = server.Port;
        await using var raw = await server.ConnectAsync();
        await raw.SendAsync("GET /status.json HTTP/1.1\r\nHost: b\r\n\r\n");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);

        await server.DisposeAsync();

        Assert.True(await raw.WaitForCloseAsync(CloseWait));
        Assert.Equal(0, server.Server.Counters.ActiveConnections);
        using var probe = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Binding_a_port_in_use_fails_with_a_message_naming_it()
    {
        await using var first = await TestServer.StartAsync();
        var endpoint = new IPEndPoint(IPAddress.Loopback, first.Port);
        await using var second = new HttpServer(endpoint, new HttpRouter());

        var error = await Assert.ThrowsAsync<HttpServerException>(() => second.StartAsync());
        Assert.Contains($"127.0.0.1:{first.Port}", error.Message);
    }

    [Fact]
    public void Invalid_limits_are_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), new HttpRouter(), new HttpServerLimits { MaxConnections = 0 }));
        Assert.Contains("MaxConnections", error.Message);
    }
}
