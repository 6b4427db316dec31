using System.Net;
using Box.Agent.Http;
using Box.Agent.Logging;
using Box.Agent.Status;
using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>The LAN HTTP server with the status pages, fed from the supervisor's
/// snapshot (read lock-free on the HTTP threads). Its own requests are not served
/// traffic: the traffic card shows <see cref="ChunkTraffic"/>, and only its refusals
/// (bad requests, connections over the limit) come from this server.</summary>
public sealed class StatusWiring : IAsyncDisposable
{
    private readonly HttpServer _server;

    private StatusWiring(HttpServer server) => _server = server;

    /// <summary>"ADDR:PORT" actually bound (port 0 resolved).</summary>
    public string Address => _server.LocalEndPoint.ToString();

    /// <summary>The status server's own figures (its requests and bytes included).</summary>
    public HttpServerCounters Counters => _server.Counters;

    /// <summary>Null when no HTTP address is configured. Throws when it cannot listen.</summary>
    public static async Task<StatusWiring?> StartAsync(string? address, Supervisor supervisor, AgentLog log, ChunkTraffic traffic, TimeProvider? time = null)
    {
        if (address is null) return null;
        var clock = time ?? TimeProvider.System;
        HttpServer? server = null;
        var router = new HttpRouter().MapStatusPages(
            () => StatusView.From(supervisor.Snapshot, clock.GetUtcNow(), Live(traffic, server)), clock);
        server = new HttpServer(IPEndPoint.Parse(address), router, log: message => log.Info($"http: {message}"), time: clock);
        await server.StartAsync().ConfigureAwait(false);
        return new StatusWiring(server);
    }

    /// <summary>Chunk traffic as it is now (newer than the snapshot's sample), with this server's refusals.</summary>
    private static TrafficStatus Live(ChunkTraffic traffic, HttpServer? server) => new()
    {
        BytesServed = traffic.BytesServed,
        ActiveConnections = traffic.ActiveConnections,
        Requests = traffic.Requests,
        BadRequests = server?.Counters.BadRequests ?? 0,
        RejectedConnections = server?.Counters.ConnectionsRejected ?? 0,
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
