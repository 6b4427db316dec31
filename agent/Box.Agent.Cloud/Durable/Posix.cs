using System.Runtime.InteropServices;

namespace Box.Agent.Cloud.Durable;

internal static partial class Posix
{
    // O_RDONLY opens a directory too; O_DIRECTORY is avoided because its
    // value differs between x86_64 and arm64.
    public const int ReadOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
