using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Box.Agent.Status;
using Xunit.Abstractions;

namespace Box.Agent.Tests.Http;

/// <summary>Runs only where /usr/bin/chromium exists (installed by
/// scripts/bootstrap and in CI); skipped with the reason elsewhere.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
            Skip = $"{ChromiumPath} is not installed (apt-get install chromium)";
    }
}

/// <summary>The status page as a person sees it: rendered by headless Chromium.</summary>
public sealed class StatusPageChromiumTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("box-chromium-").FullName;

    public StatusPageChromiumTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [ChromiumFact]
    public async Task Rendered_page_shows_the_pairing_code_online_state_and_firmware()
    {
        var snapshot = TestSnapshots.Sample(pairingCode: "482913", pairingExpires: DateTimeOffset.UtcNow.AddMinutes(10)) with
        {
            Paired = false,
            Owner = null,
            FirmwareVersion = "2.7.1-chromium",
        };
        await using var server = await TestServer.StartAsync(() => snapshot);

        var dom = await RunChromiumAsync(server.Port, "--dump-dom");

        Assert.Contains("482913", dom);
        Assert.Contains("Enter this code in the app", dom);
        Assert.Contains(">Online<", dom);
        Assert.DoesNotContain("Offline", dom);
        Assert.Contains("2.7.1-chromium (slot B)", dom);
        Assert.Contains("500 GB", dom);
    }

    [ChromiumFact]
    public async Task Rendered_page_of_an_offline_box_shows_no_code()
    {
        var snapshot = TestSnapshots.Sample(online: false) with { FirmwareVersion = "2.7.1-offline" };
        await using var server = await TestServer.StartAsync(() => snapshot);

        var dom = await RunChromiumAsync(server.Port, "--dump-dom");

        Assert.Contains(">Offline<", dom);
        Assert.DoesNotContain(">Online<", dom);
        Assert.DoesNotContain("Pairing code", dom);
        Assert.Contains("2.7.1-offline", dom);
        Assert.Contains("alice@example.org", dom);
    }

    [ChromiumFact]
    public async Task Screenshot_is_a_non_trivial_png_of_the_phone_sized_window()
    {
        await using var server = await TestServer.StartAsync(() =>
            TestSnapshots.Sample(pairingCode: "482913", pairingExpires: DateTimeOffset.UtcNow.AddMinutes(10)));
        var png = Path.Combine(_dir, "status.png");

        await RunChromiumAsync(server.Port, $"--screenshot={png}");

        Assert.True(File.Exists(png), "Chromium wrote no screenshot");
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal(480, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.True(bytes.Length > 10_000, $"screenshot is only {bytes.Length} bytes");
        Assert.True(DistinctPixelBytes(bytes) > 32, "screenshot looks blank");
        CopyForPeople(png);
    }

    /// <summary>Distinct byte values in the decompressed image data: a blank
    /// page has a handful, rendered text and colours have many.</summary>
    private static int DistinctPixelBytes(byte[] png)
    {
        using var idat = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8))
                idat.Write(png, at + 8, length);
            at += 12 + length;
        }
        idat.Position = 0;
        using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflate.CopyTo(raw);
        return raw.ToArray().Distinct().Count();
    }

    private void CopyForPeople(string png)
    {
        // BOX_TEST_ARTIFACTS=DIR keeps the screenshot for a person to look at.
        var keep = Environment.GetEnvironmentVariable("BOX_TEST_ARTIFACTS");
        if (string.IsNullOrEmpty(keep))
            return;
        Directory.CreateDirectory(keep);
        File.Copy(png, Path.Combine(keep, "status-page.png"), overwrite: true);
        _output.WriteLine($"screenshot: {Path.Combine(keep, "status-page.png")}");
    }

    private async Task<string> RunChromiumAsync(int port, string action)
    {
        var start = new ProcessStartInfo(ChromiumFactAttribute.ChromiumPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--user-data-dir={Path.Combine(_dir, "profile-" + Guid.NewGuid().ToString("N"))}",
            "--window-size=480,900", action, $"http://127.0.0.1:{port}/status",
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var chromium = Process.Start(start)!;
        var stdout = chromium.StandardOutput.ReadToEndAsync();
        var stderr = chromium.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await chromium.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            chromium.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 120 s: {await stderr}");
        }
        var dom = await stdout;
        if (chromium.ExitCode != 0)
            throw new InvalidOperationException($"chromium exited with {chromium.ExitCode}: {await stderr}");
        _output.WriteLine($"chromium {action}: {dom.Length} chars of output");
        return WebUtility.HtmlDecode(dom);
    }
}
