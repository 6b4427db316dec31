using Box.Agent.Serving;

namespace Box.Agent.Tests.Serving;

public class ByteRangeTests
{
    // header, size, kind, start, length
    [Theory]
    [InlineData(null, 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=0-99", 1000, ByteRangeKind.Partial, 0, 100)]
    [InlineData("bytes=100-", 1000, ByteRangeKind.Partial, 100, 900)]
    [InlineData("bytes=-100", 1000, ByteRangeKind.Partial, 900, 100)]
    [InlineData("bytes=-5000", 1000, ByteRangeKind.Partial, 0, 1000)]
    [InlineData("bytes=990-5000", 1000, ByteRangeKind.Partial, 990, 10)]
    [InlineData("bytes=999-999", 1000, ByteRangeKind.Partial, 999, 1)]
    [InlineData("BYTES=1-2", 1000, ByteRangeKind.Partial, 1, 2)]
    [InlineData(" bytes= 1-2 ", 1000, ByteRangeKind.Partial, 1, 2)]
    [InlineData("bytes=0-99999999999999999999999", 1000, ByteRangeKind.Partial, 0, 1000)]
    [InlineData("bytes=1000-", 1000, ByteRangeKind.Unsatisfiable, 0, 0)]
    [InlineData("bytes=1000-2000", 1000, ByteRangeKind.Unsatisfiable, 0, 0)]
    [InlineData("bytes=99999999999999999999999-", 1000, ByteRangeKind.Unsatisfiable, 0, 0)]
    [InlineData("bytes=-0", 1000, ByteRangeKind.Unsatisfiable, 0, 0)]
    [InlineData("bytes=0-", 0, ByteRangeKind.Unsatisfiable, 0, 0)]
    [InlineData("bytes=-1", 0, ByteRangeKind.Unsatisfiable, 0, 0)]
    // Ignored (RFC 9110 §14.2 lets a server ignore Range): whole chunk.
    [InlineData("bytes=0-1,5-6", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=5-1", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=a-b", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=1", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=-", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=+1-2", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("bytes=1-2-3", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("items=0-1", 1000, ByteRangeKind.Whole, 0, 1000)]
    [InlineData("", 1000, ByteRangeKind.Whole, 0, 1000)]
    public void Parses_one_row(string? header, long size, ByteRangeKind kind, long start, long length)
    {
        var range = ByteRange.Parse(header, size);

        Assert.Equal(new ByteRange(kind, start, length), range);
    }
}
