using System.Net.Http;
using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;

namespace Box.Agent.Tests.Cli;

/// <summary>The built box-agent as a process on the simulated board, driven by
/// its own <c>sim</c> subcommands, as scripts/demo and people use it.</summary>
public class AgentProcessTests
{
    private static async Task<string> StatusLedAsync(string simDir)
    {
        var (code, stdout, stderr) = await AgentProcess.RunAsync("sim", "leds", "--sim-dir", simDir);
        Assert.True(code == 0, string.Join('\n', stderr));
        return stdout.Single(l => l.StartsWith("box:green:status ", StringComparison.Ordinal))["box:green:status ".Length..];
    }

    [Fact]
    public async Task Holding_the_button_four_seconds_shows_the_pairing_pattern_and_sigterm_exits_0()
    {
        using var dir = new TempDir();
        var sim = dir.Combine("sim");
        using var agent = AgentProcess.Start("run", "--board", "sim", "--sim-dir", sim, "--data", dir.Combine("data"), "--http", "127.0.0.1:0");
        var ready = await agent.WaitForStderrAsync("box-agent ready");
        Assert.Contains("board=sim", ready);
        Assert.Matches(" INFO box-agent ready ", ready);
        Assert.NotEqual("blink-slow", await StatusLedAsync(sim));

        var press = await AgentProcess.RunAsync("sim", "press", "--sim-dir", sim, "--ms", "4000");
        Assert.Equal(0, press.Code);

        await Eventually.TrueAsync(() => StatusLedAsync(sim).GetAwaiter().GetResult() == "blink-slow", "status LED shows the pairing pattern");
        await agent.WaitForStderrAsync("pairing window open");

        // The LAN status page shows the code while the window is open.
        var http = ready.Split(' ').Single(w => w.StartsWith("http=", StringComparison.Ordinal))["http=".Length..];
        using var client = new HttpClient();
        var status = JsonNode.Parse(await client.GetStringAsync($"http://{http}/status.json"))!;
        Assert.Matches("^[0-9]{6}$", (string?)status["pairingCode"]);

        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(agent.Stderr, l => l.Contains("box-agent stopped", StringComparison.Ordinal));
        Assert.Equal("off", await StatusLedAsync(sim));
    }

    [Fact]
    public async Task Sigint_is_a_clean_stop_too()
    {
        using var dir = new TempDir();
        using var agent = AgentProcess.Start("run", "--board", "sim", "--sim-dir", dir.Combine("sim"), "--data", dir.Combine("data"));
        await agent.WaitForStderrAsync("box-agent ready");
        agent.Signal(AgentProcess.SIGINT);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(new[] { "run", "--bogus" }, "box-agent: run: unknown flag --bogus")]
    [InlineData(new[] { "run", "--board", "sim", "--broker", "http://127.0.0.1:1883" }, "box-agent: run: --broker: scheme \"http\" is not supported")]
    [InlineData(new[] { "sim", "press", "--sim-dir", "/nonexistent", "--ms" }, "box-agent: sim press: --ms: missing value")]
    public async Task Bad_arguments_exit_2_with_one_line(string[] args, string expected)
    {
        var (code, _, stderr) = await AgentProcess.RunAsync(args);
        Assert.Equal(2, code);
        var line = Assert.Single(stderr);
        Assert.StartsWith(expected, line);
    }

    [Theory]
    [InlineData("{ \"version\": 1, ", "invalid JSON")]
    [InlineData("""{"store":{"highWatermarkPercent":70,"lowWatermarkPercent":80}}""", "store.lowWatermarkPercent: 80 is above store.highWatermarkPercent (70)")]
    [InlineData("""{"pairing":{"holdSeconds":"three"}}""", "pairing.holdSeconds: expected integer 1..60, got \"three\"")]
    public async Task Malformed_config_file_exits_2_naming_file_and_problem(string content, string expected)
    {
        using var dir = new TempDir();
        var config = dir.Combine("box.json");
        File.WriteAllText(config, content);
        var (code, _, stderr) = await AgentProcess.RunAsync("run", "--config", config, "--board", "sim", "--sim-dir", dir.Combine("sim"), "--data", dir.Combine("data"));
        Assert.Equal(2, code);
        var line = Assert.Single(stderr);
        Assert.StartsWith($"box-agent: config {config}: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task Unreadable_config_file_exits_2()
    {
        using var dir = new TempDir();
        var (code, _, stderr) = await AgentProcess.RunAsync("run", "--config", dir.Combine("missing.json"), "--board", "sim", "--sim-dir", dir.Combine("sim"));
        Assert.Equal(2, code);
        Assert.Contains("cannot read", Assert.Single(stderr));
    }

    [Fact]
    public async Task Version_prints_one_line_and_exits_0()
    {
        var (code, stdout, _) = await AgentProcess.RunAsync("version");
        Assert.Equal(0, code);
        Assert.Matches(@"^box-agent \d+\.\d+\.\d+", Assert.Single(stdout));
    }

    [Fact]
    public async Task Sim_plug_and_unplug_print_what_they_did()
    {
        using var dir = new TempDir();
        var sim = dir.Combine("sim");
        Box.Hal.Sim.SimBoard.Create(sim);
        var usb = dir.Combine("usb");
        Directory.CreateDirectory(usb);
        var plug = await AgentProcess.RunAsync("sim", "plug", "--sim-dir", sim, "--path", usb);
        Assert.Equal(0, plug.Code);
        Assert.StartsWith($"plugged {usb} as usb", Assert.Single(plug.Stdout));
        var again = await AgentProcess.RunAsync("sim", "plug", "--sim-dir", sim, "--path", usb);
        Assert.Equal(2, again.Code);
        Assert.Contains("already plugged in", Assert.Single(again.Stderr));
        var unplug = await AgentProcess.RunAsync("sim", "unplug", "--sim-dir", sim, "--path", usb);
        Assert.Equal(0, unplug.Code);
        Assert.Equal("unplugged usb", Assert.Single(unplug.Stdout));
    }
}
