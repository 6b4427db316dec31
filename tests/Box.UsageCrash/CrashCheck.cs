using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Box.UsageCrash;

/// <summary>Checks, as the runs come in, what the ledger promises: every
/// acknowledged request is in exactly one report (nothing lost, nothing
/// counted twice), a request counted without an acknowledgement is the one a
/// kill caught in flight, seqs appear as 1, 2, 3… with no gap (a repeat is a
/// pending report handed over again and must be identical), each report adds
/// up, and the lifetime totals equal everything reported.</summary>
public sealed class CrashCheck
{
    private readonly Dictionary<long, (ulong, ulong)> _contentBySeq = [];
    private readonly HashSet<(int Run, int Thread, long Index)> _counted = [];
    private readonly Dictionary<(int Run, int Thread), long> _acked = [];
    private readonly List<string> _problems = [];

    public int Kills { get; set; }
    public long AckedRequests { get; private set; }
    public long AckedBytes { get; private set; }
    public long Reports { get; private set; }
    public long HandedAgain { get; private set; }
    public long ReportedBytes { get; private set; }
    public long ReportedRequests { get; private set; }
    public long BytesLost { get; private set; }
    public long RequestsLost { get; private set; }
    public long BytesCountedTwice { get; private set; }
    public long InFlightCounted { get; private set; }
    public IReadOnlyList<string> Problems => _problems;
    public bool Ok => _problems.Count == 0;

    private long MaxSeq => _contentBySeq.Count;

    private void Problem(string text)
    {
        if (_problems.Count < 50)
            _problems.Add(text);
    }

    /// <summary>A line the child's ledger logged as a failure.</summary>
    public void ChildComplained(string line) => Problem(line);

    /// <summary>A run's acknowledgements: thread t acknowledged indices 0..count-1.</summary>
    public void Acknowledged(int run, int thread, long count)
    {
        _acked[(run, thread)] = count;
        AckedRequests += count;
        for (long i = 0; i < count; i++)
            AckedBytes += CrashRecords.BytesFor(CrashRecords.Jti(run, thread, i));
    }

    /// <summary>A usage message as it left the queue, in queue order.</summary>
    public void Published(string payload)
    {
        Reports++;
        var report = JsonNode.Parse(payload)!.AsObject();
        var seq = report["seq"]!.GetValue<long>();
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(payload));
        var content = (BitConverter.ToUInt64(digest, 0), BitConverter.ToUInt64(digest, 8));
        if (_contentBySeq.TryGetValue(seq, out var seen))
        {
            HandedAgain++;
            if (seen != content)
                Problem($"seq {seq} was published with two different contents");
            return;
        }
        if (seq != MaxSeq + 1)
            Problem($"seq {seq} after {MaxSeq}: seqs must go 1, 2, 3… with no gap");
        _contentBySeq[seq] = content;
        long bytes = 0, requests = 0;
        foreach (var token in report["tokens"]!.AsArray())
        {
            var jti = token!["jti"]!.GetValue<string>();
            var tokenBytes = token["bytes"]!.GetValue<long>();
            var tokenRequests = token["requests"]!.GetValue<long>();
            bytes += tokenBytes;
            requests += tokenRequests;
            if (!CrashRecords.TryParse(jti, out var id))
            {
                Problem($"seq {seq}: token {jti} was never recorded");
                continue;
            }
            if (tokenBytes != CrashRecords.BytesFor(jti) || tokenRequests != 1)
                Problem($"seq {seq}: token {jti} has {tokenBytes} bytes in {tokenRequests} requests, recorded {CrashRecords.BytesFor(jti)} in 1");
            if (!_counted.Add(id))
            {
                BytesCountedTwice += tokenBytes;
                Problem($"seq {seq}: token {jti} was already in an earlier report (counted twice)");
            }
        }
        if (bytes != report["bytes"]!.GetValue<long>() || requests != report["requests"]!.GetValue<long>())
            Problem($"seq {seq}: totals {report["bytes"]}/{report["requests"]} are not the sum of its tokens {bytes}/{requests}");
        ReportedBytes += bytes;
        ReportedRequests += requests;
    }

    /// <summary>After the last, clean run: compares what was acknowledged with
    /// what was reported, and the ledger's own figures with the reports.</summary>
    public void Finish(long lifetimeBytes, long lifetimeRequests, long pending, long unreportedRequests)
    {
        foreach (var ((run, thread), count) in _acked)
        {
            for (long i = 0; i < count; i++)
            {
                if (_counted.Contains((run, thread, i)))
                    continue;
                BytesLost += CrashRecords.BytesFor(CrashRecords.Jti(run, thread, i));
                RequestsLost++;
                Problem($"acknowledged request {CrashRecords.Jti(run, thread, i)} is in no report (lost)");
            }
        }
        foreach (var (run, thread, index) in _counted)
        {
            var acked = _acked.GetValueOrDefault((run, thread));
            if (index < acked)
                continue;
            if (index == acked)
                InFlightCounted++; // recorded, killed before its acknowledgement
            else
                Problem($"request {CrashRecords.Jti(run, thread, index)} is reported but its thread acknowledged only {acked}");
        }
        if (lifetimeBytes != ReportedBytes || lifetimeRequests != ReportedRequests)
            Problem($"lifetime {lifetimeBytes} bytes / {lifetimeRequests} requests, reported {ReportedBytes} / {ReportedRequests}");
        if (pending != 0 || unreportedRequests != 0)
            Problem($"after the final cut: {pending} reports pending, {unreportedRequests} requests unreported");
    }

    public string Summary =>
        $"kills survived {Kills}; requests acknowledged {AckedRequests} ({AckedBytes} bytes); reports {Reports} ({MaxSeq} distinct seqs, {HandedAgain} handed over again after a kill); " +
        $"in-flight requests counted {InFlightCounted}; bytes lost {BytesLost}; bytes counted twice {BytesCountedTwice}; problems {_problems.Count}";
}
