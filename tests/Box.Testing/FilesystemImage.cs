using System.Diagnostics;

namespace Box.Testing;

/// <summary>
/// A real filesystem in an image file under /tmp, mounted for a test and
/// unmounted (and deleted) on dispose, also when the test failed half-way.
/// ext4 mounts through the kernel (<c>mount -o loop</c>); vfat and exFAT,
/// which this kernel has no drivers for, through FUSE (<c>fusefat</c>,
/// <c>mount.exfat-fuse</c> on a loop device: as root it insists on a block
/// device). Needs root. <see cref="Unsupported"/> says why a type cannot be
/// made here, so a test can skip with that message instead of failing.
/// </summary>
public sealed class FilesystemImage : IDisposable
{
    private readonly TempDir _dir;
    private string? _loopDevice;
    private bool _mounted;

    private FilesystemImage(string fsType, TempDir dir)
    {
        FsType = fsType;
        _dir = dir;
        ImagePath = dir["fs.img"];
        MountPath = dir["mnt"];
    }

    public string FsType { get; }
    public string ImagePath { get; }
    public string MountPath { get; }

    /// <summary>Null when <paramref name="fsType"/> (ext4, vfat, exfat) can be
    /// created and mounted here, else the reason (missing tool, not root).</summary>
    public static string? Unsupported(string fsType)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return "filesystem images need root on Linux";
        var tools = fsType switch
        {
            "ext4" => new[] { "mkfs.ext4", "mount" },
            "vfat" => ["mkfs.vfat", "fusefat", "fusermount"],
            "exfat" => ["mkfs.exfat", "mount.exfat-fuse", "losetup", "fusermount"],
            _ => null,
        };
        if (tools is null)
            return $"unknown filesystem type {fsType}";
        var missing = tools.Where(t => FindTool(t) is null).ToList();
        if (missing.Count > 0)
            return $"{fsType}: {string.Join(", ", missing)} not installed (scripts/bootstrap installs them)";
        return File.Exists("/dev/fuse") || fsType == "ext4" ? null : $"{fsType}: /dev/fuse is missing";
    }

    /// <summary>Makes an image of <paramref name="mebibytes"/> MiB with
    /// <paramref name="fsType"/> and mounts it read-write.</summary>
    public static FilesystemImage Create(string fsType, int mebibytes)
    {
        if (Unsupported(fsType) is { } why)
            throw new InvalidOperationException(why);
        var image = new FilesystemImage(fsType, new TempDir($"fs-{fsType}"));
        try
        {
            Directory.CreateDirectory(image.MountPath);
            using (var file = new FileStream(image.ImagePath, FileMode.CreateNew))
                file.SetLength((long)mebibytes << 20);
            switch (fsType)
            {
                case "ext4":
                    Run("mkfs.ext4", "-q", "-F", "-m", "0", image.ImagePath);
                    Run("mount", "-o", "loop", image.ImagePath, image.MountPath);
                    break;
                case "vfat":
                    Run("mkfs.vfat", image.ImagePath);
                    image.StartDaemon("fusefat", "-o", "rw+", image.ImagePath, image.MountPath);
                    break;
                case "exfat":
                    Run("mkfs.exfat", image.ImagePath);
                    image._loopDevice = Run("losetup", "-f", "--show", image.ImagePath).Trim();
                    image.StartDaemon("mount.exfat-fuse", image._loopDevice, image.MountPath);
                    break;
            }
            image._mounted = true;
            Eventually.True(image.IsMounted, $"{fsType} image mounted at {image.MountPath}");
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Whether something is mounted at <see cref="MountPath"/> now.</summary>
    public bool IsMounted() => File.ReadLines("/proc/self/mounts").Any(l => l.Split(' ')[1] == MountPath);

    /// <summary>Remounts read-only (ext4: the kernel does it; FUSE types cannot).</summary>
    public void RemountReadOnly()
    {
        if (FsType != "ext4")
            throw new NotSupportedException($"{FsType}: remount is ext4 only here");
        Run("mount", "-o", "remount,ro", MountPath);
    }

    /// <summary>The disk is pulled: a lazy unmount, so open files stay usable
    /// while the path falls back to the empty mount-point directory.</summary>
    public void Yank()
    {
        Run("umount", "-l", MountPath);
        _mounted = false;
    }

    public void Dispose()
    {
        try
        {
            if (_mounted || IsMounted())
            {
                // Lazy: a test that failed may still hold files open on it.
                TryRun(FsType == "ext4" ? "umount" : "fusermount", FsType == "ext4" ? ["-l", MountPath] : ["-u", "-z", MountPath]);
                _mounted = false;
            }
            if (_loopDevice is not null)
                TryRun("losetup", "-d", _loopDevice);
        }
        finally
        {
            _dir.Dispose();
        }
    }

    private static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string Run(string tool, params string[] args) => Run(tool, args, default);

    private static string Run(string tool, string[] args, (string Name, string Value) env)
    {
        var start = new ProcessStartInfo(FindTool(tool) ?? tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (env.Name is not null)
            start.Environment[env.Name] = env.Value;
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        return stdout.Result;
    }

    /// <summary>A FUSE daemon keeps the pipes it inherited open for its whole
    /// life, so its output goes to a file instead of being read to the end.</summary>
    private void StartDaemon(string tool, params string[] args)
    {
        var log = _dir["daemon.log"];
        try
        {
            Run("sh", ["-c", "exec \"$0\" \"$@\" >\"$LOG\" 2>&1", FindTool(tool) ?? tool, .. args], ("LOG", log));
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message} {(File.Exists(log) ? File.ReadAllText(log).Trim() : "")}", e);
        }
    }

    private static void TryRun(string tool, params string[] args)
    {
        try
        {
            Run(tool, args);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
    }
}
