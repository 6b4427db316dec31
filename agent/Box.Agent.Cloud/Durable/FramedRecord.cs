using System.Buffers;
using System.Buffers.Binary;

namespace Box.Agent.Cloud.Durable;

/// <summary>One record of an append-only log file:
/// <c>[u32 length][u32 crc32][u64 id][u8 kind][payload]</c>, little endian,
/// where length counts the payload and the CRC covers id, kind and payload.
/// A record whose length or CRC does not check is a torn write (power cut
/// during append) or corruption; the reader stops there.</summary>
internal readonly record struct FramedRecord(long Id, byte Kind, long Offset, int PayloadLength)
{
    public const int HeaderSize = 17;

    public int TotalLength => HeaderSize + PayloadLength;

    public static byte[] Encode(long id, byte kind, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[HeaderSize + payload.Length];
        payload.CopyTo(buffer.AsSpan(HeaderSize));
        WriteHeader(buffer, id, kind);
        return buffer;
    }

    /// <summary>Frames a record in place: <paramref name="record"/> holds
    /// <see cref="HeaderSize"/> bytes of room followed by the payload; this
    /// fills the header. For writers that reuse one buffer (no allocation per record).</summary>
    public static void WriteHeader(Span<byte> record, long id, byte kind)
    {
        if (record.Length < HeaderSize)
            throw new ArgumentException($"a framed record is at least {HeaderSize} bytes", nameof(record));
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(record.Length - HeaderSize));
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], id);
        record[16] = kind;
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32.Compute(record[8..]));
    }

    /// <summary>Reads every intact record from the start of <paramref name="file"/>.
    /// Returns the records and the offset where the intact prefix ends
    /// (equal to the file length when nothing is torn).</summary>
    public static (List<FramedRecord> Records, long ValidLength) Scan(FileStream file, int maxPayload)
    {
        var records = new List<FramedRecord>();
        var validLength = Scan(file, maxPayload, records.Add);
        return (records, validLength);
    }

    /// <summary>Hands every intact record from the start of <paramref name="file"/>
    /// to <paramref name="onRecord"/> (payloads are checked, not kept) and
    /// returns the offset where the intact prefix ends.</summary>
    public static long Scan(FileStream file, int maxPayload, Action<FramedRecord> onRecord)
    {
        var handle = file.SafeFileHandle;
        var length = file.Length;
        long offset = 0;
        Span<byte> header = stackalloc byte[HeaderSize];
        // One buffer for every record's CRC check, grown to the largest.
        var body = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (offset + HeaderSize <= length)
            {
                if (RandomAccess.Read(handle, header, offset) != HeaderSize)
                    break;
                var payloadLength = BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (payloadLength > (uint)maxPayload || offset + HeaderSize + payloadLength > length)
                    break;
                var bodyLength = 9 + (int)payloadLength;
                if (body.Length < bodyLength)
                {
                    ArrayPool<byte>.Shared.Return(body);
                    body = ArrayPool<byte>.Shared.Rent(bodyLength);
                }
                var span = body.AsSpan(0, bodyLength);
                header[8..].CopyTo(span);
                if (RandomAccess.Read(handle, span[9..], offset + HeaderSize) != payloadLength)
                    break;
                if (Crc32.Compute(span) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
                    break;
                onRecord(new FramedRecord(BinaryPrimitives.ReadInt64LittleEndian(header[8..]), header[16], offset, (int)payloadLength));
                offset += HeaderSize + payloadLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
        return offset;
    }

    public byte[] ReadPayload(FileStream file)
    {
        var payload = new byte[PayloadLength];
        var read = RandomAccess.Read(file.SafeFileHandle, payload, Offset + HeaderSize);
        if (read != PayloadLength)
            throw new IOException($"record {Id}: short read at offset {Offset} of {file.Name}");
        return payload;
    }
}
