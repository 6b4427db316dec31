using Box.Store;
using Xunit.Abstractions;

namespace Box.Store.Tests;

/// <summary>The store on real filesystems in image files (root; see FilesystemImage).
/// A filesystem whose tools are missing is skipped with the reason in the output.</summary>
public sealed class FilesystemStoreTests(ITestOutputHelper output)
{
    private FilesystemImage? TryImage(string fsType, int mebibytes)
    {
        if (FilesystemImage.Unsupported(fsType) is { } why)
        {
            output.WriteLine($"SKIPPED: {why}");
            return null;
        }
        return FilesystemImage.Create(fsType, mebibytes);
    }

    [Theory]
    [InlineData("ext4")]
    [InlineData("vfat")]
    [InlineData("exfat")]
    public void Stores_reopens_and_reconciles_on(string fsType)
    {
        using var image = TryImage(fsType, 64);
        if (image is null)
            return;
        var hashes = new List<ChunkHash>();
        using (var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, new StoreOptions { Log = Log }))
        {
            Assert.InRange(store.QuotaBytes, 40L << 20, 64L << 20); // 90 % of the filesystem
            for (int i = 0; i < 20; i++)
                hashes.Add(store.Put(i, 10_000));
            Assert.Equal(200_000, store.Figures.UsedBytes);
        }
        using (var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, new StoreOptions { Log = Log }))
        {
            // fusefat (the test's vfat driver; the box uses the kernel's) loses data when a
            // file is truncated and then extended, which LiteDB does to its log after every
            // checkpoint: there the index comes back unusable and is rebuilt from the files.
            if (fsType == "vfat")
                StoreKit.WaitReconciled(store);
            Assert.Equal(ReconcileState.Done, store.Figures.Reconcile);
            Assert.All(hashes, h => Assert.Equal(ChunkReadStatus.Found, store.Status(h)));
            Assert.Equal(StoreKit.Content(3, 10_000), store.Read(hashes[3]));
            store.Evict([hashes[0]]);
        }
        var layout = new StoreLayout(image.MountPath);
        File.Delete(layout.CleanMarker);
        File.Delete(layout.IndexFile); // index lost too: everything is rebuilt from the files
        using (var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, new StoreOptions { Log = Log }))
        {
            StoreKit.WaitReconciled(store);
            Assert.Equal(19, store.Figures.LastReconcile!.Adopted);
            Assert.Equal(StoreKit.Content(5, 10_000), store.Read(hashes[5]));
        }
    }

    [Fact]
    public void A_full_filesystem_during_commit_is_a_clean_error_with_no_partial_chunk()
    {
        using var image = TryImage("ext4", 8);
        if (image is null)
            return;
        using var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, StoreKit.Options(quota: 1L << 30));
        store.Put(1, 1000);
        // A chunk in another shard: its commit must create a shard directory, which needs a block.
        int n = Enumerable.Range(2, 50).First(i => StoreKit.HashOf(i, 200_000).ShardByte != StoreKit.HashOf(1, 1000).ShardByte);
        var content = StoreKit.Content(n, 200_000);
        var hash = ChunkHash.Of(content);
        var slot = store.ReserveIngest(hash, content.Length, false);
        File.WriteAllBytes(slot.TempPath, content);
        FillUp(image.MountPath);

        var e = Assert.Throws<StoreFullException>(() => store.Commit(slot));
        output.WriteLine(e.Message);
        Assert.Contains("ENOSPC", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(slot.TempPath));
        Assert.False(File.Exists(store.Layout.ChunkPath(hash)));
        Assert.Equal(ChunkReadStatus.NotFound, store.OpenRead(hash).Status);
        Assert.Equal(1, store.Figures.Chunks);
        Assert.Equal(ChunkReadStatus.Found, store.Status(StoreKit.HashOf(1, 1000)));
    }

    [Fact]
    public void A_read_only_filesystem_is_refused_with_a_clear_error()
    {
        using var image = TryImage("ext4", 16);
        if (image is null)
            return;
        using (var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, StoreKit.Options()))
            store.Put(1);
        // The kernel refuses a read-only remount while files are open for writing (the
        // index is), so this remounts between runs; a disk the kernel turns read-only
        // under a running store fails commits through the same EROFS mapping.
        image.RemountReadOnly();
        var e = Assert.Throws<StoreUnavailableException>(() => ChunkStore.Open(image.MountPath, StoreKit.BoxId, StoreKit.Options()));
        output.WriteLine(e.Message);
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Contains(image.MountPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_yanked_disk_is_unavailable_and_dispose_does_not_hang()
    {
        using var image = TryImage("ext4", 16);
        if (image is null)
            return;
        var store = ChunkStore.Open(image.MountPath, StoreKit.BoxId, StoreKit.Options());
        var a = store.Put(1);
        store.NoteServed(a, 100, DateTimeOffset.UtcNow);
        image.Yank();

        var read = store.OpenRead(a);
        Assert.Equal(ChunkReadStatus.Unavailable, read.Status);
        Assert.Contains("gone", read.Problem, StringComparison.Ordinal);
        Assert.False(store.Figures.Available);
        Assert.ThrowsAny<StoreException>(() => store.Put(2));
        var disposed = Task.Run(store.Dispose);
        Assert.True(disposed.Wait(TimeSpan.FromSeconds(60)), "Dispose returned");
        Assert.Equal(ChunkReadStatus.Unavailable, store.OpenRead(a).Status);
    }

    [Fact]
    public void A_deleted_store_directory_is_unavailable()
    {
        using var mount = new TempDir("store");
        var store = ChunkStore.Open(mount.Path, StoreKit.BoxId, StoreKit.Options());
        var a = store.Put(1);
        Directory.Delete(Path.Combine(mount.Path, "box-store"), recursive: true);
        Assert.Equal(ChunkReadStatus.Unavailable, store.OpenRead(a).Status);
        var disposed = Task.Run(store.Dispose);
        Assert.True(disposed.Wait(TimeSpan.FromSeconds(60)), "Dispose returned");
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // a background line after the test ended
        }
    }

    private static void FillUp(string mountPath)
    {
        var buffer = new byte[1 << 16];
        try
        {
            using var filler = new FileStream(Path.Combine(mountPath, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, 0);
            while (true)
                filler.Write(buffer);
        }
        catch (IOException)
        {
        }
        try
        {
            // small files take the last free inodes' blocks and fragments
            for (int i = 0; ; i++)
                File.WriteAllBytes(Path.Combine(mountPath, $"filler-{i}"), buffer.AsSpan(0, 1024).ToArray());
        }
        catch (IOException)
        {
        }
    }
}
