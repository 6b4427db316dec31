using System.Buffers.Binary;
using System.Text;
using Box.Agent.Cloud.Durable;
using Box.Platform;

namespace Box.Agent.Cloud.Commands;

/// <summary>The replies of handled command ids, so a repeated id is answered
/// again instead of run twice, also after a restart. An append-only file of
/// CRC-framed records (fsynced: a command must not run twice because a power
/// cut lost its reply), replayed on open, rewritten when it holds twice the
/// remembered count. Bounded: the least recently used id is forgotten first.
/// Thread-safe.</summary>
internal sealed class ReplyStore : IDisposable
{
    const byte Running = 1;
    const byte Final = 2;
    const int MaxRecordBytes = 1024 * 1024;

    public sealed record Stored(bool IsFinal, byte[] Reply);

    readonly object _gate = new();
    readonly string _path;
    readonly int _capacity;
    readonly Dictionary<string, (LinkedListNode<string> Node, Stored Reply)> _byId = new(StringComparer.Ordinal);
    readonly LinkedList<string> _recency = new();
    FileStream _file;
    long _records;
    long _nextRecordId = 1;

    public ReplyStore(string path, int capacity, Action<string, string>? log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _path = path;
        _capacity = capacity;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        var (records, validLength) = FramedRecord.Scan(_file, MaxRecordBytes);
        if (validLength < _file.Length)
        {
            log?.Invoke("warn", $"command replies: {Path.GetFileName(path)} has a torn or corrupted tail at byte {validLength} of {_file.Length}; dropped it, kept {records.Count} records");
            _file.SetLength(validLength);
            _file.Flush(flushToDisk: true);
        }
        foreach (var record in records)
        {
            _nextRecordId = Math.Max(_nextRecordId, record.Id + 1);
            if (Decode(record.ReadPayload(_file)) is not { } decoded)
                continue;
            Remember(decoded.Id, new Stored(record.Kind == Final, decoded.Reply));
        }
        _records = records.Count;
    }

    /// <summary>Ids accepted before the last stop whose job never finished.</summary>
    public IReadOnlyList<string> Unfinished()
    {
        lock (_gate)
            return _byId.Where(p => !p.Value.Reply.IsFinal).Select(p => p.Key).ToList();
    }

    public bool TryGet(string id, out Stored reply)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(id, out var entry))
            {
                _recency.Remove(entry.Node);
                _recency.AddLast(entry.Node);
                reply = entry.Reply;
                return true;
            }
            reply = null!;
            return false;
        }
    }

    /// <summary>Stores (durably) the reply of <paramref name="id"/>: the
    /// accepted reply while its job runs, then its final reply.</summary>
    public void Save(string id, bool isFinal, byte[] reply)
    {
        lock (_gate)
        {
            var framed = FramedRecord.Encode(_nextRecordId++, isFinal ? Final : Running, Encode(id, reply));
            RandomAccess.Write(_file.SafeFileHandle, framed, _file.Length);
            _file.Flush(flushToDisk: true);
            _records++;
            Remember(id, new Stored(isFinal, reply));
            if (_records > 2L * _capacity)
                Rewrite();
        }
    }

    void Remember(string id, Stored reply)
    {
        if (_byId.TryGetValue(id, out var existing))
        {
            _recency.Remove(existing.Node);
            _recency.AddLast(existing.Node);
            _byId[id] = (existing.Node, reply);
        }
        else
        {
            _byId[id] = (_recency.AddLast(id), reply);
        }
        while (_byId.Count > _capacity)
        {
            var oldest = _recency.First!;
            _recency.RemoveFirst();
            _byId.Remove(oldest.Value);
        }
    }

    void Rewrite()
    {
        AtomicFile.Write(_path, output =>
        {
            foreach (var id in _recency)
            {
                var stored = _byId[id].Reply;
                output.Write(FramedRecord.Encode(_nextRecordId++, stored.IsFinal ? Final : Running, Encode(id, stored.Reply)));
            }
        });
        _file.Dispose();
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        _records = _byId.Count;
    }

    static byte[] Encode(string id, byte[] reply)
    {
        var idBytes = Encoding.UTF8.GetBytes(id);
        var payload = new byte[2 + idBytes.Length + reply.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)idBytes.Length);
        idBytes.CopyTo(payload, 2);
        reply.CopyTo(payload, 2 + idBytes.Length);
        return payload;
    }

    static (string Id, byte[] Reply)? Decode(byte[] payload)
    {
        if (payload.Length < 2)
            return null;
        var idLength = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (2 + idLength > payload.Length)
            return null;
        return (Encoding.UTF8.GetString(payload, 2, idLength), payload[(2 + idLength)..]);
    }

    public void Dispose()
    {
        lock (_gate)
            _file.Dispose();
    }
}
