using System.Security.Cryptography;
using Box.Platform;

namespace Box.Store.Ingest;

/// <summary>The temp file being filled and the SHA-256 of exactly the bytes
/// written to it. Both only grow together, so a resumed attempt appends to
/// the file and the hash without re-reading; a restart truncates both. Any
/// file error comes out as a <see cref="DownloadFailure"/> (disk_full or
/// no_disk).</summary>
internal sealed class ChunkFile : IDisposable
{
    /// <summary>The HResult (COR_E_IO) of the IOException .NET throws when the
    /// preallocation finds no room: it carries no errno, unlike every other
    /// file error on Linux, and .NET throws it for ENOSPC (or EFBIG, which a
    /// chunk of at most a few MiB cannot hit) only; other fallocate errors
    /// are ignored.</summary>
    private const int PreallocationFailed = unchecked((int)0x80131620);

    /// <summary>Writeback is started every this many bytes (see <see cref="StartWriteback"/>).</summary>
    private const long WritebackBytes = 1 << 20;

    private readonly FileStream _stream;
    private readonly string _path;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _writebackStart;

    private ChunkFile(FileStream stream, string path) => (_stream, _path) = (stream, path);

    /// <summary>Bytes written so far; the resume offset.</summary>
    public long Length { get; private set; }

    /// <summary>Creates (or truncates) the temp file. A leftover from before a
    /// power cut is not resumed: its tail may be pages that never reached the
    /// disk. The full size is preallocated where the filesystem can, so a full
    /// disk shows at once instead of after most of the chunk was fetched.</summary>
    public static ChunkFile Create(string path, long size)
    {
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                BufferSize = 0, // callers write large blocks; no second copy
                PreallocationSize = size,
            });
            return new ChunkFile(stream, path);
        }
        catch (IOException e) when (e.GetType() == typeof(IOException) && e.HResult == PreallocationFailed)
        {
            throw new DownloadFailure(DownloadOutcome.DiskFull, $"create {path}: no room for {size} bytes (No space left on device, errno 28)", inner: e);
        }
        catch (Exception e) when (DiskErrors.IsDiskError(e))
        {
            throw DiskErrors.Classify(e, "create", path);
        }
    }

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> block, CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(block, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (DiskErrors.IsDiskError(e))
        {
            throw DiskErrors.Classify(e, "write", _path);
        }
        _hash.AppendData(block.Span);
        Length += block.Length;
        if (Length - _writebackStart >= WritebackBytes)
            StartWriteback();
    }

    /// <summary>Asks the kernel to start writing what was appended since the
    /// last call, without waiting. The disk then fills while the network
    /// delivers the rest, the fsync at the end has little left to do, and the
    /// USB disk never holds a chunk's worth of dirty pages that would stall
    /// the chunk server's reads in one burst. A hint: filesystems without it
    /// (FUSE) simply write back later.</summary>
    private void StartWriteback()
    {
        if (!OperatingSystem.IsLinux())
            return;
        bool added = false;
        try
        {
            _stream.SafeFileHandle.DangerousAddRef(ref added);
            _ = Libc.SyncFileRange((int)_stream.SafeFileHandle.DangerousGetHandle(), _writebackStart, Length - _writebackStart, Libc.SYNC_FILE_RANGE_WRITE);
        }
        finally
        {
            if (added)
                _stream.SafeFileHandle.DangerousRelease();
        }
        _writebackStart = Length;
    }

    /// <summary>Back to an empty file and a fresh hash: the origin is sending from byte 0.</summary>
    public void Restart()
    {
        try
        {
            _stream.SetLength(0);
            _stream.Position = 0;
        }
        catch (Exception e) when (DiskErrors.IsDiskError(e))
        {
            throw DiskErrors.Classify(e, "truncate", _path);
        }
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Length = 0;
        _writebackStart = 0;
    }

    /// <summary>SHA-256 of the bytes written so far (the running hash goes on).</summary>
    public ChunkHash CurrentHash()
    {
        Span<byte> digest = stackalloc byte[ChunkHash.ByteLength];
        _hash.GetCurrentHash(digest);
        return ChunkHash.FromBytes(digest);
    }

    /// <summary>fsync: the store renames the file into place next, and a chunk
    /// the index lists must survive a power cut.</summary>
    public void Sync()
    {
        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (DiskErrors.IsDiskError(e))
        {
            throw DiskErrors.Classify(e, "fsync", _path);
        }
    }

    public void Dispose()
    {
        _hash.Dispose();
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (DiskErrors.IsDiskError(e))
        {
            // Closing a file on a disk that is gone; the outcome was decided already.
        }
    }
}
