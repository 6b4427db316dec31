using System.Globalization;
using System.Text;
using Box.Platform;

namespace Box.Agent.Cloud.Link;

/// <summary>Hands out the <c>seq</c> of events: increasing across restarts and
/// never reused. Persists a reserved ceiling in blocks, so one fsync covers
/// <c>blockSize</c> events; a restart continues above the last ceiling, which
/// leaves a gap of at most one block (gaps are fine, reuse is not).
/// Thread-safe.</summary>
public sealed class EventSequence
{
    readonly object _gate = new();
    readonly string _path;
    readonly int _blockSize;
    long _next;
    long _ceiling;

    public EventSequence(string path, int blockSize = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _path = path;
        _blockSize = blockSize;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _next = ReadCeiling(path) + 1;
        _ceiling = _next - 1;
    }

    static long ReadCeiling(string path)
    {
        if (!File.Exists(path))
            return 0;
        var text = File.ReadAllText(path).Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return value;
        // The file is replaced atomically, so this is outside damage; refusing
        // to start would keep the box offline, so continue from the clock:
        // Unix milliseconds are above any seq this box can have reached.
        return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    /// <summary>The next seq; the first one after a restart costs an fsync.</summary>
    public long Next()
    {
        lock (_gate)
        {
            if (_next > _ceiling)
            {
                var ceiling = _next + _blockSize - 1;
                AtomicFile.Write(_path, Encoding.ASCII.GetBytes(ceiling.ToString(CultureInfo.InvariantCulture)));
                _ceiling = ceiling;
            }
            return _next++;
        }
    }
}
