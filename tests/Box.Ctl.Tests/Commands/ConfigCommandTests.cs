using System.Text.Json.Nodes;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class ConfigCommandTests(SharedBroker shared)
{
    readonly MosquittoBroker _broker = shared.Broker;

    readonly string _prefix = CtlRunner.UniquePrefix();

    Task<CtlResult> Run(string? stdin, params string[] args) =>
        CtlRunner.RunAsync(["--broker", _broker.Url.OriginalString, "--prefix", _prefix, "--timeout", "20", .. args], stdin);

    [Fact]
    public async Task Set_is_retained_and_readable_by_get_then_clear_removes_it()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{ "version": 3, "telemetryIntervalSeconds": 30 }""");
            var set = await Run(null, "config", "set", "b1", file);
            Assert.True(set.ExitCode == 0, set.ToString());
            Assert.Contains("version 3", set.Out);

            var get = await Run(null, "--json", "config", "get", "b1");
            Assert.True(get.ExitCode == 0, get.ToString());
            var config = JsonNode.Parse(get.Out)!.AsObject();
            Assert.Equal(3, config["version"]!.GetValue<int>());
            Assert.Equal(30, config["telemetryIntervalSeconds"]!.GetValue<int>());

            Assert.Equal(0, (await Run(null, "config", "clear", "b1")).ExitCode);
            var after = await Run(null, "config", "get", "b1");
            Assert.Equal(1, after.ExitCode);
            Assert.Contains("no desired config for b1", after.Err);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Set_reads_stdin_and_refuses_a_version_that_does_not_increase()
    {
        Assert.Equal(0, (await Run("""{"version":5}""", "config", "set", "b1", "-")).ExitCode);

        var same = await Run("""{"version":5,"x":1}""", "config", "set", "b1", "-");
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("not greater than the current desired version 5", same.Err);

        var forced = await Run("""{"version":4}""", "config", "set", "b1", "-", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Contains("\"version\": 4", (await Run(null, "config", "get", "b1")).Out);
    }

    [Theory]
    [InlineData("[1]", "must hold a JSON object")]
    [InlineData("{\"version\":\"7\"}", "integer \"version\"")]
    [InlineData("{\"version\":7.5}", "integer \"version\"")]
    [InlineData("{\"store\":{}}", "integer \"version\"")]
    [InlineData("{\"version\":1,\"version\":2}", "not valid JSON")]
    [InlineData("{\"version\":", "not valid JSON")]
    public async Task Invalid_documents_are_refused_and_nothing_is_published(string document, string message)
    {
        var result = await Run(document, "config", "set", "b1", "-");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.Equal(1, (await Run(null, "config", "get", "b1")).ExitCode);
    }
}
