using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Box.Store;

/// <summary>A chunk's name: the SHA-256 of its bytes. Held as four 64-bit
/// words (no allocation, cheap to compare and hash); written as 64 lowercase
/// hex characters in paths, commands and reports, and as 32 bytes in the index.</summary>
public readonly record struct ChunkHash : IComparable<ChunkHash>
{
    public const int ByteLength = 32;
    public const int HexLength = 64;

    private readonly ulong _a, _b, _c, _d;

    private ChunkHash(ulong a, ulong b, ulong c, ulong d) => (_a, _b, _c, _d) = (a, b, c, d);

    public static ChunkHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
            throw new ArgumentException($"a chunk hash is {ByteLength} bytes, got {bytes.Length}", nameof(bytes));
        return new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>64 hex digits, either case; anything else (length, a non-hex
    /// character, whitespace, a prefix) is refused.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out ChunkHash hash)
    {
        hash = default;
        if (hex.Length != HexLength)
            return false;
        Span<byte> bytes = stackalloc byte[ByteLength];
        for (int i = 0; i < ByteLength; i++)
        {
            int hi = Nibble(hex[2 * i]), lo = Nibble(hex[2 * i + 1]);
            if ((hi | lo) < 0)
                return false;
            bytes[i] = (byte)(hi << 4 | lo);
        }
        hash = FromBytes(bytes);
        return true;
    }

    public static ChunkHash Parse(string hex) =>
        TryParse(hex, out var hash) ? hash : throw new FormatException("a chunk hash is 64 hex characters");

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static ChunkHash Of(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        SHA256.HashData(data, digest);
        return FromBytes(digest);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[ByteLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>The first byte, which names the shard directory ("ab" in chunks/ab/…).</summary>
    public byte ShardByte => (byte)(_a >> 56);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public int CompareTo(ChunkHash other)
    {
        int c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
