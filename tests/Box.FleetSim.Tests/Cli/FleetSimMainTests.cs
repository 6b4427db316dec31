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
    [InlineData("unknown flag --bogus", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--bogus", "x")]
    [InlineData("--broker: expected mqtt://host:port", "--broker", "http://127.0.0.1:1", "--count", "1")]
    [InlineData("--count: expected an integer 1..1000000, got 'many'", "--broker", "mqtt://127.0.0.1:1", "--count", "many")]
    [InlineData("--count is required", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("--id-format: expected a {n}", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--id-format", "sim")]
    [InlineData("--prefix: must contain {id}", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--prefix", "box/")]
    [InlineData("--http and --no-http together", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--http", "--no-http")]
    [InlineData("unknown mode 'launch'", "launch")]
    [InlineData("observe: --expect is required", "observe", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("rtt: --id is required", "rtt", "--broker", "mqtt://127.0.0.1:1")]
    [InlineData("--count given twice", "bare", "--broker", "mqtt://127.0.0.1:1", "--count", "1", "--count", "2")]
    public async Task BadArgumentsExit2WithOneLineNamingTheProblem(string expected, params string[] args)
    {
        var (code, _, err) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("box-fleetsim: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpPrintsEveryMode()
    {
        var (code, output, _) = await Run("--help");
        Assert.Equal(0, code);
        foreach (var mode in new[] { "observe", "bare", "rtt", "fill-queue", "--count N" })
            Assert.Contains(mode, output, StringComparison.Ordinal);
    }
}
