using System.Diagnostics;
using System.Globalization;
using Box.Store;
using Box.Store.Ingest;

// box-ingest-bench BASE_URL LIST OUT_DIR
//   LIST: one "name sha256 size" per line (sha256sum order plus a size);
//   each BASE_URL/name is downloaded to OUT_DIR/name, sequentially.
// Prints "RESULT files=N bytes=B seconds=S"; exit 1 on any failed download.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: box-ingest-bench BASE_URL LIST OUT_DIR");
    return 2;
}
var (baseUrl, list, outDir) = (args[0].TrimEnd('/'), args[1], args[2]);
var chunks = File.ReadAllLines(list).Where(l => l.Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
    .Select(f => (Name: f[0], Hash: ChunkHash.Parse(f[1]), Size: long.Parse(f[2], CultureInfo.InvariantCulture))).ToList();
using var downloader = new ChunkDownloader(new DownloaderOptions());

// The agent is a long-running process: one untimed download first, so the
// figure is not the JIT's (curl, the peer, is native code).
var warm = chunks[0];
if (!await DownloadAsync(warm, Path.Combine(outDir, "warm-up.part")))
    return 1;
File.Delete(Path.Combine(outDir, "warm-up.part"));

long bytes = 0;
var clock = Stopwatch.StartNew();
foreach (var c in chunks)
{
    if (!await DownloadAsync(c, Path.Combine(outDir, c.Name)))
        return 1;
    bytes += c.Size;
}
clock.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT files={chunks.Count} bytes={bytes} seconds={clock.Elapsed.TotalSeconds:F3}"));
return 0;

async Task<bool> DownloadAsync((string Name, ChunkHash Hash, long Size) c, string path)
{
    var result = await downloader.DownloadAsync(new DownloadRequest($"{baseUrl}/{c.Name}", c.Hash, c.Size, path), null, default);
    if (!result.IsVerified)
        Console.Error.WriteLine($"{c.Name}: {result.ErrorCode}: {result.Message}");
    return result.IsVerified;
}
