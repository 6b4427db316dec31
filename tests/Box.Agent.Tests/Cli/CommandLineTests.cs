using Box.Agent.Cli;

namespace Box.Agent.Tests.Cli;

public class CommandLineTests
{
    private static string Refused(params string[] args) =>
        Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message;

    [Fact]
    public void Run_flags_become_a_config_overlay()
    {
        var run = Assert.IsType<CliCommand.Run>(CommandLine.Parse(
            ["run", "--config", "/etc/box.json", "--board", "sim", "--sim-dir", "/tmp/s", "--data=/tmp/d",
             "--broker", "mqtts://127.0.0.1:8883", "--id", "box-1", "--http", "127.0.0.1:0"]));
        Assert.Equal("/etc/box.json", run.ConfigFile);
        Assert.Equal(
            """{"board":"sim","simDir":"/tmp/s","dataDir":"/tmp/d","id":"box-1","broker":{"url":"mqtts://127.0.0.1:8883"},"http":"127.0.0.1:0"}""",
            run.Flags.ToJsonString());
    }

    [Theory]
    [InlineData(new[] { "run", "--bogus" }, "run: unknown flag --bogus")]
    [InlineData(new[] { "run", "--bogus=1" }, "run: unknown flag --bogus")]
    [InlineData(new[] { "run", "--board" }, "run: --board: missing value")]
    [InlineData(new[] { "run", "--board", "--data", "/d" }, "run: --board: missing value")]
    [InlineData(new[] { "run", "--board=" }, "run: --board: missing value")]
    [InlineData(new[] { "run", "--id", "a", "--id", "b" }, "run: --id given twice")]
    [InlineData(new[] { "run", "extra" }, "run: unexpected argument 'extra'")]
    [InlineData(new[] { "run", "--broker", "http://x:1" }, "--broker: scheme \"http\" is not supported")]
    [InlineData(new[] { "run", "--broker", "nonsense" }, "--broker: \"nonsense\" is not a URL")]
    [InlineData(new[] { "run", "--http", "8080" }, "--http: \"8080\" is not ADDR:PORT")]
    [InlineData(new string[0], "missing command")]
    [InlineData(new[] { "fly" }, "unknown command 'fly'")]
    [InlineData(new[] { "sim" }, "sim: missing subcommand")]
    [InlineData(new[] { "sim", "shake" }, "sim: unknown subcommand 'shake'")]
    [InlineData(new[] { "sim", "press", "--sim-dir", "/s" }, "sim press: --ms is required")]
    [InlineData(new[] { "sim", "press", "--sim-dir", "/s", "--ms", "4s" }, "sim press: --ms: expected an integer 1..600000, got '4s'")]
    [InlineData(new[] { "sim", "press", "--sim-dir", "/s", "--ms", "0" }, "sim press: --ms: expected an integer")]
    [InlineData(new[] { "sim", "plug", "--sim-dir", "/s" }, "sim plug: --path is required")]
    [InlineData(new[] { "sim", "leds" }, "sim leds: --sim-dir is required")]
    [InlineData(new[] { "sim", "leds", "--sim-dir", "/s", "--ms", "1" }, "sim leds: unknown flag --ms")]
    [InlineData(new[] { "version", "--verbose" }, "version: unexpected argument '--verbose'")]
    public void Bad_arguments_are_one_line_naming_the_problem(string[] args, string expected)
    {
        var message = Refused(args);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Sim_subcommands_parse()
    {
        Assert.Equal(new CliCommand.SimPress("/s", 4000), CommandLine.Parse(["sim", "press", "--sim-dir", "/s", "--ms", "4000"]));
        Assert.Equal(new CliCommand.SimPlug("/s", "/disk"), CommandLine.Parse(["sim", "plug", "--path", "/disk", "--sim-dir", "/s"]));
        Assert.Equal(new CliCommand.SimUnplug("/s", "/disk"), CommandLine.Parse(["sim", "unplug", "--sim-dir", "/s", "--path", "/disk"]));
        Assert.Equal(new CliCommand.SimLeds("/s"), CommandLine.Parse(["sim", "leds", "--sim-dir", "/s"]));
        Assert.IsType<CliCommand.Version>(CommandLine.Parse(["version"]));
    }

    [Fact]
    public async Task Version_prints_version_and_runtime_id()
    {
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await AgentMain.RunAsync(["version"], stdout, new StringWriter()));
        Assert.Matches(@"^box-agent \d+\.\d+\.\d+\S* \(linux-(x64|arm64)", stdout.ToString());
    }

    [Fact]
    public async Task Exit_code_2_for_bad_arguments_with_one_line_on_stderr()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, await AgentMain.RunAsync(["run", "--board"], new StringWriter(), stderr));
        Assert.Equal("box-agent: run: --board: missing value" + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public async Task Run_without_a_board_is_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, await AgentMain.RunAsync(["run", "--data", "/tmp"], new StringWriter(), stderr));
        Assert.Contains("no board", stderr.ToString());
    }

    [Fact]
    public async Task Unknown_board_is_a_usage_error()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, await AgentMain.RunAsync(["run", "--board", "toaster"], new StringWriter(), stderr));
        Assert.Contains("unknown board 'toaster'", stderr.ToString());
    }

    [Fact]
    public async Task Sim_command_on_a_directory_that_is_no_board_is_a_usage_error()
    {
        var stderr = new StringWriter();
        var dir = Path.Combine(Path.GetTempPath(), $"not-a-board-{Guid.NewGuid():N}");
        Assert.Equal(ExitCodes.BadUsage, await AgentMain.RunAsync(["sim", "press", "--sim-dir", dir, "--ms", "10"], new StringWriter(), stderr));
        Assert.Contains("is not a simulated board", stderr.ToString());
    }
}
