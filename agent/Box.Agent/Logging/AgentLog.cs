using System.Globalization;

namespace Box.Agent.Logging;

public enum LogLevel { Debug, Info, Warn, Error }

/// <summary>One line per event on stderr ("2025-01-02T03:04:05.678Z INFO message"),
/// and the last <see cref="Capacity"/> lines kept for <c>logs.tail</c> and the
/// status page. Called from any thread (HAL readers, HTTP, the supervisor).</summary>
public sealed class AgentLog
{
    public const int DefaultCapacity = 1000;

    private readonly object _gate = new();
    private readonly string[] _ring;
    private readonly TextWriter? _sink;
    private readonly TimeProvider _time;
    private int _next;
    private int _count;

    public AgentLog(TextWriter? sink, TimeProvider? time = null, int capacity = DefaultCapacity, LogLevel minimum = LogLevel.Info)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sink = sink;
        _time = time ?? TimeProvider.System;
        _ring = new string[capacity];
        Minimum = minimum;
    }

    public int Capacity => _ring.Length;

    public LogLevel Minimum { get; set; }

    public void Debug(string message) => Write(LogLevel.Debug, message);
    public void Info(string message) => Write(LogLevel.Info, message);
    public void Warn(string message) => Write(LogLevel.Warn, message);
    public void Error(string message) => Write(LogLevel.Error, message);

    public void Write(LogLevel level, string message)
    {
        if (level < Minimum) return;
        // One event, one line: embedded newlines would split it in journald and logs.tail.
        var flat = message.Contains('\n') ? message.Replace("\r", "").Replace('\n', ' ') : message;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {LevelName(level)} {flat}");
        lock (_gate)
        {
            _ring[_next] = line;
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
            if (_sink is not null)
            {
                try
                {
                    _sink.WriteLine(line);
                    _sink.Flush();
                }
                catch (IOException)
                {
                    // stderr gone (closed pipe): the ring still has the line.
                }
            }
        }
    }

    /// <summary>The newest <paramref name="lines"/> lines, oldest first.</summary>
    public IReadOnlyList<string> Tail(int lines)
    {
        lock (_gate)
        {
            var n = Math.Clamp(lines, 0, _count);
            var result = new string[n];
            var start = (_next - n + _ring.Length) % _ring.Length;
            for (var i = 0; i < n; i++)
                result[i] = _ring[(start + i) % _ring.Length];
            return result;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Debug => "DEBUG",
        LogLevel.Info => "INFO",
        LogLevel.Warn => "WARN",
        _ => "ERROR",
    };
}
