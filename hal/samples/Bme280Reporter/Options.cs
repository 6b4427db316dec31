using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Box.Samples.Bme280Reporter;

/// <summary>Command line, parsed with System.CommandLine:
/// [--bus N] [--address 0x76|0x77] [--interval-ms N] [--count N] [--fake].</summary>
internal sealed record Options(int Bus, int Address, TimeSpan Interval, int? Count, bool Fake)
{
    /// <summary>Parses the arguments. Returns the options, or null with the exit
    /// code when there is nothing to run: 0 after --help, 2 after one line
    /// naming a bad argument on <paramref name="error"/>.</summary>
    public static Options? Parse(string[] args, TextWriter output, TextWriter error, out int exitCode)
    {
        var bus = Int("--bus", 0, 255, 1, "N", "I2C bus number (/dev/i2c-N)");
        var address = new Option<int?>("--address")
        {
            HelpName = "0x76|0x77",
            Description = "the sensor's I2C address (default 0x76)",
            CustomParser = ParseAddress,
        };
        address.CompletionSources.Add("0x76", "0x77");
        var interval = Int("--interval-ms", 100, 3_600_000, 2000, "N", "time between readings in ms");
        var count = new Option<int?>("--count")
        {
            HelpName = "N",
            Description = "stop after N readings (default: until SIGINT/SIGTERM)",
            CustomParser = r => Parse(r, "--count", 1, int.MaxValue),
        };
        var fake = new Option<bool>("--fake") { Description = "no sensor: plausible made-up readings" };
        var root = new RootCommand("""
            Reads a BME280 and prints one JSON line per reading:
              {"ts":1767225600,"temperatureC":21.52,"pressureHpa":1013.31,"humidityPercent":45.2}
            Exit codes: 0 clean stop (SIGINT/SIGTERM or --count reached), 2 bad arguments, 1 sensor failure.
            """)
        {
            bus, address, interval, count, fake,
        };
        Options? options = null;
        root.SetAction(r =>
        {
            options = new Options(r.GetValue(bus), r.GetValue(address) ?? 0x76, TimeSpan.FromMilliseconds(r.GetValue(interval)), r.GetValue(count), r.GetValue(fake));
            return 0;
        });

        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            error.WriteLine($"bme280-reporter: {parsed.Errors[0].Message} (--help for usage)");
            exitCode = 2;
            return null;
        }
        exitCode = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return options;
    }

    private static Option<int> Int(string name, int min, int max, int fallback, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, name, min, max) ?? fallback,
    };

    private static int? Parse(ArgumentResult r, string name, int min, int max)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max)
            return v;
        r.AddError($"{name}: '{text}' is not a number in {min}..{max}");
        return null;
    }

    private static int? ParseAddress(ArgumentResult r)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        string hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v) && v is 0x76 or 0x77)
            return v;
        r.AddError($"--address: '{text}' is not a BME280 address (0x76 or 0x77)");
        return null;
    }
}
