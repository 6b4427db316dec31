using System.Net;
using Box.Agent.Http;
using Box.Agent.Logging;
using Box.Agent.Status;
using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>The LAN HTTP server with the status pages, fed from the supervisor's
/// snapshot (read lock-free on the HTTP threads).</summary>
public sealed class StatusWiring : IAsyncDisposable
{
    private readonly HttpServer _server;

    private StatusWiring(HttpServer server) => _server = server;

    /// <summary>"ADDR:PORT" actually bound (port 0 resolved).</summary>
    public string Address => _server.LocalEndPoint.ToString();

    public HttpServerCounters Counters => _server.Counters;

    /// <summary>Null when no HTTP address is configured.</summary>
    public static async Task<StatusWiring?> StartAsync(string? address, Supervisor supervisor, AgentLog log, TimeProvider? time = null)
    {
        if (address is null) return null;
        var clock = time ?? TimeProvider.System;
        var router = new HttpRouter().MapStatusPages(() => StatusView.From(supervisor.Snapshot, clock.GetUtcNow()), clock);
        var server = new HttpServer(IPEndPoint.Parse(address), router, log: message => log.Info($"http: {message}"), time: clock);
        await server.StartAsync().ConfigureAwait(false);
        return new StatusWiring(server);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
