using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Box.Agent.Hosting;
using Box.Agent.Http;
using Box.Agent.Serving;
using Box.Protocol.Tokens;
using Box.Store;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Box.Agent.Tests.Serving;

/// <summary>Chunks as files named by their hash in a real directory, opened
/// for asynchronous I/O like the store does. <see cref="Unavailable"/>
/// plays "no disk"; <see cref="Delay"/> plays a slow disk for one chunk.</summary>
internal sealed class DirectoryChunkReader(string directory) : IChunkReader
{
    public volatile bool Unavailable;
    public ChunkHash? SlowChunk;
    public TimeSpan Delay;

    public ChunkRead OpenRead(ChunkHash hash)
    {
        if (Unavailable)
            return ChunkRead.Unavailable("no disk");
        if (SlowChunk == hash)
            Thread.Sleep(Delay);
        var path = Path.Combine(directory, hash.ToString());
        if (!File.Exists(path))
            return ChunkRead.NotFound;
        var file = ServingFile.Open(path, out long length);
        return new ChunkRead(ChunkReadStatus.Found, file, length, null);
    }
}

internal sealed class RecordingServeRecorder : IServeRecorder
{
    public ConcurrentQueue<ServedRequest> Served { get; } = new();

    public void Record(in ServedRequest served) => Served.Enqueue(served);
}

/// <summary>Scheduler keys and tokens minted with Microsoft.IdentityModel
/// (not our minter), so the server is checked against an ordinary JWT library.</summary>
internal sealed class SchedulerKeys : IDisposable
{
    public ECDsa Default { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public ECDsa K1 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public ECDsa K2 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public ChunkTokenKeys Keys(params (string Kid, ECDsa Key)[] byKid) =>
        ChunkTokenKeys.FromPem(Default.ExportSubjectPublicKeyInfoPem(),
            byKid.ToDictionary(k => k.Kid, k => k.Key.ExportSubjectPublicKeyInfoPem()));

    public static string Mint(ECDsa key, string? kid, string hash, DateTimeOffset exp, string jti = "jti-1", string? box = null, DateTimeOffset? nbf = null)
    {
        var claims = new Dictionary<string, object> { ["h"] = hash, ["jti"] = jti, ["exp"] = exp.ToUnixTimeSeconds() };
        if (box is not null)
            claims["box"] = box;
        if (nbf is { } notBefore)
            claims["nbf"] = notBefore.ToUnixTimeSeconds();
        var signingKey = new ECDsaSecurityKey(key) { KeyId = kid };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public static string MintHs256(string hash)
    {
        var secret = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["h"] = hash, ["jti"] = "hs", ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() },
            SigningCredentials = new SigningCredentials(secret, SecurityAlgorithms.HmacSha256),
        });
    }

    public static string MintNone(string hash) =>
        B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64($"{{\"h\":\"{hash}\",\"jti\":\"n\",\"exp\":{DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()}}}") + ".";

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    public void Dispose()
    {
        Default.Dispose();
        K1.Dispose();
        K2.Dispose();
    }
}

/// <summary>A real HTTP server with the chunk endpoint over a temp directory.</summary>
internal sealed class ChunkServerHarness : IAsyncDisposable
{
    public const string BoxId = "box-test-1";
    private readonly TempDir _dir = new("chunks");
    private ChunkTokenVerifier _verifier;

    private ChunkServerHarness(IPAddress bind, HttpServerLimits? limits, ServeRateLimiter? limiter)
    {
        Reader = new DirectoryChunkReader(_dir.Path);
        _verifier = new ChunkTokenVerifier(Scheduler.Keys(("k1", Scheduler.K1)), TimeProvider.System);
        Limiter = limiter;
        var router = new HttpRouter();
        Endpoint = router.MapChunks(new ChunkServerOptions
        {
            Reader = Reader,
            Verifier = () => Volatile.Read(ref _verifier),
            BoxId = BoxId,
            Recorder = Recorder,
            Traffic = Traffic,
            Limiter = limiter,
        });
        router.Map("/status.json", (_, response, ct) => response.SendTextAsync(200, "application/json", "{}", ct));
        Server = new HttpServer(new IPEndPoint(bind, 0), router, limits, Log.Enqueue);
    }

    public SchedulerKeys Scheduler { get; } = new();
    public DirectoryChunkReader Reader { get; }
    public RecordingServeRecorder Recorder { get; } = new();
    public ChunkTraffic Traffic { get; } = new();
    public ServeRateLimiter? Limiter { get; }
    public ChunkEndpoint Endpoint { get; }
    public HttpServer Server { get; }
    public ConcurrentQueue<string> Log { get; } = new();
    public int Port => Server.LocalEndPoint.Port;

    public static async Task<ChunkServerHarness> StartAsync(IPAddress? bind = null, HttpServerLimits? limits = null, ServeRateLimiter? limiter = null)
    {
        var harness = new ChunkServerHarness(bind ?? IPAddress.Loopback, limits, limiter);
        await harness.Server.StartAsync();
        return harness;
    }

    /// <summary>Replaces the scheduler keys, as a config reload does.</summary>
    public void UseKeys(ChunkTokenKeys keys) => Volatile.Write(ref _verifier, new ChunkTokenVerifier(keys, TimeProvider.System));

    /// <summary>Stores <paramref name="size"/> random bytes as a chunk; returns its hash and content.</summary>
    public (string Hash, byte[] Data) AddChunk(int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var hash = ChunkHash.Of(data).ToString();
        File.WriteAllBytes(Path.Combine(_dir.Path, hash), data);
        return (hash, data);
    }

    public string Token(string hash, TimeSpan? life = null, string jti = "jti-1", string? box = null) =>
        SchedulerKeys.Mint(Scheduler.K1, "k1", hash, DateTimeOffset.UtcNow + (life ?? TimeSpan.FromMinutes(5)), jti, box);

    public HttpClient Client(IPAddress? host = null)
    {
        var address = host ?? IPAddress.Loopback;
        var authority = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{authority}:{Port}/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public static HttpRequestMessage Get(string hash, string? token, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"chunks/{hash}");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Scheduler.Dispose();
        _dir.Dispose();
    }
}
