using System.Runtime.InteropServices;
using Box.Platform;
using Microsoft.Win32.SafeHandles;

namespace Box.Store;

/// <summary>Opens a chunk file for serving: one open(2) and one lseek(2) for
/// its length. A FileStream (or File.OpenHandle) costs openat + 3 fstat +
/// flock(LOCK_SH) + flock(LOCK_UN) + lseek per request (strace, 64 KiB
/// chunks): .NET emulates FileShare with advisory locks, and no FileShare
/// value skips the shared lock for read access. Nothing in the store locks
/// chunk files, so the lock protects nothing here. The handle's position is
/// left at the end: read it positionally (RandomAccess, sendfile).</summary>
public static class ServingFile
{
    public static SafeFileHandle Open(string path, out long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                length = RandomAccess.GetLength(handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            return handle;
        }
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
            throw Error(path, Marshal.GetLastPInvokeError());
        var file = new SafeFileHandle(fd, ownsHandle: true);
        length = Libc.LSeek(fd, 0, Libc.SEEK_END);
        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw Error(path, errno);
        }
        return file;
    }

    private static Exception Error(string path, int errno) => errno switch
    {
        Libc.ENOENT => new FileNotFoundException($"{path}: {Libc.ErrorText(errno)}", path),
        Libc.ENOTDIR => new DirectoryNotFoundException($"{path}: {Libc.ErrorText(errno)}"),
        Libc.EACCES or Libc.EPERM => new UnauthorizedAccessException($"{path}: {Libc.ErrorText(errno)}"),
        _ => new IOException($"{path}: {Libc.ErrorText(errno)}", errno),
    };
}
