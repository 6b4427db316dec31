using Box.Hal.Interop;

namespace Box.Hal.Storage;

/// <summary>Uevents appended to a file (the simulated board's <c>run/uevents</c>):
/// each record is the kernel wire format (NUL-terminated header and properties)
/// followed by a newline, so records end with "\0\n". The file is followed from
/// its current end; records written before the watcher started are not replayed.</summary>
public sealed class UeventFileTail : IUeventSource
{
    private readonly StreamFollower _follower;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[8192];

    /// <summary>Follows <paramref name="path"/>, creating it empty if absent.</summary>
    public UeventFileTail(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite)) { }
        _follower = new StreamFollower(path);
    }

    /// <summary>Appends one record in the format this class reads.</summary>
    public static void Append(string path, Uevent ev)
    {
        var record = UeventParser.Format(ev);
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        // One write per record, so a concurrent reader never sees half of one followed by another writer's.
        var bytes = new byte[record.Length + 1];
        record.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        f.Write(bytes);
    }

    public Uevent? Receive(CancellationToken cancel)
    {
        while (true)
        {
            while (TakeRecord() is { } record)
            {
                if (UeventParser.Parse(record) is { } ev)
                    return ev;
            }
            int n = _follower.Read(_buffer, cancel);
            if (n == 0)
                return null;
            _pending.AddRange(_buffer.AsSpan(0, n));
        }
    }

    private byte[]? TakeRecord()
    {
        for (int i = 1; i < _pending.Count; i++)
        {
            if (_pending[i] == (byte)'\n' && _pending[i - 1] == 0)
            {
                var record = _pending.GetRange(0, i).ToArray();
                _pending.RemoveRange(0, i + 1);
                return record;
            }
        }
        return null;
    }

    public void Dispose() => _follower.Dispose();
}
