using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Box.Agent.Configuration;

namespace Box.Agent.Tests.Configuration;

/// <summary>The defaults are written once, in <see cref="AgentConfig"/>; the
/// tables in docs/contract.md ("Configuration") must say the same.</summary>
public partial class ConfigDocsTests
{
    [GeneratedRegex(@"^\|\s*`(?<key>[a-zA-Z.]+)`\s*\|(?:\s*`--[a-z-]+`\s*\||\s*–\s*\|)?\s*(?<default>[^|]+?)\s*\|")]
    private static partial Regex Row();

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Box.sln")))
                return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException("Box.sln not found above the test assembly");
    }

    private static JsonNode? At(JsonObject doc, string path)
    {
        JsonNode? node = doc;
        foreach (var part in path.Split('.'))
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var next) ? next : throw new KeyNotFoundException(path);
        return node;
    }

    [Fact]
    public void Every_documented_default_is_the_one_the_parser_uses()
    {
        var defaults = ConfigJson.ToJson(ConfigParser.Build([], "defaults", []), redactSecrets: false);
        var text = File.ReadAllText(RepoFile("docs/contract.md"));
        var section = text[text.IndexOf("## 6. Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 4, StringComparison.Ordinal)];
        var checkedKeys = new List<string>();
        foreach (var line in section.Split('\n'))
        {
            var m = Row().Match(line);
            if (!m.Success) continue;
            var key = m.Groups["key"].Value;
            var documented = m.Groups["default"].Value.Trim('`');
            JsonNode? actual;
            try { actual = At(defaults, key); }
            catch (KeyNotFoundException) { continue; } // a key that lands later (marked so in the table)
            if (actual is JsonValue v && (long.TryParse(documented, out _) || documented.StartsWith('/') || documented.Contains('{')))
            {
                Assert.True(documented == v.ToJsonString().Trim('"'), $"docs/contract.md: {key} default is '{documented}', the parser's is {v.ToJsonString()}");
                checkedKeys.Add(key);
            }
        }
        Assert.True(checkedKeys.Count >= 14, $"only {checkedKeys.Count} defaults found in the tables: {string.Join(", ", checkedKeys)}");
    }
}
