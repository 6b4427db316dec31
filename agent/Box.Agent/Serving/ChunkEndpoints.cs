using Box.Agent.Http;

namespace Box.Agent.Serving;

/// <summary>Puts the chunk server on a router, like the status pages.</summary>
public static class ChunkEndpoints
{
    /// <summary>Maps <c>/chunks/</c> to a new <see cref="ChunkEndpoint"/> and returns it.</summary>
    public static ChunkEndpoint MapChunks(this HttpRouter router, ChunkServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(router);
        var endpoint = new ChunkEndpoint(options);
        router.MapPrefix(ChunkEndpoint.Prefix, endpoint.HandleAsync);
        return endpoint;
    }
}
