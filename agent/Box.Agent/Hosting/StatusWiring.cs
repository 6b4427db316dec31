using System.Net;
using Box.Agent.Http;
using Box.Agent.Logging;
using Box.Agent.Status;
using Box.Agent.Supervision;

namespace Box.Agent.Hosting;

/// <summary>The LAN HTTP server with the status pages, fed from the supervisor's
/// snapshot (read lock-free on the HTTP threads). Its traffic counters go to the
/// supervisor once a second when they changed (telemetry, the "serving" LED).</summary>
public sealed class StatusWiring : IAsyncDisposable
{
    public static readonly TimeSpan TrafficSampleInterval = TimeSpan.FromSeconds(1);

    private readonly HttpServer _server;
    private readonly ITimer _sampler;
    private (long Bytes, int Connections) _lastTraffic;

    private StatusWiring(HttpServer server, SupervisorInbox inbox, TimeProvider time)
    {
        _server = server;
        _sampler = time.CreateTimer(_ => SampleTraffic(inbox), null, TrafficSampleInterval, TrafficSampleInterval);
    }

    /// <summary>"ADDR:PORT" actually bound (port 0 resolved).</summary>
    public string Address => _server.LocalEndPoint.ToString();

    public HttpServerCounters Counters => _server.Counters;

    /// <summary>Null when no HTTP address is configured. Throws when it cannot listen.</summary>
    public static async Task<StatusWiring?> StartAsync(string? address, Supervisor supervisor, AgentLog log, TimeProvider? time = null)
    {
        if (address is null) return null;
        var clock = time ?? TimeProvider.System;
        HttpServer? server = null;
        var router = new HttpRouter().MapStatusPages(
            () => StatusView.From(supervisor.Snapshot, clock.GetUtcNow(), server is null ? null : TrafficStatus.From(server.Counters)), clock);
        server = new HttpServer(IPEndPoint.Parse(address), router, log: message => log.Info($"http: {message}"), time: clock);
        await server.StartAsync().ConfigureAwait(false);
        return new StatusWiring(server, supervisor.Inbox, clock);
    }

    private void SampleTraffic(SupervisorInbox inbox)
    {
        // Timer callbacks do not overlap at a 1 s period with this little work.
        var now = (_server.Counters.BytesSent, _server.Counters.ActiveConnections);
        if (now == _lastTraffic) return;
        _lastTraffic = now;
        inbox.Post(new SupervisorInput.Traffic(now.BytesSent, now.ActiveConnections));
    }

    public async ValueTask DisposeAsync()
    {
        await _sampler.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
