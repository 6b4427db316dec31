using Box.FleetSim.Cli;

namespace Box.FleetSim.Tests.Cli;

public sealed class FleetSimMainTests
{
    static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await FleetSimMain.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--bogus", "x")]
    [InlineData("--broker: expected mqtt://host:port", "--broker", "http://127.0.0.1:1", "--count", "1")]
    [InlineData("--count: expected an integer 1..1000000, got 'many'", "--broker", "mqtt://127.0.0.1:1", "--count", "many")]
    [InlineData("--count is required", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("--id-format: expected a {n}", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--id-format", "sim")]
    [InlineData("--prefix: must contain {id}", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--prefix", "box/")]
    [InlineData("--http and --no-http together", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--http", "--no-http")]
    [InlineData("Unrecognized command or argument 'launch'", "launch")]
    [InlineData("bare: --parallel: expected an integer 1..100000, got '0'", "bare", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--parallel", "0")]
    [InlineData("run: --stats-interval: expected a number 0.1..3600, got '0'", "run", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--stats-interval", "0")]
    [InlineData("observe: --expect is required", "observe", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("rtt: --id is required", "rtt", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("'--count' expects a single argument but 2 were provided", "bare", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--count", "2")]
    public async Task BadArgumentsExit2WithOneLineNamingTheProblem(string expected, params string[] args)
    {
        var (code, _, err) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("box-fleetsim: ", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task HelpPrintsEveryMode(string help)
    {
        var (code, output, _) = await Run(help);
        Assert.Equal(0, code);
        foreach (var mode in new[] { "observe", "bare", "rtt", "fill-queue", "--count N", "--stats-interval" })
            Assert.Contains(mode, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModeHelpPrintsItsOptions()
    {
        var (code, output, _) = await Run("rtt", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--id", "--warmup", "--no-echo" })
            Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuggestDirectiveCompletesModes()
    {
        var (code, output, _) = await Run("[suggest]", "fill");
        Assert.Equal(0, code);
        Assert.Contains("fill-queue", output.Split('\n', StringSplitOptions.TrimEntries));
    }
}
