using System.Runtime.InteropServices;
using Box.Store;

namespace Box.Agent.Usage;

/// <summary>Bytes and requests served, as a pair.</summary>
public readonly record struct UsageFigures(long Bytes, long Requests);

/// <summary>One token's use of one chunk: the unit a usage report itemises.</summary>
internal readonly record struct UsageKey(string Jti, ChunkHash Hash);

/// <summary>Bytes and requests per (token, chunk) since the last report, and
/// their totals. A struct value updated in place: no allocation per request
/// once a (token, chunk) is known. Not thread-safe (the ledger locks).</summary>
internal sealed class UsageTally
{
    private readonly Dictionary<UsageKey, (long Bytes, long Requests)> _byToken = [];

    public long Bytes { get; private set; }
    public long Requests { get; private set; }
    public int TokenCount => _byToken.Count;

    /// <summary>Nothing served (a HEAD counts: it is a request of 0 bytes).</summary>
    public bool IsEmpty => _byToken.Count == 0;

    public UsageFigures Totals => new(Bytes, Requests);

    public void Add(string jti, ChunkHash hash, long bytes, long requests = 1)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_byToken, new UsageKey(jti, hash), out _);
        entry.Bytes += bytes;
        entry.Requests += requests;
        Bytes += bytes;
        Requests += requests;
    }

    public void AddAll(UsageTally other)
    {
        foreach (var (key, value) in other._byToken)
            Add(key.Jti, key.Hash, value.Bytes, value.Requests);
    }

    /// <summary>The entries in a fixed order (token, then chunk), so the same
    /// tally always yields the same reports.</summary>
    public List<(UsageKey Key, long Bytes, long Requests)> Sorted()
    {
        var list = new List<(UsageKey, long, long)>(_byToken.Count);
        foreach (var (key, value) in _byToken)
            list.Add((key, value.Bytes, value.Requests));
        list.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Item1.Jti, b.Item1.Jti);
            return c != 0 ? c : a.Item1.Hash.CompareTo(b.Item1.Hash);
        });
        return list;
    }
}
