using System.Buffers.Binary;
using Box.Agent.Cloud.Durable;

namespace Box.Agent.Cloud.Queue;

/// <summary>The id of the last message the broker acknowledged, kept in two
/// alternating 16-byte slots with a CRC each, so a torn overwrite leaves the
/// other slot (one ack behind) readable. Fsynced in batches: after a power
/// cut at most the last few acknowledged messages are sent again, in order.</summary>
internal sealed class AckMark : IDisposable
{
    const int SlotSize = 16;
    const int SyncEvery = 64;

    readonly FileStream _file;
    long _writes;
    int _unsynced;

    public long Value { get; private set; }

    public AckMark(string path)
    {
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        Span<byte> slot = stackalloc byte[SlotSize];
        for (var i = 0; i < 2; i++)
        {
            if (RandomAccess.Read(_file.SafeFileHandle, slot, i * SlotSize) != SlotSize)
                continue;
            var value = BinaryPrimitives.ReadInt64LittleEndian(slot);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(slot[8..]);
            if (crc == Crc32.Compute(slot[..8]) && value > Value)
            {
                Value = value;
                _writes = i + 1; // next write goes to the other slot
            }
        }
    }

    public void Set(long value, bool sync)
    {
        Value = value;
        Span<byte> slot = stackalloc byte[SlotSize];
        BinaryPrimitives.WriteInt64LittleEndian(slot, value);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[8..], Crc32.Compute(slot[..8]));
        RandomAccess.Write(_file.SafeFileHandle, slot, (_writes++ % 2) * SlotSize);
        if (sync || ++_unsynced >= SyncEvery)
            Sync();
    }

    public void Sync()
    {
        _file.Flush(flushToDisk: true);
        _unsynced = 0;
    }

    public void Dispose()
    {
        try
        {
            Sync();
        }
        finally
        {
            _file.Dispose();
        }
    }
}
