using Box.Store;

namespace Box.Store.Tests;

public sealed class ChunkStoreIngestTests : IDisposable
{
    private readonly TempDir _mount = new("store");

    public void Dispose() => _mount.Dispose();

    private ChunkStore Open(long quota = 1 << 20, TimeProvider? time = null) =>
        ChunkStore.Open(_mount.Path, StoreKit.BoxId, StoreKit.Options(quota, time));

    [Fact]
    public void Commit_moves_the_temp_file_into_its_shard_and_counts_it()
    {
        using var store = Open();
        var content = StoreKit.Content(1, 500);
        var hash = ChunkHash.Of(content);
        var slot = store.ReserveIngest(hash, content.Length, pinned: false);
        Assert.StartsWith(store.Layout.Temp + "/", slot.TempPath, StringComparison.Ordinal);
        Assert.Equal(ChunkReadStatus.NotFound, store.OpenRead(hash).Status);
        File.WriteAllBytes(slot.TempPath, content);
        store.Commit(slot);
        Assert.False(File.Exists(slot.TempPath));
        Assert.Equal(content, store.Read(hash));
        Assert.Equal((1L, 500L, 0L), (store.Figures.Chunks, store.Figures.UsedBytes, store.Figures.PinnedBytes));
    }

    [Fact]
    public void A_chunk_already_stored_commits_as_a_no_op()
    {
        using var store = Open();
        var hash = store.Put(1);
        var again = store.ReserveIngest(hash, 100, pinned: true);
        Assert.True(again.AlreadyStored);
        store.Commit(again);
        Assert.Equal(1, store.Figures.Chunks);
        Assert.Equal(100, store.Figures.PinnedBytes); // the second request pinned it

        // Two downloads racing: the second commit finds the chunk stored.
        var content = StoreKit.Content(2);
        var h2 = ChunkHash.Of(content);
        var first = store.ReserveIngest(h2, 100, false);
        var second = store.ReserveIngest(h2, 100, false);
        File.WriteAllBytes(first.TempPath, content);
        File.WriteAllBytes(second.TempPath, content);
        store.Commit(first);
        store.Commit(second);
        Assert.False(File.Exists(second.TempPath));
        Assert.Equal((2L, 200L), (store.Figures.Chunks, store.Figures.UsedBytes));
    }

    [Fact]
    public void Abort_deletes_the_temp_file()
    {
        using var store = Open();
        var slot = store.ReserveIngest(StoreKit.HashOf(1), 100, false);
        File.WriteAllBytes(slot.TempPath, StoreKit.Content(1));
        store.Abort(slot);
        Assert.False(File.Exists(slot.TempPath));
        Assert.Equal(0, store.Figures.Chunks);
    }

    [Fact]
    public void A_temp_file_of_the_wrong_size_is_refused_and_removed()
    {
        using var store = Open();
        var slot = store.ReserveIngest(StoreKit.HashOf(1), 100, false);
        File.WriteAllBytes(slot.TempPath, StoreKit.Content(1, 99));
        var e = Assert.Throws<StoreException>(() => store.Commit(slot));
        Assert.Contains(slot.TempPath, e.Message, StringComparison.Ordinal);
        Assert.Contains("99 bytes", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(slot.TempPath));
        Assert.False(File.Exists(store.Layout.ChunkPath(slot.Hash)));
        Assert.Throws<InvalidOperationException>(() => store.Commit(slot));
    }

    [Fact]
    public void Pinned_chunks_alone_over_the_quota_is_full_and_unpinned_room_asks_for_eviction()
    {
        using var store = Open(quota: 1000);
        store.Put(1, 600, pinned: true);
        var full = Assert.Throws<StoreFullException>(() => store.ReserveIngest(StoreKit.HashOf(2, 500), 500, pinned: true));
        Assert.Contains("pinned", full.Message, StringComparison.Ordinal);
        Assert.Throws<StoreFullException>(() => store.ReserveIngest(StoreKit.HashOf(2, 500), 500, pinned: false));

        var fits = store.ReserveIngest(StoreKit.HashOf(3, 300), 300, pinned: false);
        Assert.False(fits.EvictionNeeded);
        store.Abort(fits);
        store.Put(4, 300);
        var needsRoom = store.ReserveIngest(StoreKit.HashOf(5, 300), 300, pinned: false);
        Assert.True(needsRoom.EvictionNeeded);
        store.Abort(needsRoom);
    }

    [Fact]
    public void List_pages_in_hash_order_with_a_cursor()
    {
        using var store = Open();
        var all = Enumerable.Range(0, 25).Select(i => store.Put(i)).Order().ToList();
        var seen = new List<ChunkHash>();
        ChunkHash? after = null;
        int pages = 0;
        do
        {
            var page = store.List(after, 10);
            seen.AddRange(page.Hashes);
            after = page.Next;
            pages++;
        }
        while (after is not null);
        Assert.Equal(3, pages);
        Assert.Equal(all, seen);
        Assert.Null(store.List(all[^1], 10).Next);
        Assert.Empty(store.List(all[^1], 10).Hashes);
    }

    [Fact]
    public void Served_figures_accumulate_in_memory_and_flush_in_one_go()
    {
        var time = new FakeTime();
        ChunkHash a;
        using (var store = Open(time: time))
        {
            a = store.Put(1);
            var t1 = time.GetUtcNow().AddMinutes(1);
            Parallel.For(0, 100, i => store.NoteServed(a, 10, t1));
            store.FlushServed();
            Assert.Equal((100L, 1000L, t1), (store.Find(a)!.Value.ServeCount, store.Find(a)!.Value.BytesServed, store.Find(a)!.Value.LastServed!.Value));
            store.NoteServed(a, 5, t1.AddMinutes(1)); // flushed by Close
        }
        using var reopened = Open(time: time);
        var row = reopened.Find(a)!.Value;
        Assert.Equal((101L, 1005L), (row.ServeCount, row.BytesServed));
    }

