using Box.Store;

namespace Box.Store.Tests;

public class ChunkPresenceTests
{
    private static ChunkRow Row(int n, long size = 100) => new(StoreKit.HashOf(n), size, DateTimeOffset.UnixEpoch, null, 0, 0, false);

    [Fact]
    public void Changes_during_and_after_the_load_win_over_the_scan()
    {
        var presence = new ChunkPresence();
        Assert.False(presence.Loaded);
        presence.Remove(StoreKit.HashOf(1)); // evicted while the scan ran
        presence.Add(StoreKit.HashOf(50), 5); // committed while the scan ran
        presence.Load(Enumerable.Range(0, 10).Select(i => Row(i)).OrderBy(r => r.Hash), 10);
        Assert.True(presence.Loaded);
        Assert.False(presence.TryGet(StoreKit.HashOf(1), out _));
        Assert.True(presence.TryGet(StoreKit.HashOf(2), out var size));
        Assert.Equal(100, size);
        Assert.True(presence.TryGet(StoreKit.HashOf(50), out size));
        Assert.Equal(5, size);
        Assert.False(presence.TryGet(StoreKit.HashOf(99), out _));
    }

    [Fact]
    public void Survives_many_merges()
    {
        var presence = new ChunkPresence();
        presence.MarkEmpty();
        int n = ChunkPresence.MergeEvery * 2 + 100;
        for (int i = 0; i < n; i++)
            presence.Add(StoreKit.HashOf(i), i);
        for (int i = 0; i < n; i += 3)
            presence.Remove(StoreKit.HashOf(i));
        presence.Add(StoreKit.HashOf(3), 7); // re-added with another size
        for (int i = 0; i < n; i++)
        {
            bool expected = i % 3 != 0 || i == 3;
            Assert.Equal(expected, presence.TryGet(StoreKit.HashOf(i), out var size));
            if (expected)
                Assert.Equal(i == 3 ? 7 : i, size);
        }
    }

    [Fact]
    public void Sizes_past_4_GiB_are_left_to_the_index()
    {
        var presence = new ChunkPresence();
        presence.MarkEmpty();
        presence.Add(StoreKit.HashOf(1), 5L << 30);
        Assert.True(presence.TryGet(StoreKit.HashOf(1), out var size));
        Assert.Null(size);
    }
}
