using System.Diagnostics;
using System.Globalization;

namespace Box.Agent.Telemetry;

/// <summary>CPU share and resident memory of this process, read from /proc.</summary>
public sealed class ProcessMetrics
{
    private TimeSpan _lastCpu;
    private long _lastTicks = Stopwatch.GetTimestamp();

    public readonly record struct Reading(double CpuPercent, long RssBytes);

    /// <summary>CPU use since the previous sample as a share of one core (0–100 × cores), and RSS now.</summary>
    public Reading Sample()
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var now = Stopwatch.GetTimestamp();
        var wall = Stopwatch.GetElapsedTime(_lastTicks, now);
        var percent = wall > TimeSpan.Zero ? (cpu - _lastCpu).TotalMilliseconds / wall.TotalMilliseconds * 100 : 0;
        _lastCpu = cpu;
        _lastTicks = now;
        return new Reading(Math.Round(Math.Max(0, percent), 1), ReadRssBytes());
    }

    /// <summary>VmRSS from /proc/self/status (what the kernel charges us), 0 if unavailable.</summary>
    public static long ReadRssBytes(string statusPath = "/proc/self/status")
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var digits = line.AsSpan(6).Trim();
                var space = digits.IndexOf(' ');
                if (space > 0) digits = digits[..space];
                return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 0;
    }

    /// <summary>Total and free bytes of the filesystem holding <paramref name="path"/>; zeros if unreadable.</summary>
    public static (long Total, long Free) FileSystemSpace(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (0, 0);
        }
    }
}
