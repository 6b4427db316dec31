namespace Box.Store;

/// <summary>
/// Which chunks are indexed, in memory, so serving never touches LiteDB:
/// a random FindById over 1,000,000 rows reads ~10 uncached index pages and
/// LiteDB keeps every page it read, which is what made the cache, not the
/// data, the memory problem. Each chunk costs 12 bytes (the hash's first 64
/// bits and its size) in a sorted array, ~12 MB at 1,000,000 chunks, plus
/// small add/remove sets merged into it every <see cref="MergeEvery"/> changes.
/// A 64-bit prefix can collide; a collision only makes OpenRead try to open a
/// file named by the full hash, which is not there (NotFound), so the answer
/// stays right. Thread-safe (one short lock).
/// </summary>
internal sealed class ChunkPresence
{
    public const int MergeEvery = 16_384;
    /// <summary>Sizes from here up are not held (4 GiB chunks): "ask the index".</summary>
    private const uint LargeSize = uint.MaxValue;

    private readonly object _gate = new();
    private ulong[] _keys = [];
    private uint[] _sizes = [];
    private readonly Dictionary<ulong, uint> _added = [];
    private readonly HashSet<ulong> _removed = [];
    private volatile bool _loaded;

    /// <summary>False until <see cref="Load"/> finished; until then callers ask the index.</summary>
    public bool Loaded => _loaded;

    /// <summary>Fills the set from rows in hash order (the index scan at open).
    /// Changes noted meanwhile win over what the scan saw.</summary>
    public void Load(IEnumerable<ChunkRow> rowsInHashOrder, int expected)
    {
        var keys = new List<ulong>(expected);
        var sizes = new List<uint>(expected);
        foreach (var row in rowsInHashOrder)
        {
            keys.Add(Prefix(row.Hash));
            sizes.Add(SizeOf(row.Size));
        }
        lock (_gate)
        {
            _keys = [.. keys];
            _sizes = [.. sizes];
            _loaded = true;
            MergeIfDue(force: true);
        }
    }

    /// <summary>A fresh (empty) index: nothing to load.</summary>
    public void MarkEmpty()
    {
        lock (_gate)
        {
            _keys = [];
            _sizes = [];
            _added.Clear();
            _removed.Clear();
            _loaded = true;
        }
    }

    /// <summary>Present, and its size when known (null: a chunk too large to hold here, ask the index).</summary>
    public bool TryGet(ChunkHash hash, out long? size)
    {
        var key = Prefix(hash);
        uint s;
        lock (_gate)
        {
            size = null;
            if (_removed.Contains(key))
                return false;
            if (!_added.TryGetValue(key, out s))
            {
                int i = Array.BinarySearch(_keys, key);
                if (i < 0)
                    return false;
                s = _sizes[i];
            }
        }
        size = s == LargeSize ? null : s;
        return true;
    }

    public void Add(ChunkHash hash, long size)
    {
        var key = Prefix(hash);
        lock (_gate)
        {
            _removed.Remove(key);
            _added[key] = SizeOf(size);
            MergeIfDue(force: false);
        }
    }

    public void Remove(ChunkHash hash)
    {
        var key = Prefix(hash);
        lock (_gate)
        {
            _added.Remove(key);
            _removed.Add(key);
            MergeIfDue(force: false);
        }
    }

    /// <summary>Folds the add/remove sets into the sorted arrays (O(n), once per MergeEvery changes).</summary>
    private void MergeIfDue(bool force)
    {
        if (!_loaded || (!force && _added.Count + _removed.Count < MergeEvery))
            return;
        var added = _added.OrderBy(p => p.Key).ToArray();
        int capacity = _keys.Length + added.Length;
        var keys = new ulong[capacity];
        var sizes = new uint[capacity];
        int n = 0, i = 0, j = 0;
        while (i < _keys.Length || j < added.Length)
        {
            ulong key;
            uint size;
            if (j >= added.Length || (i < _keys.Length && _keys[i] < added[j].Key))
            {
                (key, size) = (_keys[i], _sizes[i]);
                i++;
            }
            else
            {
                (key, size) = (added[j].Key, added[j].Value);
                if (i < _keys.Length && _keys[i] == key)
                    i++; // re-added: the new size wins
                j++;
            }
            if (_removed.Contains(key))
                continue;
            keys[n] = key;
            sizes[n] = size;
            n++;
        }
        _keys = n == capacity ? keys : keys[..n];
        _sizes = n == capacity ? sizes : sizes[..n];
        _added.Clear();
        _removed.Clear();
    }

    private static ulong Prefix(ChunkHash hash)
    {
        Span<byte> bytes = stackalloc byte[ChunkHash.ByteLength];
        hash.WriteTo(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    private static uint SizeOf(long size) => size is >= 0 and < LargeSize ? (uint)size : LargeSize;
}
