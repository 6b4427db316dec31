using System.Globalization;
using Box.Protocol.Topics;

namespace Box.FleetSim.Cli;

/// <summary>Bad command line: one line naming the problem, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary><c>--name value</c>, <c>--name=value</c> and bare switches; each at most once,
/// unknown names refused.</summary>
public sealed class Args
{
    private readonly string _command;
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public Args(string command, IReadOnlyList<string> args, string[] valued, string[]? switches = null)
    {
        _command = command;
        switches ??= [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"{command}: unexpected argument '{arg}'");
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            string? value = null;
            if (switches.Contains(name) && eq < 0)
            {
            }
            else if (valued.Contains(name))
            {
                if (eq > 0)
                    value = arg[(eq + 1)..];
                else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    value = args[++i];
                if (string.IsNullOrEmpty(value))
                    throw new UsageException($"{command}: {name}: missing value");
            }
            else
            {
                throw new UsageException($"{command}: unknown flag {name} (allowed: {string.Join(' ', valued.Concat(switches))})");
            }
            if (!_values.TryAdd(name, value))
                throw new UsageException($"{command}: {name} given twice");
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        String(name) ?? throw new UsageException($"{_command}: {name} is required");

    public int Int(string name, int fallback, int min, int max)
    {
        if (String(name) is not { } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException($"{_command}: {name}: expected an integer {min}..{max}, got '{text}'");
        return n;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        if (String(name) is not { } text)
            return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException($"{_command}: {name}: expected a number {min}..{max}, got '{text}'");
        return n;
    }

    /// <summary>mqtt://host:port or mqtts://host:port.</summary>
    public Uri Broker(string name = "--broker")
    {
        var text = Required(name);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
            throw new UsageException($"{_command}: {name}: expected mqtt://host:port or mqtts://host:port, got '{text}'");
        return uri;
    }

    /// <summary>A topic prefix with {id} ending in '/'.</summary>
    public string Prefix(string fallback)
    {
        var prefix = String("--prefix") ?? fallback;
        if (TopicLayout.Problem(prefix) is { } problem)
            throw new UsageException($"{_command}: --prefix: {problem}");
        return prefix;
    }
}
