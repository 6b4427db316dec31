using System.Text;

namespace Box.Agent.Http;

/// <summary>Strict HTTP/1.x request-head parser (RFC 9112) for a server that
/// only serves GET and HEAD. It works on raw bytes, never buffers more than
/// the limits allow, and throws <see cref="HttpParseException"/> with the
/// status to answer. Deliberate choices:
/// lines end in CRLF only (a bare CR or LF is 400); obsolete line folding is
/// 400; a request body (Content-Length &gt; 0 or any Transfer-Encoding) is 400
/// and the connection is closed, because reading and discarding bodies is
/// attack surface this server has no use for; the path is not "repaired":
/// "." and ".." segments, "//", encoded slashes or backslashes, NUL and other
/// control characters are 400 rather than rewritten.</summary>
internal static class HttpRequestParser
{
    internal const string Get = "GET";
    internal const string Head = "HEAD";
    internal const string AllowedMethods = "GET, HEAD";

    private static readonly Version Http10 = new(1, 0);
    private static readonly Version Http11 = new(1, 1);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Index just past the blank line that ends the head, or -1.
    /// <paramref name="searchFrom"/> is how far an earlier call already looked.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> data, int searchFrom)
    {
        int from = Math.Clamp(searchFrom - 3, 0, data.Length);
        int at = data[from..].IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : from + at + 4;
    }

    /// <summary>Checks a head that is not complete yet, so that a client
    /// cannot make the server buffer past the limits or wait for the header
    /// timeout on bytes that can never become a request.</summary>
    public static void CheckIncomplete(ReadOnlySpan<byte> data, HttpServerLimits limits)
    {
        int lineEnd = data.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? data : data[..lineEnd];
        // Trailing CR may be the first half of the CRLF still to come.
        if (lineEnd < 0 && line.Length > 0 && line[^1] == (byte)'\r')
            line = line[..^1];
        foreach (byte b in line)
        {
            if (b < 0x20 || b > 0x7E)
                throw new HttpParseException(400, "request line contains a control or non-ASCII byte");
        }
        int methodEnd = line.IndexOf((byte)' ');
        var method = methodEnd < 0 ? line : line[..methodEnd];
        foreach (byte b in method)
        {
            if (!IsTokenChar(b))
                throw new HttpParseException(400, "malformed method");
        }
        if (lineEnd < 0)
        {
            if (line.Length > limits.MaxRequestLineBytes)
                throw new HttpParseException(414, "request line too long");
            return;
        }
        if (lineEnd > limits.MaxRequestLineBytes)
            throw new HttpParseException(414, "request line too long");
        if (data.Length - (lineEnd + 2) >= limits.MaxHeaderBytes + 2)
            throw new HttpParseException(431, "header section too large");
    }

