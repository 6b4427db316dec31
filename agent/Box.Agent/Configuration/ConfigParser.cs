using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Box.Protocol.Tokens;
using Box.Protocol.Topics;

namespace Box.Agent.Configuration;

/// <summary>Reads and validates the configuration schema (docs/contract.md
/// "Configuration" plus agent-local keys) from a JSON object. Any invalid value
/// rejects the whole document; unknown keys become warnings and are ignored.
/// JsonNode only, no reflection, so it stays trim- and AOT-clean.</summary>
public static class ConfigParser
{
    /// <summary>Largest document accepted (the retained config topic is reachable by
    /// anyone who can write it; a huge one must not exhaust memory).</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    /// <summary>Parses UTF-8 JSON that must be an object.</summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.Length > MaxDocumentBytes)
            throw new ConfigException($"{source}: document is {utf8.Length} bytes, the limit is {MaxDocumentBytes}");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}: " : "";
            throw new ConfigException($"{source}: {where}invalid JSON ({FirstSentence(e.Message)})");
        }
        return node as JsonObject
            ?? throw new ConfigException($"{source}: expected a JSON object at the top level, got {Describe(node)}");
    }

    /// <summary>The defaults, written once: the initializers of <see cref="AgentConfig"/>
    /// and its sections (docs/contract.md's tables are checked against them by a test).</summary>
    private static readonly AgentConfig Defaults = new();

    /// <summary>Builds a validated configuration from <paramref name="doc"/>
    /// (defaults for absent keys). Unknown keys are appended to <paramref name="warnings"/>.</summary>
    public static AgentConfig Build(JsonObject doc, string source, List<string> warnings)
    {
        var root = new Section(doc, "", source, warnings);
        var config = new AgentConfig
        {
            Version = root.Long("version", Defaults.Version, 0, long.MaxValue),
            TelemetryIntervalSeconds = root.Int("telemetryIntervalSeconds", Defaults.TelemetryIntervalSeconds, 1, 86_400),
            Store = ReadStore(root.Object("store")),
            Serve = ReadServe(root.Object("serve")),
            Scheduler = ReadScheduler(root.Object("scheduler")),
            Pairing = ReadPairing(root.Object("pairing")),
            Id = root.String("id", null, CheckId),
            Board = root.String("board", null, s => s.Length == 0 ? "expected a board name" : null),
            SimDir = root.String("simDir", null, CheckPath),
            DataDir = root.String("dataDir", Defaults.DataDir, CheckPath)!,
            Http = root.String("http", null, CheckListenAddress),
            Broker = ReadBroker(root.Object("broker")),
            Queue = ReadQueue(root.Object("queue")),
            Firmware = ReadFirmware(root.Object("firmware")),
        };
        root.ReportUnknown();
        return config;
    }

    private static StoreConfig ReadStore(Section? s)
    {
        if (s is null) return new StoreConfig();
        var store = new StoreConfig
        {
            QuotaPercent = s.Int("quotaPercent", Defaults.Store.QuotaPercent, 1, 100),
            HighWatermarkPercent = s.Int("highWatermarkPercent", Defaults.Store.HighWatermarkPercent, 1, 100),
            LowWatermarkPercent = s.Int("lowWatermarkPercent", Defaults.Store.LowWatermarkPercent, 0, 100),
            QuotaBytes = s.Long("quotaBytes", Defaults.Store.QuotaBytes, 0, long.MaxValue),
            MaxConcurrentDownloads = s.Int("maxConcurrentDownloads", Defaults.Store.MaxConcurrentDownloads, 1, 16),
            WriteBytesPerSecond = s.Long("writeBytesPerSecond", Defaults.Store.WriteBytesPerSecond, 0, long.MaxValue),
            ScrubBytesPerSecond = s.Long("scrubBytesPerSecond", Defaults.Store.ScrubBytesPerSecond, 0, long.MaxValue),
        };
        if (store.LowWatermarkPercent > store.HighWatermarkPercent)
            throw s.Fail("lowWatermarkPercent",
                $"{store.LowWatermarkPercent} is above {s.PathOf("highWatermarkPercent")} ({store.HighWatermarkPercent})");
        s.ReportUnknown();
        return store;
    }

    private static ServeConfig ReadServe(Section? s)
    {
        if (s is null) return new ServeConfig();
        var serve = new ServeConfig
        {
            RateLimitBytesPerSecond = s.Long("rateLimitBytesPerSecond", Defaults.Serve.RateLimitBytesPerSecond, 0, long.MaxValue),
            MaxConnections = s.Int("maxConnections", Defaults.Serve.MaxConnections, 0, 65_535),
            MaxConnectionsPerClient = s.Int("maxConnectionsPerClient", Defaults.Serve.MaxConnectionsPerClient, 0, 65_535),
            ConnectionRateLimitBytesPerSecond = s.Long("connectionRateLimitBytesPerSecond", Defaults.Serve.ConnectionRateLimitBytesPerSecond, 0, long.MaxValue),
            Schedule = ReadSchedule(s),
        };
        s.ReportUnknown();
        return serve;
    }

    private static List<ServeWindow> ReadSchedule(Section serve)
    {
        var items = serve.Array("schedule");
        var windows = new List<ServeWindow>();
        if (items is null) return windows;
        for (var i = 0; i < items.Count; i++)
        {
            var item = serve.Element(items, i, "schedule");
            var from = item.String("from", null, CheckClock(allowMidnightEnd: false));
            var to = item.String("to", null, CheckClock(allowMidnightEnd: true));
            if (from is null) throw item.Fail("from", "required \"HH:MM\"");
            if (to is null) throw item.Fail("to", "required \"HH:MM\"");
            var rate = item.Long("rateLimitBytesPerSecond", 0, 0, long.MaxValue);
            item.ReportUnknown();
            var toMidnight = to == "24:00";
            var window = new ServeWindow(ParseClock(from), toMidnight ? TimeOnly.MinValue : ParseClock(to), rate, toMidnight);
            if (!toMidnight && window.From == window.To)
                throw item.Fail("to", $"equals from ({from}); use \"00:00\" to \"24:00\" for the whole day");
            windows.Add(window);
        }
        return windows;
    }

    private static SchedulerConfig ReadScheduler(Section? s)
    {
        if (s is null) return new SchedulerConfig();
        var config = new SchedulerConfig
        {
            PublicKeyPem = s.String("publicKeyPem", null, CheckPublicKeyPem),
            PublicKeys = s.StringMap("publicKeys", CheckKid, CheckPublicKeyPem),
        };
        s.ReportUnknown();
        return config;
    }

    private static PairingConfig ReadPairing(Section? s)
    {
        if (s is null) return new PairingConfig();
        var pairing = new PairingConfig
        {
            HoldSeconds = s.Int("holdSeconds", Defaults.Pairing.HoldSeconds, 1, 60),
            FactoryResetHoldSeconds = s.Int("factoryResetHoldSeconds", Defaults.Pairing.FactoryResetHoldSeconds, 2, 120),
            WindowSeconds = s.Int("windowSeconds", Defaults.Pairing.WindowSeconds, 30, 3600),
        };
        if (pairing.FactoryResetHoldSeconds <= pairing.HoldSeconds)
            throw s.Fail("factoryResetHoldSeconds",
                $"{pairing.FactoryResetHoldSeconds} must be longer than {s.PathOf("holdSeconds")} ({pairing.HoldSeconds})");
        s.ReportUnknown();
        return pairing;
    }

    private static BrokerConfig ReadBroker(Section? s)
    {
        if (s is null) return new BrokerConfig();
        var broker = new BrokerConfig
        {
            Url = s.String("url", null, CheckBrokerUrl),
            CaFile = s.String("caFile", null, CheckPath),
            CertFile = s.String("certFile", null, CheckPath),
            KeyFile = s.String("keyFile", null, CheckPath),
            Username = s.String("username", null, null),
            Password = s.String("password", null, null),
            TopicPrefix = s.String("topicPrefix", Defaults.Broker.TopicPrefix, CheckTopicPrefix)!,
            ReconnectWindowSeconds = s.Int("reconnectWindowSeconds", Defaults.Broker.ReconnectWindowSeconds, 0, 3600),
        };
        if ((broker.CertFile is null) != (broker.KeyFile is null))
            throw s.Fail(broker.CertFile is null ? "certFile" : "keyFile", "certFile and keyFile go together");
        s.ReportUnknown();
        return broker;
    }

    private static QueueConfig ReadQueue(Section? s)
    {
        if (s is null) return new QueueConfig();
        var queue = new QueueConfig
        {
            MaxMessages = s.Int("maxMessages", Defaults.Queue.MaxMessages, 1, 1_000_000),
            MaxBytes = s.Long("maxBytes", Defaults.Queue.MaxBytes, 4096, 1L << 40),
        };
        s.ReportUnknown();
        return queue;
    }

    private static FirmwareConfig ReadFirmware(Section? s)
    {
        if (s is null) return new FirmwareConfig();
        var firmware = new FirmwareConfig { PublicKeyFile = s.String("publicKeyFile", null, CheckPath) };
        s.ReportUnknown();
        return firmware;
    }

    // ---- value checks: return null when fine, else why not ----

    internal static string? CheckBrokerUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
            return $"\"{value}\" is not a URL; expected mqtt://host:port or mqtts://host:port";
        if (uri.Scheme != "mqtt" && uri.Scheme != "mqtts")
            return $"scheme \"{uri.Scheme}\" is not supported; expected mqtt://host:port or mqtts://host:port";
        if (string.IsNullOrEmpty(uri.Host))
            return $"\"{value}\" has no host";
        return null;
    }

    internal static string? CheckListenAddress(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1 || value.EndsWith(']'))
            return $"\"{value}\" is not ADDR:PORT (e.g. 0.0.0.0:8080)";
        if (!IPEndPoint.TryParse(value, out _) ||
            !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return $"\"{value}\" is not ADDR:PORT with a numeric IP address and a port 0..65535";
        return null;
    }

    private static string? CheckId(string value)
    {
        if (value.Length == 0 || value.Length > BoxId.MaxLength) return $"expected 1..{BoxId.MaxLength} characters";
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return $"\"{value}\" may only contain letters, digits, '-', '_' and '.' (it is part of MQTT topics)";
        return null;
    }

    // The layout rules are the contract's, shared with boxctl and the link.
    private static string? CheckTopicPrefix(string value) => TopicLayout.Problem(value);

    private static string? CheckPath(string value) => value.Length == 0 ? "expected a path" : null;

    // One rule for scheduler keys: the verifier's (ES256 only, P-256).
    private static string? CheckPublicKeyPem(string value) => ChunkTokenKeys.Problem(value);

    /// <summary>A token header's <c>kid</c>: 1..64 printable ASCII characters.</summary>
    private static string? CheckKid(string kid) =>
        kid.Length is >= 1 and <= 64 && kid.All(c => c is > ' ' and < (char)127) ? null : "expected a key id of 1..64 printable ASCII characters";

    private static Func<string, string?> CheckClock(bool allowMidnightEnd) => value =>
    {
        if (allowMidnightEnd && value == "24:00") return null;
        return IsClock(value) ? null : $"\"{value}\" is not HH:MM (00:00..23:59)";
    };

    private static bool IsClock(string v) =>
        v.Length == 5 && v[2] == ':' &&
        char.IsAsciiDigit(v[0]) && char.IsAsciiDigit(v[1]) && char.IsAsciiDigit(v[3]) && char.IsAsciiDigit(v[4]) &&
        (v[0] - '0') * 10 + (v[1] - '0') < 24 && (v[3] - '0') * 10 + (v[4] - '0') < 60;

    private static TimeOnly ParseClock(string v) => new((v[0] - '0') * 10 + (v[1] - '0'), (v[3] - '0') * 10 + (v[4] - '0'));

    internal static string Describe(JsonNode? node)
    {
        if (node is null) return "null";
        var kind = node.GetValueKind();
        var text = kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => node.ToJsonString(),
        };
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message.TrimEnd('.');
    }

    /// <summary>One JSON object of the document, with the path used in messages
    /// and the keys read so far (the rest are unknown).</summary>
    private sealed class Section(JsonObject obj, string path, string source, List<string> warnings)
    {
        private readonly HashSet<string> _known = new(StringComparer.Ordinal);

        public string PathOf(string key) => path + key;

        public ConfigException Fail(string key, string problem) => new($"{source}: {PathOf(key)}: {problem}");

        private JsonNode? Take(string key, out bool present)
        {
            _known.Add(key);
            present = obj.TryGetPropertyValue(key, out var node);
            return node;
        }

        public long Long(string key, long fallback, long min, long max)
        {
            var node = Take(key, out var present);
            if (!present) return fallback;
            var range = max == long.MaxValue ? $"≥ {min}" : $"{min}..{max}";
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number ||
                !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
                throw Fail(key, $"expected integer {range}, got {Describe(node)}");
            if (result < min || result > max)
                throw Fail(key, $"expected integer {range}, got {result}");
            return result;
        }

        public int Int(string key, int fallback, int min, int max) => (int)Long(key, fallback, min, max);

        public string? String(string key, string? fallback, Func<string, string?>? check)
        {
            var node = Take(key, out var present);
            if (!present) return fallback;
            if (node is null) return null; // explicit null unsets an optional string
            if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                throw Fail(key, $"expected string, got {Describe(node)}");
            var text = value.GetValue<string>();
            if (check?.Invoke(text) is { } problem)
                throw Fail(key, problem);
            return text;
        }

        public Section? Object(string key)
        {
            var node = Take(key, out var present);
            if (!present || node is null) return null;
            if (node is not JsonObject child)
                throw Fail(key, $"expected object, got {Describe(node)}");
            return new Section(child, PathOf(key) + ".", source, warnings);
        }

        /// <summary>An object of string values (<c>{"kid":"PEM"}</c>); empty when absent.</summary>
        public IReadOnlyDictionary<string, string> StringMap(string key, Func<string, string?> checkKey, Func<string, string?> checkValue)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            var node = Take(key, out var present);
            if (!present || node is null) return map;
            if (node is not JsonObject obj)
                throw Fail(key, $"expected object, got {Describe(node)}");
            foreach (var (name, value) in obj)
            {
                var itemPath = $"{key}.{name}";
                if (checkKey(name) is { } keyProblem) throw Fail(itemPath, keyProblem);
                if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                    throw Fail(itemPath, $"expected string, got {Describe(value)}");
                var text = v.GetValue<string>();
                if (checkValue(text) is { } problem) throw Fail(itemPath, problem);
                map[name] = text;
            }
            return map;
        }

        public JsonArray? Array(string key)
        {
            var node = Take(key, out var present);
            if (!present || node is null) return null;
            return node as JsonArray ?? throw Fail(key, $"expected array, got {Describe(node)}");
        }

        public Section Element(JsonArray array, int index, string arrayKey)
        {
            var itemPath = $"{PathOf(arrayKey)}[{index.ToString(CultureInfo.InvariantCulture)}]";
            return array[index] as JsonObject is { } item
                ? new Section(item, itemPath + ".", source, warnings)
                : throw new ConfigException($"{source}: {itemPath}: expected object, got {Describe(array[index])}");
        }

        public void ReportUnknown()
        {
            foreach (var (key, _) in obj)
                if (!_known.Contains(key))
                    warnings.Add($"{source}: {PathOf(key)}: unknown key, ignored");
        }
    }
}
