using System.Globalization;

namespace Box.FleetSim.Fleet;

public sealed record FleetOptions
{
    /// <summary><c>mqtt://host:port</c> (or mqtts://).</summary>
    public required string Broker { get; init; }
    public required int Count { get; init; }
    /// <summary>Number of the first box, so several processes can share one id scheme
    /// (each process is bounded by its open-file limit).</summary>
    public int First { get; init; } = 1;
    /// <summary>Topic prefix, must contain <c>{id}</c> and end with '/'.</summary>
    public string Prefix { get; init; } = "box/{id}/";
    /// <summary>Box ids: <c>{n}</c> with an optional .NET number format, n = First..First+Count-1.</summary>
    public string IdFormat { get; init; } = "sim-{n:00000}";
    /// <summary>Holds <c>boxes/&lt;id&gt;/{sim,data}</c>; kept between runs (queues, event seq).</summary>
    public required string Dir { get; init; }
    /// <summary>Boxes started per second; 0 = as fast as they can be built.</summary>
    public double RampPerSecond { get; init; }
    /// <summary>A LAN status page per box on 127.0.0.1 (an ephemeral port each).</summary>
    public bool Http { get; init; }
    public int TelemetryIntervalSeconds { get; init; } = 300;
    /// <summary>Where every box's log lines go, prefixed with its id; null = kept only
    /// in each box's ring (for <c>logs.tail</c>).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The id of box number <paramref name="n"/>.</summary>
    public string IdOf(int n) => FormatId(IdFormat, n);

    /// <summary>"sim-{n:00000}" → "sim-00042". Throws <see cref="FormatException"/> naming the format.</summary>
    public static string FormatId(string format, int n)
    {
        var open = format.IndexOf("{n", StringComparison.Ordinal);
        var close = open < 0 ? -1 : format.IndexOf('}', open);
        if (open < 0 || close < 0 || (format[open + 2] is not (':' or '}')))
            throw new FormatException($"--id-format: expected a {{n}} or {{n:FORMAT}} placeholder, got '{format}'");
        var spec = format[(open + 2)..close].TrimStart(':');
        return string.Concat(format.AsSpan(0, open), n.ToString(spec, CultureInfo.InvariantCulture), format.AsSpan(close + 1));
    }
}
