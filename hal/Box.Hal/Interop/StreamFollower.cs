using Box.Platform;

namespace Box.Hal.Interop;

/// <summary>Reads a device node or a growing regular file as one endless stream.
/// A character device (e.g. /dev/input/event0) is polled, so the reader wakes as
/// soon as the kernel has data and still notices cancellation. A regular file (the
/// simulated board's devices) is tailed: reading starts at its current end, so old
/// records are not replayed, and at end of file the reader waits ~20 ms before
/// looking again (never a busy spin).</summary>
internal sealed class StreamFollower : IDisposable
{
    private static readonly TimeSpan TailInterval = TimeSpan.FromMilliseconds(20);
    private const int PollTimeoutMs = 250;

    private readonly FileStream _stream;
    private readonly bool _isRegularFile;
    private long _position;

    /// <summary>Opens <paramref name="path"/>; throws IOException/UnauthorizedAccessException.</summary>
    public StreamFollower(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        _isRegularFile = _stream.CanSeek;
        if (_isRegularFile)
            _position = _stream.Length;
    }

    public string Path { get; }

    /// <summary>Blocks until some bytes arrive and returns how many; 0 once cancelled.</summary>
    public int Read(Span<byte> buffer, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            if (_isRegularFile)
            {
                long length = _stream.Length;
                if (length < _position)
                    _position = length; // truncated or recreated: follow from its new end
                if (length > _position)
                {
                    _stream.Position = _position;
                    int n = _stream.Read(buffer);
                    _position += n;
                    if (n > 0)
                        return n;
                }
                cancel.WaitHandle.WaitOne(TailInterval);
            }
            else
            {
                var pfd = new Libc.PollFd { Fd = (int)_stream.SafeFileHandle.DangerousGetHandle(), Events = Libc.POLLIN };
                int ready = Libc.Poll(ref pfd, 1, PollTimeoutMs);
                if (ready < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                        continue;
                    throw new IOException($"poll {Path}: {Libc.ErrorText(errno)}");
                }
                if (ready == 0)
                    continue;
                int n = _stream.Read(buffer);
                if (n == 0)
                    throw new IOException($"{Path}: device went away");
                return n;
            }
        }
        return 0;
    }

    public void Dispose() => _stream.Dispose();
}
