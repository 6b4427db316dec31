using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Box.Agent.Cloud.Durable;
using Box.Store;

namespace Box.Agent.Usage;

/// <summary>One generation of the served-request journal
/// (<c>journal-NNNNNNNN.log</c>): a CRC-framed record per served request,
/// appended with one pwrite(2) each, so a SIGKILL loses nothing that was
/// recorded (the page cache keeps it); fsynced in batches by the ledger, so a
/// power cut loses at most the last batch, and a torn tail it leaves is cut
/// off on open. Record: id = when (Unix ms), kind 1, payload
/// <c>[i64 bytes][32-byte chunk hash][jti UTF-8]</c>.
/// Not thread-safe (the ledger locks).</summary>
internal sealed class UsageJournal : IDisposable
{
    /// <summary>Longer ids are cut to this many characters (the HTTP server's
    /// request-line and header limits keep real tokens far shorter).</summary>
    public const int MaxJtiChars = 4096;

    private const string Prefix = "journal-";
    private const string Suffix = ".log";
    private const byte ServedKind = 1;
    private const int FixedPayload = sizeof(long) + ChunkHash.ByteLength;
    private const int MaxPayload = FixedPayload + MaxJtiChars * 3;

    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[FramedRecord.HeaderSize + MaxPayload];
    private long _length;

    private UsageJournal(long generation, string path, FileStream file, long length)
    {
        Generation = generation;
        Path = path;
        _file = file;
        _length = length;
    }

    public long Generation { get; }
    public string Path { get; }
    public long Length => _length;

    public static string FileName(long generation) => $"{Prefix}{generation.ToString("D8", CultureInfo.InvariantCulture)}{Suffix}";

    /// <summary>The journal files in <paramref name="directory"/>, oldest first.</summary>
    public static List<(long Generation, string Path)> List(string directory)
    {
        var list = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = System.IO.Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
                list.Add((generation, path));
        }
        list.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    public static UsageJournal Create(string directory, long generation)
    {
        var path = System.IO.Path.Combine(directory, FileName(generation));
        return new UsageJournal(generation, path, OpenStream(path, FileMode.Create), 0);
    }

    /// <summary>Opens an existing journal for appending, handing every intact
    /// record to <paramref name="onServed"/> and cutting a torn or corrupted
    /// tail (a power cut during an append; said through <paramref name="log"/>).</summary>
    public static UsageJournal Replay(string path, long generation, Action<string, ChunkHash, long> onServed, Action<string>? log)
    {
        var file = OpenStream(path, FileMode.Open);
        try
        {
            var records = new List<FramedRecord>();
            var valid = FramedRecord.Scan(file, MaxPayload, records.Add);
            foreach (var record in records)
            {
                var payload = record.ReadPayload(file);
                if (record.Kind != ServedKind || payload.Length < FixedPayload)
                    continue; // not written by this version: nothing to count
                var bytes = BinaryPrimitives.ReadInt64LittleEndian(payload);
                var hash = ChunkHash.FromBytes(payload.AsSpan(sizeof(long), ChunkHash.ByteLength));
                onServed(Encoding.UTF8.GetString(payload.AsSpan(FixedPayload)), hash, bytes);
            }
            if (valid < file.Length)
            {
                log?.Invoke($"usage ledger: {System.IO.Path.GetFileName(path)} has a torn or corrupted tail at byte {valid} of {file.Length} (a power cut during a write); cut it, kept {records.Count} records");
                file.SetLength(valid);
                file.Flush(flushToDisk: true);
            }
            return new UsageJournal(generation, path, file, valid);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static FileStream OpenStream(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);

    /// <summary>One pwrite(2) of one record. On failure nothing is counted as
    /// written: the next append overwrites whatever part of it landed.</summary>
    public void Append(string jti, ChunkHash hash, long bytes, long atUnixMs)
    {
        var payload = _buffer.AsSpan(FramedRecord.HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(payload, bytes);
        hash.WriteTo(payload[sizeof(long)..]);
        var jtiLength = Encoding.UTF8.GetBytes(jti, payload[FixedPayload..]);
        var record = _buffer.AsSpan(0, FramedRecord.HeaderSize + FixedPayload + jtiLength);
        FramedRecord.WriteHeader(record, atUnixMs, ServedKind);
        RandomAccess.Write(_file.SafeFileHandle, record, _length);
        _length += record.Length;
    }

    public void Sync() => _file.Flush(flushToDisk: true);

    /// <summary>Closes and removes the file (its records are in a committed report).</summary>
    public void Delete()
    {
        _file.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _file.Dispose();
}
