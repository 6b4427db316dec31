using System.Globalization;

namespace Box.Ctl.Cli;

/// <summary>
/// Hand-written argument reader. Options are taken out by name wherever they
/// stand (<c>--name value</c> or <c>--name=value</c>), so global and
/// subcommand options mix freely with positionals; whatever is left at the
/// end is an error naming it.
/// </summary>
public sealed class ArgReader(IEnumerable<string> args)
{
    readonly List<string> _args = [.. args];

    /// <summary>Value of <c>--name</c>, or null when absent. Given twice is an error.</summary>
    public string? Option(string name)
    {
        string? value = null;
        bool seen = false;
        for (int i = 0; i < _args.Count;)
        {
            string a = _args[i];
            if (a == name)
            {
                if (i + 1 >= _args.Count)
                    throw new UsageException($"{name} needs a value");
                Once(name, ref seen);
                value = _args[i + 1];
                _args.RemoveRange(i, 2);
            }
            else if (a.StartsWith(name + "=", StringComparison.Ordinal))
            {
                Once(name, ref seen);
                value = a[(name.Length + 1)..];
                _args.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
        return value;
    }

    public string RequireOption(string name, string what) =>
        Option(name) ?? throw new UsageException($"{name} is required ({what})");

    /// <summary>True when <c>--name</c> is present (removes it).</summary>
    public bool Flag(string name)
    {
        bool found = false;
        for (int i = _args.Count - 1; i >= 0; i--)
            if (_args[i] == name)
            {
                found = true;
                _args.RemoveAt(i);
            }
        return found;
    }

    public long? LongOption(string name, long min, long max)
    {
        string? text = Option(name);
        if (text is null)
            return null;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
            throw new UsageException($"{name} must be an integer from {min} to {max}, not '{text}'");
        return value;
    }

    public double? DoubleOption(string name, double min, double max)
    {
        string? text = Option(name);
        if (text is null)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= min && value <= max))
            throw new UsageException($"{name} must be a number from {min} to {max}, not '{text}'");
        return value;
    }

    /// <summary>Next positional argument (anything not starting with "--";
    /// a lone "-" is positional), or null.</summary>
    public string? Positional()
    {
        int i = _args.FindIndex(a => !a.StartsWith("--", StringComparison.Ordinal));
        if (i < 0)
            return null;
        string value = _args[i];
        _args.RemoveAt(i);
        return value;
    }

    public string RequirePositional(string what) =>
        Positional() ?? throw new UsageException($"missing {what}");

    /// <summary>Fails on the first argument nobody took.</summary>
    public void EnsureEmpty(string command)
    {
        if (_args.Count == 0)
            return;
        string a = _args[0];
        throw new UsageException(a.StartsWith("--", StringComparison.Ordinal)
            ? $"unknown option {a.Split('=')[0]} for '{command}'"
            : $"unexpected argument '{a}' for '{command}'");
    }

    static void Once(string name, ref bool seen)
    {
        if (seen)
            throw new UsageException($"{name} given more than once");
        seen = true;
    }
}
