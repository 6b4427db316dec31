using System.Runtime.InteropServices;

namespace Box.Platform;

/// <summary>Every libc call the project makes, in one place, via source-generated
/// LibraryImport (AOT-clean, no native helper library; cheaper than Mono.Posix
/// for this handful). Constants are the Linux values shared by x86_64 and arm64.</summary>
public static partial class Libc
{
    private const string Lib = "libc";

    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_KOBJECT_UEVENT = 15;
    public const int SOL_SOCKET = 1;
    public const int SO_RCVBUF = 8;
    public const short POLLIN = 0x1;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_NOEXEC = 8;
    public const ulong MS_NOATIME = 1024;
    public const int MNT_DETACH = 2;

    public const int LINUX_REBOOT_CMD_RESTART = 0x01234567;

    /// <summary>A plain read-only open works on a directory too; O_DIRECTORY is
    /// left out because its value differs between x86_64 and arm64.</summary>
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int SEEK_END = 2;

    /// <summary>send(2) flags: never block, no SIGPIPE, more data follows (one packet for head and body).</summary>
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_MORE = 0x8000;

    public const int RLIMIT_NOFILE = 7;

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int ENOSPC = 28;
    public const int EROFS = 30;

    /// <summary>f_flag bit of a filesystem mounted read-only.</summary>
    public const ulong ST_RDONLY = 1;

    /// <summary>glibc's struct statvfs on 64-bit Linux (x86_64 and arm64 agree):
    /// eleven unsigned longs, then six reserved ints.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct StatVfs
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FsId;
        public ulong Flags;
        public ulong NameMax;
        public fixed int Spare[6];
    }

    /// <summary>sync_file_range: start writeback of the range, do not wait for it.</summary>
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, ref SockaddrNl addr, int addrLen);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, ref int value, int len);

    [LibraryImport(Lib, EntryPoint = "recvfrom", SetLastError = true)]
    public static unsafe partial nint RecvFrom(int fd, byte* buffer, nuint length, int flags, ref SockaddrNl from, ref int fromLen);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fd, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nuint length, int flags);

    public static unsafe nint Send(int fd, ReadOnlySpan<byte> buffer, int flags)
    {
        fixed (byte* start = buffer)
            return Send(fd, start, (nuint)buffer.Length, flags);
    }

    /// <summary>sendfile(2) with a 64-bit offset (off_t on 64-bit Linux).</summary>
    [LibraryImport(Lib, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, ref long offset, nuint count);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport(Lib, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, in RLimit limit);

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fsType, nuint flags, string? data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(Lib, EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatVfsOf(string path, out StatVfs result);

    [LibraryImport(Lib, EntryPoint = "sync")]
    public static partial void Sync();

    [LibraryImport(Lib, EntryPoint = "reboot", SetLastError = true)]
    public static partial int Reboot(int cmd);

    /// <summary>"Operation not permitted (errno 1)" for the last failed call.</summary>
    public static string LastErrorText()
    {
        int errno = Marshal.GetLastPInvokeError();
        return ErrorText(errno);
    }

    public static string ErrorText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
