using System.Globalization;
using Box.Agent.Http;
using Box.Store;
using Microsoft.Win32.SafeHandles;

namespace Box.Agent.Serving;

/// <summary><c>GET</c>/<c>HEAD /chunks/{sha256}</c> (docs/contract.md §4.2).
/// Order: path (64 hex digits, either case, nothing after; else 404), token
/// (before anything about the store is revealed: 401/403), store (404, 503),
/// then conditionals and range. The path cannot smuggle anything past this:
/// the request parser already refused dot segments, encoded slashes and
/// control characters with 400. A chunk is immutable and named by its hash,
/// so it is cacheable forever and its ETag is the hash.
/// Every GET answered with chunk bytes (200/206, complete or cut off) is
/// recorded exactly once with the body bytes that left; HEAD, 304 and errors
/// are not traffic.</summary>
public sealed class ChunkEndpoint
{
    public const string Prefix = "/chunks/";
    private const string OctetStream = "application/octet-stream";
    private const string TextPlain = "text/plain; charset=utf-8";
    private const string Immutable = "public, max-age=31536000, immutable";

    private static readonly byte[] BadPath = "404 Not Found: chunk paths are /chunks/<sha256 as 64 hex digits>\n"u8.ToArray();
    private static readonly byte[] NotStored = "404 Not Found: chunk not stored here\n"u8.ToArray();
    private static readonly byte[] TwoTokens = "400 Bad Request: the Authorization header and ?t= carry different tokens\n"u8.ToArray();
    private static readonly byte[] NoStore = "503 Service Unavailable: the chunk store is not available\n"u8.ToArray();
    private static readonly byte[] Unsatisfiable = "416 Range Not Satisfiable\n"u8.ToArray();

    private readonly ChunkServerOptions _options;
    private readonly string _retryAfter;

    public ChunkEndpoint(ChunkServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Tokens = new ChunkTokenCache(options.TokenCacheCapacity);
        _retryAfter = options.UnavailableRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }

    public ChunkTokenCache Tokens { get; }

    public async ValueTask HandleAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var path = request.Path;
        var hex = path.StartsWith(Prefix, StringComparison.Ordinal) ? path.AsSpan(Prefix.Length) : default;
        if (!ChunkHash.TryParse(hex, out var hash))
        {
            await response.SendAsync(404, TextPlain, BadPath, cancellationToken);
            return;
        }
        if (!ChunkRequestToken.TryGet(request, out var token))
        {
            await response.SendAsync(400, TextPlain, TwoTokens, cancellationToken);
            return;
        }
        var now = _options.Time.GetUtcNow();
        int status = Tokens.Check(_options.Verifier(), token, hash, hex, _options.BoxId, now, out var reason, out var grant);
        if (grant is null)
        {
            if (status == 401)
                response.SetHeader("WWW-Authenticate", token is null ? "Bearer" : "Bearer error=\"invalid_token\"");
            await response.SendTextAsync(status, TextPlain, $"{status} {HttpStatus.ReasonPhrase(status)}: {reason}\n", cancellationToken);
            return;
        }

        var read = Open(hash);
        if (read.Status == ChunkReadStatus.NotFound)
        {
            await response.SendAsync(404, TextPlain, NotStored, cancellationToken);
            return;
        }
        if (read.Status != ChunkReadStatus.Found || read.File is null)
        {
            response.SetHeader("Retry-After", _retryAfter);
            await response.SendAsync(503, TextPlain, NoStore, cancellationToken);
            return;
        }
        using var file = read.File;
        response.SetHeader("ETag", grant.ETag);
        response.SetHeader("Accept-Ranges", "bytes");
        response.SetHeader("Cache-Control", Immutable);
        if (ChunkConditionals.NoneMatch(request.GetHeader("If-None-Match"), grant.ETag))
        {
            await response.SendAsync(304, null, ReadOnlyMemory<byte>.Empty, cancellationToken);
            return;
        }
        var range = ByteRange.Parse(request.GetHeader("Range"), read.Length);
        if (range.Kind != ByteRangeKind.Whole && !ChunkConditionals.RangeStillApplies(request.GetHeader("If-Range"), grant.ETag))
            range = ByteRange.Whole(read.Length);
        if (range.Kind == ByteRangeKind.Unsatisfiable)
        {
            response.SetHeader("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes */{read.Length}"));
            await response.SendAsync(416, TextPlain, Unsatisfiable, cancellationToken);
            return;
        }
        int code = 200;
        if (range.Kind == ByteRangeKind.Partial)
        {
            code = 206;
            response.SetHeader("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{read.Length}"));
        }
        if (request.IsHead)
        {
            await response.SendFileAsync(code, OctetStream, file, range.Start, range.Length, cancellationToken);
            return;
        }
        await SendAsync(response, code, file, range, hash, grant.Claims.Jti, cancellationToken);
    }

    private async ValueTask SendAsync(HttpResponse response, int code, SafeFileHandle file, ByteRange range, ChunkHash hash, string jti,
        CancellationToken cancellationToken)
    {
        var traffic = _options.Traffic;
        traffic?.OpenConnection();
        try
        {
            await response.SendFileAsync(code, OctetStream, file, range.Start, range.Length, Throttle(response), cancellationToken);
        }
        finally
        {
            long sent = response.BodyBytesSent;
            if (traffic is not null)
            {
                traffic.CloseConnection();
                traffic.AddBytesServed(sent);
                traffic.AddRequest();
            }
            Record(new ServedRequest(jti, hash, sent, _options.Time.GetUtcNow()));
        }
    }

    private ChunkRead Open(ChunkHash hash)
    {
        try
        {
            return _options.Reader.OpenRead(hash);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _options.Log?.Invoke($"chunk {hash}: read failed: {e.Message}");
            return ChunkRead.Unavailable(e.Message);
        }
    }

    /// <summary>The connection's throttle, made on its first chunk response.</summary>
    private ISendThrottle? Throttle(HttpResponse response)
    {
        if (_options.Limiter is not { } limiter)
            return null;
        if (response.ConnectionState is ISendThrottle throttle)
            return throttle;
        throttle = limiter.CreateConnectionThrottle();
        response.ConnectionState = throttle;
        return throttle;
    }

    private void Record(in ServedRequest served)
    {
        if (_options.Recorder is not { } recorder)
            return;
        try
        {
            recorder.Record(served);
        }
        catch (Exception e)
        {
            // The seam says it never throws; if it does, serving goes on.
            _options.Log?.Invoke($"serve recorder failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
