using System.Reflection;
using System.Text.Json;

namespace Box.Hal.Profiles;

/// <summary>Loads and validates board profiles: the built-in ones (embedded JSON) or a file.</summary>
public static class BoardProfiles
{
    private const string ResourcePrefix = "Box.Hal.Profiles.";

    /// <summary>Names of the built-in profiles, e.g. "onecloud", "qemu-virt", "rpi4", "sim".</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } =
        typeof(BoardProfiles).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^".json".Length])
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>A built-in profile by name, or a JSON file by path. Throws
    /// <see cref="BoardProfileException"/> with a one-line message naming the file and field.</summary>
    public static BoardProfile Load(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (BuiltInNames.Contains(nameOrPath))
        {
            using var stream = typeof(BoardProfiles).Assembly.GetManifestResourceStream(ResourcePrefix + nameOrPath + ".json")!;
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), $"built-in profile '{nameOrPath}'");
        }
        if (File.Exists(nameOrPath))
        {
            string text;
            try { text = File.ReadAllText(nameOrPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BoardProfileException($"{nameOrPath}: cannot read: {e.Message}", e);
            }
            return Parse(text, nameOrPath);
        }
        if (nameOrPath.Contains('/') || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new BoardProfileException($"{nameOrPath}: no such board profile file");
        throw new BoardProfileException($"unknown board '{nameOrPath}' (built-in: {string.Join(", ", BuiltInNames)}; or give a profile file path)");
    }

    /// <summary>Parses and validates profile JSON; <paramref name="source"/> names it in errors.</summary>
    public static BoardProfile Parse(string json, string source)
    {
        BoardProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, HalJsonContext.Default.BoardProfile);
        }
        catch (JsonException e)
        {
            throw new BoardProfileException($"{source}: {Describe(e)}", e);
        }
        if (profile is null)
            throw new BoardProfileException($"{source}: empty profile (expected a JSON object)");
        profile.Source = source;
        BoardProfileValidator.Validate(profile, source);
        return profile;
    }

    /// <summary>"line 4, leds.status: …" from System.Text.Json's message.</summary>
    private static string Describe(JsonException e)
    {
        string message = e.Message;
        int cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        // Deserialization messages name our CLR types; the field path says it better.
        message = message.Replace($"{typeof(BoardProfile).Namespace}.", "", StringComparison.Ordinal);
        string where = e.LineNumber is long line ? $"line {line + 1}" : "";
        string path = e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "";
        string prefix = string.Join(", ", new[] { where, path }.Where(s => s.Length > 0));
        return prefix.Length > 0 ? $"{prefix}: {message.Trim()}" : message.Trim();
    }
}
