namespace Box.Agent.Serving;

public enum ByteRangeKind
{
    /// <summary>No usable Range header: send the whole chunk (200).</summary>
    Whole,
    /// <summary>One satisfiable range (206).</summary>
    Partial,
    /// <summary>A well-formed range that selects nothing (416).</summary>
    Unsatisfiable,
}

/// <summary>The part of a chunk a request asks for (RFC 9110 §14). Only a
/// single <c>bytes</c> range is honoured: <c>a-b</c>, <c>a-</c> or
/// <c>-n</c>. Choices, per RFC 9110 §14.2 (a server MAY ignore Range):
/// several ranges are answered with the whole chunk (200: multipart is not
/// worth its code on a box); a malformed header, another unit, or
/// <c>a-b</c> with b &lt; a is ignored (200). A first position at or past
/// the end, or <c>-0</c>, or any range of an empty chunk is 416.</summary>
public readonly record struct ByteRange(ByteRangeKind Kind, long Start, long Length)
{
    public static ByteRange Whole(long size) => new(ByteRangeKind.Whole, 0, size);

    /// <summary>Last byte position (inclusive), for Content-Range.</summary>
    public long End => Start + Length - 1;

    public static ByteRange Parse(string? header, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (header is null)
            return Whole(size);
        var spec = header.AsSpan().Trim(" \t");
        if (!spec.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
            return Whole(size);
        spec = spec["bytes=".Length..].Trim(" \t");
        if (spec.Contains(','))
            return Whole(size);
        int dash = spec.IndexOf('-');
        if (dash < 0)
            return Whole(size);
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // Suffix: the last n bytes.
            if (!TryDigits(last, out long suffix))
                return Whole(size);
            if (suffix == 0 || size == 0)
                return new(ByteRangeKind.Unsatisfiable, 0, 0);
            long take = Math.Min(suffix, size);
            return new(ByteRangeKind.Partial, size - take, take);
        }
        if (!TryDigits(first, out long start))
            return Whole(size);
        long end;
        if (last.IsEmpty)
        {
            end = long.MaxValue;
        }
        else
        {
            if (!TryDigits(last, out end))
                return Whole(size);
            if (end < start)
                return Whole(size);
        }
        if (start >= size)
            return new(ByteRangeKind.Unsatisfiable, 0, 0);
        end = Math.Min(end, size - 1);
        return new(ByteRangeKind.Partial, start, end - start + 1);
    }

    /// <summary>1*DIGIT; values beyond long saturate (a huge position is
    /// still a valid one, just past any chunk).</summary>
    private static bool TryDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
            return false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
                return false;
            value = value > (long.MaxValue - 9) / 10 ? long.MaxValue : value * 10 + (c - '0');
        }
        return true;
    }
}
