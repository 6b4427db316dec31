using System.Security.Cryptography;

namespace Box.Store;

/// <summary>Reads a chunk file back and checks it is what its name says.</summary>
internal static class ChunkFile
{
    private const int BlockSize = 64 * 1024;

    /// <summary>SHA-256 of the file's bytes, read at the limiter's rate.</summary>
    public static ChunkHash Hash(string path, ByteRateLimiter limiter, CancellationToken stop, out long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BlockSize];
        length = 0;
        int n;
        while ((n = file.Read(buffer)) > 0)
        {
            stop.ThrowIfCancellationRequested();
            sha.AppendData(buffer.AsSpan(0, n));
            length += n;
            limiter.Consume(n, stop);
        }
        Span<byte> digest = stackalloc byte[ChunkHash.ByteLength];
        sha.GetHashAndReset(digest);
        return ChunkHash.FromBytes(digest);
    }

    /// <summary>Removes a file or directory inside the store; gone already is fine.</summary>
    public static void Remove(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            else
                File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
