using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Supervision;
using Box.Agent.Supervision.Concerns;
using Box.Store;

namespace Box.Agent.Commands;

/// <summary>The chunk store's commands (docs/contract.md "Commands"):
/// <c>chunk.prefetch</c>, <c>chunk.evict</c>, <c>chunk.list</c>, <c>store.stats</c>.
/// Arguments are checked here; the store concern does the work.</summary>
public sealed class ChunkCommands(Supervisor supervisor)
{
    public const int MaxUrlLength = 2048;
    public const long MaxChunkBytes = 64L << 20;
    public const int DefaultListLimit = 100;

    private StoreConcern Store => supervisor.Store;

    public IEnumerable<KeyValuePair<string, CommandHandler>> Table =>
    [
        new("chunk.prefetch", Prefetch),
        new("chunk.evict", Evict),
        new("chunk.list", List),
        new("store.stats", Stats),
    ];

    private ValueTask<JsonObject?> Prefetch(ICommandContext c)
    {
        var hash = CommandArgs.Hash(c.Args, "hash");
        var size = CommandArgs.Long(c.Args, "size", 1, MaxChunkBytes);
        var url = CommandArgs.HttpUrl(c.Args, "url", MaxUrlLength);
        var pinned = CommandArgs.Bool(c.Args, "pin", fallback: false);
        return ValueTask.FromResult(Store.StartPrefetch(hash, size, url.AbsoluteUri, pinned, c));
    }

    private ValueTask<JsonObject?> Evict(ICommandContext c)
    {
        var hashes = CommandArgs.Hashes(c.Args, "hashes", StoreConcern.MaxEvictHashes);
        return ValueTask.FromResult<JsonObject?>(Store.Evict(hashes));
    }

    private ValueTask<JsonObject?> List(ICommandContext c)
    {
        ChunkHash? after = c.Args.ContainsKey("after") && c.Args["after"] is not null ? CommandArgs.Hash(c.Args, "after") : null;
        var limit = CommandArgs.Int(c.Args, "limit", 1, StoreConcern.MaxListLimit, fallback: DefaultListLimit);
        return ValueTask.FromResult<JsonObject?>(Store.List(after, limit));
    }

    private ValueTask<JsonObject?> Stats(ICommandContext c)
    {
        var served = supervisor.Usage?.Ledger.Lifetime;
        return ValueTask.FromResult<JsonObject?>(Store.Stats(served?.Bytes ?? 0, served?.Requests ?? 0));
    }
}
