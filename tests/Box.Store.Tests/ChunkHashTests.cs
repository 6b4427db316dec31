using System.Security.Cryptography;
using Box.Store;

namespace Box.Store.Tests;

public class ChunkHashTests
{
    [Fact]
    public void Round_trips_hex_and_bytes()
    {
        var digest = SHA256.HashData("hello"u8);
        var hex = Convert.ToHexStringLower(digest);
        Assert.True(ChunkHash.TryParse(hex, out var hash));
        Assert.Equal(hex, hash.ToString());
        Assert.Equal(digest, hash.ToArray());
        Assert.Equal(hash, ChunkHash.FromBytes(digest));
        Assert.Equal(hash, ChunkHash.Of("hello"u8));
        Assert.Equal(digest[0], hash.ShardByte);
        Assert.True(ChunkHash.TryParse(hex.ToUpperInvariant(), out var upper));
        Assert.Equal(hash, upper);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982")]   // 63
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240")] // 65
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98 ")]
    [InlineData("../24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    public void Refuses_anything_but_64_hex_digits(string text) => Assert.False(ChunkHash.TryParse(text, out _));

    [Fact]
    public void Orders_like_its_bytes()
    {
        var low = ChunkHash.Parse(new string('0', 63) + "1");
        var high = ChunkHash.Parse("8" + new string('0', 63));
        Assert.True(low.CompareTo(high) < 0);
        Assert.True(high.CompareTo(low) > 0);
        Assert.Equal(0, low.CompareTo(low));
    }
}