    /// <summary>Parses a complete head: <paramref name="head"/> ends with the
    /// blank line (as found by <see cref="FindHeadEnd"/>).</summary>
    public static HttpRequest Parse(ReadOnlySpan<byte> head, HttpServerLimits limits)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd > limits.MaxRequestLineBytes)
            throw new HttpParseException(414, "request line too long");
        ParseRequestLine(head[..lineEnd], out var method, out var rawTarget, out var version);

        var section = head[(lineEnd + 2)..^2];
        if (section.Length > limits.MaxHeaderBytes)
            throw new HttpParseException(431, "header section too large");
        var headers = ParseHeaders(section, limits.MaxHeaderCount);

        string methodName;
        if (method.SequenceEqual("GET"u8))
            methodName = Get;
        else if (method.SequenceEqual("HEAD"u8))
            methodName = Head;
        else
            throw new HttpParseException(405, "method not allowed");

        string target = Encoding.ASCII.GetString(rawTarget);
        int queryStart = rawTarget.IndexOf((byte)'?');
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? ReadOnlySpan<byte>.Empty : rawTarget[(queryStart + 1)..];
        string path = DecodePath(rawPath);
        var query = ParseQuery(rawQuery);

        bool keepAlive = CheckFraming(headers, version);
        return new HttpRequest(methodName, target, path, Encoding.ASCII.GetString(rawQuery), query, version, headers, keepAlive);
    }

    private static void ParseRequestLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> method, out ReadOnlySpan<byte> target, out Version version)
    {
        int firstSpace = line.IndexOf((byte)' ');
        int lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
            throw new HttpParseException(400, "malformed request line");
        method = line[..firstSpace];
        target = line[(firstSpace + 1)..lastSpace];
        var versionText = line[(lastSpace + 1)..];
        foreach (byte b in method)
        {
            if (!IsTokenChar(b))
                throw new HttpParseException(400, "malformed method");
        }
        foreach (byte b in target)
        {
            if (b <= 0x20 || b >= 0x7F)
                throw new HttpParseException(400, "malformed request target");
        }
        if (versionText.Length != 8 || !versionText.StartsWith("HTTP/"u8) || !IsDigit(versionText[5]) || versionText[6] != (byte)'.' || !IsDigit(versionText[7]))
            throw new HttpParseException(400, "malformed HTTP version");
        if (versionText[5] != (byte)'1' || (versionText[7] != (byte)'0' && versionText[7] != (byte)'1'))
            throw new HttpParseException(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        version = versionText[7] == (byte)'1' ? Http11 : Http10;
        if (target[0] != (byte)'/')
            throw new HttpParseException(400, "request target must be an absolute path");
        if (target.Contains((byte)'#'))
            throw new HttpParseException(400, "request target must not contain a fragment");
    }

    private static List<KeyValuePair<string, string>> ParseHeaders(ReadOnlySpan<byte> section, int maxCount)
    {
        var headers = new List<KeyValuePair<string, string>>();
        while (!section.IsEmpty)
        {
            int end = section.IndexOf("\r\n"u8);
            var line = section[..end];
            section = section[(end + 2)..];
            if (headers.Count == maxCount)
                throw new HttpParseException(431, "too many header fields");
            if (line.IsEmpty || line[0] == (byte)' ' || line[0] == (byte)'\t')
                throw new HttpParseException(400, "obsolete line folding or empty header line");
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
                throw new HttpParseException(400, "malformed header field");
            var name = line[..colon];
            foreach (byte b in name)
            {
                if (!IsTokenChar(b))
                    throw new HttpParseException(400, "malformed header field name");
            }
            var value = line[(colon + 1)..].Trim(" \t"u8);
            foreach (byte b in value)
            {
                if (b < 0x20 && b != (byte)'\t' || b == 0x7F)
                    throw new HttpParseException(400, "control character in header value");
            }
            headers.Add(new(Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value)));
        }
        return headers;
    }

    /// <summary>Validates Host and body framing; returns whether the client
    /// wants the connection kept open.</summary>
    private static bool CheckFraming(List<KeyValuePair<string, string>> headers, Version version)
    {
        int hosts = 0;
        bool close = false, keepAlive = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpParseException(400, "request bodies are not accepted");
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var part in value.Split(','))
                {
                    var digits = part.Trim(' ', '\t');
                    if (digits.Length == 0 || digits.Any(c => c is < '0' or > '9'))
                        throw new HttpParseException(400, "invalid Content-Length");
                    if (digits.TrimStart('0').Length > 0)
                        throw new HttpParseException(400, "request bodies are not accepted");
                }
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var part in value.Split(','))
                {
                    var option = part.Trim(' ', '\t');
                    close |= option.Equals("close", StringComparison.OrdinalIgnoreCase);
                    keepAlive |= option.Equals("keep-alive", StringComparison.OrdinalIgnoreCase);
                }
            }
        }
        if (hosts > 1 || (hosts == 0 && version == Http11))
            throw new HttpParseException(400, "HTTP/1.1 requests need exactly one Host header");
        return !close && (version == Http11 || keepAlive);
    }

    private static string DecodePath(ReadOnlySpan<byte> raw)
    {
        var bytes = PercentDecode(raw, plusIsSpace: false, rejectSlash: true, "path");
        string path;
        try
        {
            path = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new HttpParseException(400, "path is not valid UTF-8");
        }
        // Segments after the leading '/'; the last may be empty ("/a/").
        var rest = path.AsSpan(1);
        while (true)
        {
            int slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment is "." or "..")
                throw new HttpParseException(400, "path contains a dot segment");
            if (slash < 0)
                break;
            if (segment.IsEmpty)
                throw new HttpParseException(400, "path contains an empty segment");
            rest = rest[(slash + 1)..];
        }
        return path;
    }

    private static Dictionary<string, string> ParseQuery(ReadOnlySpan<byte> raw)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!raw.IsEmpty)
        {
            int amp = raw.IndexOf((byte)'&');
            var pair = amp < 0 ? raw : raw[..amp];
            raw = amp < 0 ? ReadOnlySpan<byte>.Empty : raw[(amp + 1)..];
            if (pair.IsEmpty)
                continue;
            int eq = pair.IndexOf((byte)'=');
            var name = DecodeQueryPart(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : DecodeQueryPart(pair[(eq + 1)..]);
            query.TryAdd(name, value);
        }
        return query;
    }

    private static string DecodeQueryPart(ReadOnlySpan<byte> raw)
    {
        var bytes = PercentDecode(raw, plusIsSpace: true, rejectSlash: false, "query");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new HttpParseException(400, "query is not valid UTF-8");
        }
    }

    private static byte[] PercentDecode(ReadOnlySpan<byte> raw, bool plusIsSpace, bool rejectSlash, string part)
    {
        var output = new byte[raw.Length];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= raw.Length || !TryHex(raw[i + 1], out int hi) || !TryHex(raw[i + 2], out int lo))
                    throw new HttpParseException(400, $"malformed percent-encoding in {part}");
                b = (byte)(hi << 4 | lo);
                i += 2;
                if (rejectSlash && (b == (byte)'/' || b == (byte)'\\'))
                    throw new HttpParseException(400, "path contains an encoded slash");
            }
            else if (b == (byte)'+' && plusIsSpace)
            {
                b = (byte)' ';
            }
            else if (b == (byte)'\\' && rejectSlash)
            {
                throw new HttpParseException(400, "path contains a backslash");
            }
            if (b < 0x20 || b == 0x7F)
                throw new HttpParseException(400, $"control character in {part}");
            output[n++] = b;
        }
        return output.AsSpan(0, n).ToArray();
    }

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // RFC 9110 tchar.
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || "!#$%&'*+-.^_`|~"u8.Contains(b);
}
