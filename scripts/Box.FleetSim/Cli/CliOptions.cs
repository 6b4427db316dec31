using Box.Protocol.Topics;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Box.FleetSim.Cli;

/// <summary>Bad command line: one line naming the problem, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>System.CommandLine options with box-fleetsim's range checks and
/// messages (<c>MODE: --NAME: expected an integer MIN..MAX, got 'TEXT'</c>),
/// and the checks that need more than one token.</summary>
internal static class CliOptions
{
    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<int?> Int(string mode, string name, int min, int max, string helpName, string description) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                string text = Text(r);
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max)
                    return n;
                r.AddError($"{mode}: {name}: expected an integer {min}..{max}, got '{text}'");
                return null;
            },
        };

    public static Option<double?> Double(string mode, string name, double min, double max, string helpName, string description) =>
        new(name)
        {
            HelpName = helpName,
            Description = description,
            CustomParser = r =>
            {
                string text = Text(r);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= min && n <= max)
                    return n;
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{mode}: {name}: expected a number {min}..{max}, got '{text}'"));
                return null;
            },
        };

    static string Text(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    public static T Required<T>(string mode, string name, T? value) where T : struct =>
        value ?? throw new UsageException($"{mode}: {name} is required");

    public static string Required(string mode, string name, string? value) =>
        value ?? throw new UsageException($"{mode}: {name} is required");

    /// <summary>mqtt://host:port or mqtts://host:port.</summary>
    public static Uri Broker(string mode, string? text, string name = "--broker")
    {
        Required(mode, name, text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
            throw new UsageException($"{mode}: {name}: expected mqtt://host:port or mqtts://host:port, got '{text}'");
        return uri;
    }

    /// <summary>A topic prefix with {id} ending in '/'.</summary>
    public static string Prefix(string mode, string? text, string fallback)
    {
        var prefix = text ?? fallback;
        if (TopicLayout.Problem(prefix) is { } problem)
            throw new UsageException($"{mode}: --prefix: {problem}");
        return prefix;
    }
}