    [Fact]
    public void Eviction_to_the_low_watermark_takes_the_least_valuable_unpinned_first()
    {
        var time = new FakeTime();
        using var store = ChunkStore.Open(_mount.Path, StoreKit.BoxId, StoreKit.Options(10_000, time) with { HighWatermarkPercent = 90, LowWatermarkPercent = 50 });
        var pinnedOld = store.Put(0, 1000, pinned: true);
        var oldUnserved = store.Put(1, 1000);
        var oldPopular = store.Put(2, 1000);
        time.Advance(TimeSpan.FromDays(1));
        var middle = store.Put(3, 1000);
        time.Advance(TimeSpan.FromDays(1));
        var others = Enumerable.Range(4, 5).Select(i => store.Put(i, 1000)).ToList(); // fresh
        for (int i = 0; i < 50; i++)
            store.NoteServed(oldPopular, 1000, time.GetUtcNow());
        store.FlushServed();
        Assert.Equal(9000, store.Figures.UsedBytes);
        Assert.Equal(EvictionResult.None, store.EvictToWatermark()); // at 90 %, not above

        store.Put(9, 1000); // 10,000 > 9,000
        var result = store.EvictToWatermark();
        Assert.Equal(5, result.Count);
        Assert.Equal(5000, result.Bytes);
        Assert.Equal(oldUnserved, result.Hashes[0]);
        Assert.Equal(middle, result.Hashes[1]);
        Assert.DoesNotContain(pinnedOld, result.Hashes);
        Assert.DoesNotContain(oldPopular, result.Hashes);
        Assert.Equal(5000, store.Figures.UsedBytes);
        Assert.All(result.Hashes, h => Assert.Equal(ChunkReadStatus.NotFound, store.OpenRead(h).Status));
        Assert.All(result.Hashes, h => Assert.False(File.Exists(store.Layout.ChunkPath(h))));
    }

    [Fact]
    public void Evict_by_hash_removes_pinned_chunks_too_and_skips_unknown_ones()
    {
        using var store = Open();
        var pinned = store.Put(1, 100, pinned: true);
        var plain = store.Put(2, 200);
        var result = store.Evict([pinned, plain, StoreKit.HashOf(99)]);
        Assert.Equal((2, 300L), (result.Count, result.Bytes));
        Assert.Equal((0L, 0L, 0L), (store.Figures.Chunks, store.Figures.UsedBytes, store.Figures.PinnedBytes));
    }

    [Fact]
    public void Scrubber_removes_an_altered_chunk_and_reports_it_before_it_is_served_again()
    {
        var corrupt = new List<CorruptChunk>();
        using var store = ChunkStore.Open(_mount.Path, StoreKit.BoxId, StoreKit.Options() with
        {
            ScrubBytesPerSecond = 10 << 20,
            ScrubPassInterval = TimeSpan.FromMilliseconds(50),
        });
        store.ChunkCorrupt += c => { lock (corrupt) corrupt.Add(c); };
        var good = store.Put(1);
        var altered = store.Put(2);
        var bytes = File.ReadAllBytes(store.Layout.ChunkPath(altered));
        bytes[10] ^= 0xff; // same size, different bytes: only hashing finds it
        File.WriteAllBytes(store.Layout.ChunkPath(altered), bytes);

        Eventually.True(() => { lock (corrupt) return corrupt.Count == 1; }, "the scrubber reports the altered chunk");
        lock (corrupt)
            Assert.Equal(altered, corrupt[0].Hash);
        Assert.Equal(ChunkReadStatus.NotFound, store.OpenRead(altered).Status);
        Assert.False(File.Exists(store.Layout.ChunkPath(altered)));
        Assert.Equal(StoreKit.Content(1), store.Read(good));
        Eventually.True(() => store.ScrubbedChunks >= 4, "a second pass ran");
        lock (corrupt)
            Assert.Single(corrupt);
    }

    [Fact]
    public void A_truncated_file_is_condemned_on_read()
    {
        var corrupt = new List<CorruptChunk>();
        using var store = Open();
        store.ChunkCorrupt += c => { lock (corrupt) corrupt.Add(c); };
        var hash = store.Put(1);
        File.WriteAllBytes(store.Layout.ChunkPath(hash), StoreKit.Content(1, 50));
        Assert.Equal(ChunkReadStatus.NotFound, store.OpenRead(hash).Status);
        Assert.Equal(0, store.Figures.Chunks);
        lock (corrupt)
            Assert.Equal(hash, Assert.Single(corrupt).Hash);
    }

    [Fact]
    public void Concurrent_reads_while_ingesting()
    {
        using var store = Open(quota: 64 << 20);
        var stored = Enumerable.Range(0, 50).Select(i => store.Put(i)).ToArray();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            int found = 0;
            do
            {
                foreach (var h in stored)
                {
                    var r = store.OpenRead(h);
                    Assert.Equal(ChunkReadStatus.Found, r.Status);
                    r.File!.Dispose();
                    found++;
                }
            }
            while (!stop.IsCancellationRequested);
            return found;
        })).ToArray();
        for (int i = 50; i < 150; i++)
            store.Put(i);
        stop.Cancel();
        Assert.All(readers, r => Assert.True(r.Result > 0));
        Assert.Equal(150, store.Figures.Chunks);
    }
}
