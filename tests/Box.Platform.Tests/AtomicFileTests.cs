using Box.Platform;

namespace Box.Platform.Tests;

public class AtomicFileTests
{
    [Fact]
    public void Writes_replaces_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        var path = dir.Combine("sub", "state.json");
        AtomicFile.WriteText(path, "one");
        AtomicFile.WriteText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Combine("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public void Streamed_content_is_written_under_the_same_rule()
    {
        using var dir = new TempDir();
        var path = dir.Combine("log");
        AtomicFile.Write(path, stream => { stream.Write([1, 2]); stream.Write([3]); });
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["log"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_leftover_temp_file_from_a_power_cut_is_overwritten()
    {
        using var dir = new TempDir();
        var path = dir.Combine("owner.json");
        File.WriteAllText(path + AtomicFile.TempSuffix, "torn half-write");
        AtomicFile.WriteText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void A_failing_writer_keeps_the_old_content_removes_the_temp_and_names_the_step()
    {
        using var dir = new TempDir();
        var path = dir.Combine("owner.json");
        AtomicFile.WriteText(path, "old");
        var e = Assert.Throws<DurableWriteException>(() =>
            AtomicFile.Write(path, stream => { stream.Write([9]); throw new IOException("disk yanked"); }));
        Assert.Equal("write temp file", e.Step);
        Assert.Equal(path, e.Path);
        Assert.Contains("disk yanked", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void A_failed_rename_keeps_the_old_content_and_removes_the_temp()
    {
        using var dir = new TempDir();
        // A directory where the file should be makes the rename fail after the temp is written.
        var path = dir.Combine("busy");
        Directory.CreateDirectory(path);
        var e = Assert.Throws<DurableWriteException>(() => AtomicFile.WriteText(path, "new"));
        Assert.Equal("rename temp file", e.Step);
        Assert.True(Directory.Exists(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Delete_is_durable_and_idempotent()
    {
        using var dir = new TempDir();
        var path = dir.Combine("x");
        AtomicFile.WriteText(path, "x");
        AtomicFile.Delete(path);
        AtomicFile.Delete(path);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Syncing_a_missing_directory_names_it()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("nope");
        var e = Assert.Throws<DurableWriteException>(() => AtomicFile.SyncDirectory(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("errno", e.Message);
    }
}
