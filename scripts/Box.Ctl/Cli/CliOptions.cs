using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Box.Protocol.Topics;

namespace Box.Ctl.Cli;

/// <summary>System.CommandLine options with boxctl's range checks and
/// messages (<c>--NAME must be an integer from MIN to MAX, not 'TEXT'</c>).</summary>
internal static class CliOptions
{
    public static Option<string?> Text(string name, string helpName, string description, bool recursive = false) =>
        new(name) { HelpName = helpName, Description = description, Recursive = recursive };

    public static Option<long?> Long(string name, long min, long max, string helpName, string description, bool recursive = false) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            Recursive = recursive,
            CustomParser = r => ParseLong(r, name, min, max),
        };

    public static Option<double?> Double(string name, double min, double max, string helpName, string description) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max)
                    return value;
                r.AddError($"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
                return null;
            },
        };

    public static Option<bool> Flag(string name, string description, bool recursive = false) =>
        new(name) { Description = description, Recursive = recursive };

    /// <summary>A box id from the command line or a file: one topic level
    /// (<see cref="BoxId"/>), else a usage error.</summary>
    public static string ValidBoxId(string boxId) =>
        BoxId.Problem(boxId) is { } problem ? throw new UsageException(problem) : boxId;

    static long? ParseLong(ArgumentResult r, string name, long min, long max)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max)
            return value;
        r.AddError($"{name} must be an integer from {min} to {max}, not '{text}'");
        return null;
    }
}
