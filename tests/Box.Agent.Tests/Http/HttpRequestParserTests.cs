using System.Text;
using Box.Agent.Http;

namespace Box.Agent.Tests.Http;

public class HttpRequestParserTests
{
    private static readonly HttpServerLimits Limits = new();

    private static HttpRequest Parse(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head);
        int end = HttpRequestParser.FindHeadEnd(bytes, 0);
        Assert.Equal(bytes.Length, end);
        return HttpRequestParser.Parse(bytes, Limits);
    }

    private static int StatusOf(string head) => Assert.Throws<HttpParseException>(() => Parse(head)).StatusCode;

    [Fact]
    public void Parses_method_path_query_version_and_headers()
    {
        var request = Parse("GET /chunks/ab%20cd?t=tok%2Ben&x=a+b&flag&t=second HTTP/1.1\r\nHost: box\r\nX-Thing:  spaced value \t\r\n\r\n");

        Assert.Equal("GET", request.Method);
        Assert.False(request.IsHead);
        Assert.Equal("/chunks/ab cd", request.Path);
        Assert.Equal("/chunks/ab%20cd?t=tok%2Ben&x=a+b&flag&t=second", request.Target);
        Assert.Equal("t=tok%2Ben&x=a+b&flag&t=second", request.RawQuery);
        Assert.Equal("tok+en", request.Query["t"]);
        Assert.Equal("a b", request.Query["x"]);
        Assert.Equal("", request.Query["flag"]);
        Assert.Equal(new Version(1, 1), request.Version);
        Assert.Equal("spaced value", request.GetHeader("x-thing"));
        Assert.Equal("box", request.GetHeader("HOST"));
        Assert.Null(request.GetHeader("Missing"));
        Assert.True(request.KeepAlive);
    }

    [Fact]
    public void Decodes_utf8_path()
    {
        Assert.Equal("/caf\u00e9", Parse("HEAD /caf%C3%A9 HTTP/1.1\r\nHost: b\r\n\r\n").Path);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    public void Keep_alive_follows_version_and_connection_header(string head, bool keepAlive)
    {
        Assert.Equal(keepAlive, Parse(head).KeepAlive);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: b\r\n\r\n", 405)]
    [InlineData("get / HTTP/1.1\r\nHost: b\r\n\r\n", 405)]
    [InlineData("GET / HTTP/2.0\r\nHost: b\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.2\r\nHost: b\r\n\r\n", 505)]
    [InlineData("GET / HTTX/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET /  HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET  / HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET http://evil/ HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET * HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET /a#frag HTTP/1.1\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\n folded\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost : b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nX: a\u0000b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nX: a\nY: b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nContent-Length: 0, 7\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    public void Refuses_malformed_or_unsupported_requests(string head, int status)
    {
        Assert.Equal(status, StatusOf(head));
    }

    [Fact]
    public void Accepts_zero_content_length()
    {
        Assert.Equal("/", Parse("GET / HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\n\r\n").Path);
    }

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/status/../status")]
    [InlineData("/./status")]
    [InlineData("/%2e%2e/etc/passwd")]
    [InlineData("/%2E/x")]
    [InlineData("/a%2Fb")]
    [InlineData("/a%2fb")]
    [InlineData("/a%5Cb")]
    [InlineData("/a\\b")]
    [InlineData("/a%00b")]
    [InlineData("/a%0d%0aSet-Cookie:x")]
    [InlineData("//status")]
    [InlineData("/a//b")]
    [InlineData("/a%zz")]
    [InlineData("/a%4")]
    [InlineData("/%ff%fe")]
    [InlineData("/x?a=%00")]
    [InlineData("/x?a=%G1")]
    public void Refuses_paths_that_are_not_normalized(string target)
    {
        Assert.Equal(400, StatusOf($"GET {target} HTTP/1.1\r\nHost: b\r\n\r\n"));
    }

    [Fact]
    public void Allows_a_trailing_slash_and_dots_inside_names()
    {
        Assert.Equal("/a/", Parse("GET /a/ HTTP/1.1\r\nHost: b\r\n\r\n").Path);
        Assert.Equal("/status.json", Parse("GET /status.json HTTP/1.1\r\nHost: b\r\n\r\n").Path);
        Assert.Equal("/..a/b..", Parse("GET /..a/b.. HTTP/1.1\r\nHost: b\r\n\r\n").Path);
    }

    [Fact]
    public void Counts_header_fields_against_the_limit()
    {
        var limits = new HttpServerLimits { MaxHeaderCount = 3 };
        var ok = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: b\r\nA: 1\r\nB: 2\r\n\r\n");
        var tooMany = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: b\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");

        Assert.Equal(3, HttpRequestParser.Parse(ok, limits).Headers.Count);
        Assert.Equal(431, Assert.Throws<HttpParseException>(() => HttpRequestParser.Parse(tooMany, limits)).StatusCode);
    }

    [Fact]
    public void Incomplete_heads_fail_as_soon_as_they_break_a_limit()
    {
        var limits = new HttpServerLimits { MaxRequestLineBytes = 32, MaxHeaderBytes = 64 };
        HttpRequestParser.CheckIncomplete(Encoding.ASCII.GetBytes("GET /" + new string('a', 27)), limits);
        HttpRequestParser.CheckIncomplete(Encoding.ASCII.GetBytes("GET /" + new string('a', 27) + "\r"), limits);

        var longLine = Encoding.ASCII.GetBytes("GET /" + new string('a', 28));
        Assert.Equal(414, Assert.Throws<HttpParseException>(() => HttpRequestParser.CheckIncomplete(longLine, limits)).StatusCode);

        var bigHeaders = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: " + new string('v', 63));
        Assert.Equal(431, Assert.Throws<HttpParseException>(() => HttpRequestParser.CheckIncomplete(bigHeaders, limits)).StatusCode);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 })] // a TLS ClientHello
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)'\n' })] // bare LF
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', 0x00 })]
    [InlineData(new byte[] { (byte)'G', (byte)'(', (byte)' ' })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ', 0xC3, 0xA9 })]
    public void Garbage_is_refused_before_the_head_is_complete(byte[] data)
    {
        Assert.Equal(400, Assert.Throws<HttpParseException>(() => HttpRequestParser.CheckIncomplete(data, Limits)).StatusCode);
    }

    [Fact]
    public void Finds_the_head_end_when_resuming_a_search()
    {
        var bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: b\r\n\r\nGET /next");
        int firstEnd = "GET / HTTP/1.1\r\nHost: b\r\n\r\n".Length;
        Assert.Equal(-1, HttpRequestParser.FindHeadEnd(bytes.AsSpan(0, firstEnd - 1), 0));
        // Resuming after 3 of the 4 terminator bytes were seen still finds it.
        Assert.Equal(firstEnd, HttpRequestParser.FindHeadEnd(bytes, firstEnd - 1));
    }
}
