using System.Net;
using Box.Agent.Configuration;
using Box.Agent.Http;
using Box.Agent.Logging;
using Box.Agent.Serving;
using Box.Agent.Status;
using Box.Agent.Supervision;
using Box.Protocol.Tokens;
using Box.Store;

namespace Box.Agent.Hosting;

/// <summary>The agent's one HTTP server: the chunk server (<c>/chunks/</c>)
/// and the LAN status pages, fed from the supervisor's snapshot (read
/// lock-free on the HTTP threads). The status pages' own requests are not
/// served traffic: the traffic card shows <see cref="ChunkTraffic"/>.
/// Token keys and upload limits follow configuration changes at once
/// (<see cref="Reconfigure"/>); connection limits are read at start.</summary>
public sealed class HttpWiring : IAsyncDisposable
{
    private readonly HttpServer _server;
    private readonly TimeProvider _time;
    private ChunkTokenVerifier _verifier;

    private HttpWiring(HttpServer server, ServeRateLimiter limiter, ChunkTokenVerifier verifier, TimeProvider time)
    {
        _server = server;
        Limiter = limiter;
        _verifier = verifier;
        _time = time;
    }

    /// <summary>"ADDR:PORT" actually bound (port 0 resolved).</summary>
    public string Address => _server.LocalEndPoint.ToString();

    /// <summary>The server's own figures (status pages included).</summary>
    public HttpServerCounters Counters => _server.Counters;

    /// <summary>The upload limits in force (base rate, schedule, per connection).</summary>
    public ServeRateLimiter Limiter { get; }

    /// <summary>What the chunk server needs besides the configuration.</summary>
    public sealed record Parts(IChunkReader Reader, IServeRecorder Recorder, ChunkTraffic Traffic);

    /// <summary>Null when no HTTP address is configured. Throws when it cannot listen.</summary>
    public static async Task<HttpWiring?> StartAsync(AgentConfig config, string boxId, Supervisor supervisor, AgentLog log, Parts parts, TimeProvider? time = null)
    {
        if (config.Http is null) return null;
        var clock = time ?? TimeProvider.System;
        var limiter = new ServeRateLimiter(RateSettings(config), clock);
        HttpServer? server = null;
        HttpWiring? wiring = null;
        var router = new HttpRouter();
        router.MapChunks(new ChunkServerOptions
        {
            Reader = parts.Reader,
            Verifier = () => wiring!._verifier,
            BoxId = boxId,
            Recorder = parts.Recorder,
            Traffic = parts.Traffic,
            Limiter = limiter,
            Time = clock,
            Log = message => log.Debug($"chunks: {message}"),
        });
        router.MapStatusPages(() => StatusView.From(supervisor.Snapshot, clock.GetUtcNow(), Live(parts.Traffic, server, limiter)), clock);
        server = new HttpServer(IPEndPoint.Parse(config.Http), router, Limits(config.Serve), message => log.Info($"http: {message}"), clock);
        wiring = new HttpWiring(server, limiter, Verifier(config, clock), clock);
        await server.StartAsync().ConfigureAwait(false);
        return wiring;
    }

    /// <summary>Applies a new effective configuration: scheduler keys (tokens
    /// cached under the old keys stop counting) and upload limits.</summary>
    public void Reconfigure(AgentConfig config)
    {
        Volatile.Write(ref _verifier, Verifier(config, _time));
        Limiter.Update(RateSettings(config));
    }

    private static ChunkTokenVerifier Verifier(AgentConfig config, TimeProvider time) =>
        new(ChunkTokenKeys.FromPem(config.Scheduler.PublicKeyPem, config.Scheduler.PublicKeys), time);

    private static ServeRateSettings RateSettings(AgentConfig config) =>
        ServeRateSettings.From(config.Serve, config.Serve.ConnectionRateLimitBytesPerSecond);

    private static HttpServerLimits Limits(ServeConfig serve) => new()
    {
        MaxConnections = serve.MaxConnections == 0 ? int.MaxValue : serve.MaxConnections,
        MaxConnectionsPerAddress = serve.MaxConnectionsPerClient == 0 ? int.MaxValue : serve.MaxConnectionsPerClient,
    };

    /// <summary>Chunk traffic as it is now (newer than the snapshot's sample), with this server's refusals.</summary>
    private static TrafficStatus Live(ChunkTraffic traffic, HttpServer? server, ServeRateLimiter limiter) => new()
    {
        BytesServed = traffic.BytesServed,
        ActiveConnections = traffic.ActiveConnections,
        Requests = traffic.Requests,
        BadRequests = server?.Counters.BadRequests ?? 0,
        RejectedConnections = server?.Counters.ConnectionsRejected ?? 0,
        RateLimitBytesPerSecond = limiter.CurrentLimit,
        BytesPerSecond = traffic.BytesPerSecond,
        BytesToday = traffic.BytesToday,
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
