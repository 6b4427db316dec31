using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Box.Agent.Usage;

/// <summary>Turns a tally into <c>box/{id}/usage</c> documents (docs/contract.md
/// §3.9): one per <paramref name="maxTokens"/> token entries, consecutive seqs,
/// the same from/to, each report's totals the sum of its own tokens (so the
/// cloud can add reports up without knowing they were split).</summary>
internal static class UsageReports
{
    public static List<string> Build(UsageTally tally, long firstSeq, long from, long to, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var entries = tally.Sorted();
        var reports = new List<string>((entries.Count + maxTokens - 1) / maxTokens);
        for (var start = 0; start < entries.Count; start += maxTokens)
        {
            var part = entries.GetRange(start, Math.Min(maxTokens, entries.Count - start));
            reports.Add(Write(firstSeq + reports.Count, from, to, part));
        }
        return reports;
    }

    private static string Write(long seq, long from, long to, List<(UsageKey Key, long Bytes, long Requests)> tokens)
    {
        long bytes = 0, requests = 0;
        foreach (var token in tokens)
        {
            bytes += token.Bytes;
            requests += token.Requests;
        }
        var buffer = new ArrayBufferWriter<byte>(128 + tokens.Count * 160);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seq", seq);
            w.WriteNumber("from", from);
            w.WriteNumber("to", to);
            w.WriteNumber("bytes", bytes);
            w.WriteNumber("requests", requests);
            w.WriteStartArray("tokens");
            foreach (var token in tokens)
            {
                w.WriteStartObject();
                w.WriteString("jti", token.Key.Jti);
                w.WriteString("h", token.Key.Hash.ToString());
                w.WriteNumber("bytes", token.Bytes);
                w.WriteNumber("requests", token.Requests);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
