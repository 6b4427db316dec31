using Box.Platform;
using Box.Hal.Interop;

namespace Box.Hal.Storage;

/// <summary>mount(2) of <c>{root}/dev/&lt;device&gt;</c> at <c>{mountRoot}/&lt;fs-uuid&gt;</c> with
/// nodev,nosuid,noexec,noatime (a USB disk is untrusted data, never code or devices);
/// umount2(MNT_DETACH) on removal, since the disk may already be gone.</summary>
public sealed class LinuxMounter : IMounter
{
    private const ulong Flags = Libc.MS_NODEV | Libc.MS_NOSUID | Libc.MS_NOEXEC | Libc.MS_NOATIME;
    private readonly string _root;
    private readonly string _mountRoot;

    public LinuxMounter(string root, string mountRoot)
    {
        _root = root;
        _mountRoot = mountRoot;
    }

    public string Mount(DiskInfo disk)
    {
        if (disk.FsUuid is null || disk.FsType is null)
            throw new HalException($"{disk.Device}: cannot mount: filesystem type or UUID unknown");
        string source = Path.Combine(_root, "dev", disk.Device);
        string target = Path.Combine(_mountRoot, SafeName(disk.FsUuid));
        if (IsMountPoint(target))
            return target; // mounted by an earlier run of the agent
        Directory.CreateDirectory(target);
        string fsType = KernelDriver(disk.FsType);
        if (Libc.Mount(source, target, fsType, (nuint)Flags, null) != 0)
        {
            string error = Libc.LastErrorText();
            TryRemoveDir(target);
            throw new HalException($"{disk.Device}: mount {fsType} {source} on {target} failed: {error}");
        }
        return target;
    }

    public void Unmount(DiskInfo disk)
    {
        if (disk.MountPath is null)
            return;
        if (Libc.Umount2(disk.MountPath, Libc.MNT_DETACH) != 0)
            throw new HalException($"{disk.Device}: unmount {disk.MountPath} failed: {Libc.LastErrorText()}");
        TryRemoveDir(disk.MountPath);
    }

    /// <summary>The kernel filesystem that mounts what the superblock reader found:
    /// the ext4 driver serves ext2/3/4; NTFS goes to ntfs3 (read-write, in the
    /// kernel since 5.15), not the old read-only ntfs driver.</summary>
    public static string KernelDriver(string fsType) => fsType switch
    {
        "ext2" or "ext3" => "ext4",
        "ntfs" => "ntfs3",
        _ => fsType,
    };

    /// <summary>UUIDs are hex and dashes; anything else is replaced so a crafted label can't escape mountRoot.</summary>
    private static string SafeName(string uuid) =>
        string.Concat(uuid.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));

    private static bool IsMountPoint(string path)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "id parent major:minor root mountpoint options ..." with octal escapes for spaces.
                var fields = line.Split(' ');
                if (fields.Length > 4 && fields[4].Replace("\\040", " ", StringComparison.Ordinal) == path)
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return false;
    }

    private static void TryRemoveDir(string path)
    {
        try { Directory.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
