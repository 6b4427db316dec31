using System.Buffers;
using System.Text.Json;
using Box.Platform;

namespace Box.Agent.Usage;

/// <summary>What the ledger commits at each cut, in one atomic file
/// (<c>state</c>): the next seq, which journal generation holds the served
/// requests not yet reported (older ones are already in reports), when the
/// current period began, the lifetime totals up to the last cut, and the
/// reports cut but not yet handed to the link (pending, as their exact JSON,
/// so a report handed over again after a crash is byte for byte the same).
/// Seq, reset tally and reports change together or not at all.</summary>
internal sealed record UsageState(long NextSeq, long Journal, long PeriodFrom, UsageFigures Lifetime, IReadOnlyList<string> Pending)
{
    public const string FileName = "state";
    private const int Format = 1;

    public static UsageState Fresh(long periodFrom, long firstSeq) => new(firstSeq, 0, periodFrom, default, []);

    /// <summary>The committed state, or null when there is none yet.
    /// Throws <see cref="UsageLedgerException"/> when it cannot be read.</summary>
    public static UsageState? Load(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
                return null;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageLedgerException($"usage ledger: cannot read {path}: {e.Message}", e);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Damaged(path, "not a JSON object");
            if (Number(root, "format", path) != Format)
                throw Damaged(path, $"format {root.GetProperty("format")} is not {Format}");
            var pending = new List<string>();
            if (!root.TryGetProperty("pending", out var list) || list.ValueKind != JsonValueKind.Array)
                throw Damaged(path, "no \"pending\" array");
            foreach (var report in list.EnumerateArray())
            {
                if (report.ValueKind != JsonValueKind.Object || !report.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out _))
                    throw Damaged(path, "a pending report without a seq");
                pending.Add(report.GetRawText());
            }
            var state = new UsageState(Number(root, "nextSeq", path), Number(root, "journal", path), Number(root, "periodFrom", path),
                new UsageFigures(Number(root, "lifetimeBytes", path), Number(root, "lifetimeRequests", path)), pending);
            if (state.NextSeq < 1 || state.Journal < 0 || state.Lifetime.Bytes < 0 || state.Lifetime.Requests < 0)
                throw Damaged(path, "a negative or zero counter");
            return state;
        }
        catch (JsonException e)
        {
            throw Damaged(path, e.Message, e);
        }
    }

    private static long Number(JsonElement root, string name, string path) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt64(out var number)
            ? number
            : throw Damaged(path, $"no integer \"{name}\"");

    private static UsageLedgerException Damaged(string path, string problem, Exception? inner = null) =>
        new($"usage ledger: {path} is damaged ({problem}); nothing was changed: the unreported usage and the pending reports are still in that file and the journals beside it", inner);

    /// <summary>Replaces the file atomically (fsynced, then renamed, then the directory fsynced).</summary>
    public void Save(string path)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + Pending.Sum(p => p.Length));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteNumber("nextSeq", NextSeq);
            w.WriteNumber("journal", Journal);
            w.WriteNumber("periodFrom", PeriodFrom);
            w.WriteNumber("lifetimeBytes", Lifetime.Bytes);
            w.WriteNumber("lifetimeRequests", Lifetime.Requests);
            w.WriteStartArray("pending");
            foreach (var report in Pending)
                w.WriteRawValue(report, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        AtomicFile.Write(path, buffer.WrittenMemory);
    }
}
