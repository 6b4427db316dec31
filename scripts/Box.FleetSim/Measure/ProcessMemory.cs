namespace Box.FleetSim.Measure;

/// <summary>Resident set size and thread count of this process, from /proc/self/status.</summary>
public static class ProcessMemory
{
    public static (long RssBytes, int Threads) Sample()
    {
        long rss = 0;
        int threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                threads = int.Parse(line.AsSpan(8).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return (rss, threads);
    }
}
