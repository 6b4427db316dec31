using System.Globalization;

namespace Box.Samples.Bme280Reporter;

/// <summary>Command line: [--bus N] [--address 0x76|0x77] [--interval-ms N] [--count N] [--fake].</summary>
internal sealed record Options(int Bus, int Address, TimeSpan Interval, int? Count, bool Fake)
{
    public const string Usage = "usage: bme280-reporter [--bus N] [--address 0x76|0x77] [--interval-ms N] [--count N] [--fake]";

    /// <summary>Parses the arguments; throws ArgumentException with a one-line message.</summary>
    public static Options Parse(string[] args)
    {
        var o = new Options(1, 0x76, TimeSpan.FromSeconds(2), null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--bus" => o with { Bus = Int(Value(), "--bus", 0, 255) },
                "--address" => o with { Address = ParseAddress(Value()) },
                "--interval-ms" => o with { Interval = TimeSpan.FromMilliseconds(Int(Value(), "--interval-ms", 100, 3_600_000)) },
                "--count" => o with { Count = Int(Value(), "--count", 1, int.MaxValue) },
                "--fake" => o with { Fake = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        return o;
    }

    private static int Int(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{name}: '{text}' is not a number in {min}..{max}");

    private static int ParseAddress(string text)
    {
        string hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v) && v is 0x76 or 0x77
            ? v : throw new ArgumentException($"--address: '{text}' is not a BME280 address (0x76 or 0x77)");
    }
}
