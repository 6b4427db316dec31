using Box.Agent.Persistence;

namespace Box.Agent.Tests.Persistence;

public class AtomicFileTests
{
    [Fact]
    public void Writes_replaces_and_leaves_no_temp_files()
    {
        using var dir = new TempDir();
        var path = dir.Combine("sub", "state.json");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Combine("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public void Failed_write_keeps_the_old_content()
    {
        using var dir = new TempDir();
        var path = dir.Combine("owner.json");
        AtomicFile.WriteAllText(path, "old");
        // A directory where the temp file should go makes the write fail before the rename.
        Directory.CreateDirectory($"{path}.tmp-{Environment.ProcessId}");
        var e = Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllText(path, "new"));
        Assert.True(e is IOException or UnauthorizedAccessException, e.GetType().Name);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Delete_is_idempotent()
    {
        using var dir = new TempDir();
        var path = dir.Combine("x");
        AtomicFile.WriteAllText(path, "x");
        AtomicFile.Delete(path);
        AtomicFile.Delete(path);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Syncing_a_missing_directory_names_it()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("nope");
        Assert.Contains(missing, Assert.Throws<IOException>(() => AtomicFile.SyncDirectory(missing)).Message);
    }
}
