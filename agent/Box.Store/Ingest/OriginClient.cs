using System.Net;

namespace Box.Store.Ingest;

/// <summary>The one HttpClient of the downloader, set up for origins reached
/// over a home uplink.</summary>
internal static class OriginClient
{
    public static HttpClient Create(DownloaderOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            // A redirect loop must end as a failure, not spin; the handler
            // returns the last 3xx and the response check names it.
            AllowAutoRedirect = options.MaxRedirects > 0,
            MaxAutomaticRedirections = Math.Max(1, options.MaxRedirects),
            // The chunk's hash is over the bytes as stored; a decompressing
            // client would hash something else (and gzip bombs fill disks).
            AutomaticDecompression = DecompressionMethods.None,
            // CDNs move; a connection is re-resolved after a while.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            // Certificates are checked against the system trust store (the
            // handler's default validation); nothing here relaxes it.
            UseCookies = false,
            // The agent is a daemon: a proxy variable inherited from some
            // shell must not reroute chunk traffic.
            UseProxy = false,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            // Stalls and the total time are timed per download, not here.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        return client;
    }
}
