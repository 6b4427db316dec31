using System.Net;
using System.Security.Cryptography;
using Box.Agent.Hosting;
using Box.Agent.Http;
using Box.Agent.Serving;
using Box.Protocol.Tokens;
using Box.Store;

// box-servebench DIR PORT [RATE_BYTES_PER_S [PER_CONNECTION_BYTES_PER_S]]
// Serves DIR's files (named by SHA-256 hex) on 127.0.0.1:PORT with the real
// chunk endpoint; prints "TOKEN <hash> <token>" per file, then "READY", and
// on stdin EOF or SIGTERM prints "SERVED bytes=… requests=…" and exits.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: box-servebench DIR PORT [RATE [PER_CONNECTION_RATE]]");
    return 2;
}
string dir = args[0];
int port = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
long rate = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
long perConnection = args.Length > 3 ? long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0;

using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
using var keys = ChunkTokenKeys.FromPem(null, new Dictionary<string, string> { ["bench"] = key.ExportSubjectPublicKeyInfoPem() });
var verifier = new ChunkTokenVerifier(keys, TimeProvider.System);
var minter = new ChunkTokenMinter(key, "bench");
var traffic = new ChunkTraffic();
var router = new HttpRouter();
router.MapChunks(new ChunkServerOptions
{
    Reader = new DirectoryReader(dir),
    Verifier = () => verifier,
    BoxId = "bench",
    Traffic = traffic,
    Limiter = rate > 0 || perConnection > 0 ? new ServeRateLimiter(new ServeRateSettings(rate, [], perConnection)) : null,
});
var limits = new HttpServerLimits { MaxConnectionsPerAddress = 1024, MaxConnections = 4096, MaxRequestsPerConnection = int.MaxValue };
await using var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, port), router, limits);
await server.StartAsync();
foreach (var file in Directory.EnumerateFiles(dir))
{
    var name = Path.GetFileName(file);
    if (ChunkHash.TryParse(name, out _))
        Console.WriteLine($"TOKEN {name} {minter.Mint(name, DateTimeOffset.UtcNow.AddHours(6), "bench-" + name[..8])}");
}
Console.WriteLine("READY");
var done = new TaskCompletionSource();
using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    done.TrySetResult();
});
_ = Task.Run(() =>
{
    while (Console.In.ReadLine() is not null)
    {
    }
    done.TrySetResult();
});
await done.Task;
Console.WriteLine($"SERVED bytes={traffic.BytesServed} requests={traffic.Requests}");
return 0;

internal sealed class DirectoryReader(string directory) : IChunkReader
{
    public ChunkRead OpenRead(ChunkHash hash)
    {
        var path = Path.Combine(directory, hash.ToString());
        try
        {
            var file = ServingFile.Open(path, out long length);
            return new ChunkRead(ChunkReadStatus.Found, file, length, null);
        }
        catch (FileNotFoundException)
        {
            return ChunkRead.NotFound;
        }
    }
}
