using System.Text.Json.Nodes;
using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Commands;

[Collection("broker")]
public sealed class CmdCommandTests(SharedBroker shared)
{
    readonly MosquittoBroker _broker = shared.Broker;

    readonly string _prefix = CtlRunner.UniquePrefix();

    Task<CtlResult> Run(params string[] args) =>
        CtlRunner.RunAsync(["--broker", _broker.Url.OriginalString, "--prefix", _prefix, "--timeout", "20", .. args]);

    [Fact]
    public async Task Ping_round_trip_uses_the_response_topic_and_correlation_data()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        FakeBox.IncomingCommand? seen = null;
        box.OnCommand = async (b, cmd) =>
        {
            seen = cmd;
            await b.ReplyDoneAsync(cmd, new JsonObject { ["pong"] = true, ["uptime"] = 42 });
        };
        await box.StartAsync();

        var result = await Run("cmd", "b1", "ping", "--cmd-id", "c-123", "--expires-in", "60");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"pong\": true", result.Out);
        Assert.Contains("\"uptime\": 42", result.Out);
        Assert.NotNull(seen);
        Assert.Equal("c-123", seen.Id);
        Assert.Equal("ping", seen.Name);
        Assert.StartsWith("boxctl/", seen.ResponseTopic);
        Assert.Equal("c-123"u8.ToArray(), seen.CorrelationData);
        long expires = seen.Body["expires"]!.GetValue<long>();
        Assert.InRange(expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 50, 61);
    }

    [Fact]
    public async Task Args_are_sent_and_json_output_is_the_raw_reply()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        box.OnCommand = (b, cmd) => b.ReplyDoneAsync(cmd, new JsonObject { ["echo"] = cmd.Args!.DeepClone() });
        await box.StartAsync();

        var result = await Run("--json", "cmd", "b1", "led.identify", "--args", "{\"seconds\":5}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var reply = JsonNode.Parse(result.Out)!.AsObject();
        Assert.True(reply["ok"]!.GetValue<bool>());
        Assert.Equal(5, reply["result"]!["echo"]!["seconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Accepted_job_prints_progress_and_waits_for_the_final_reply()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        box.OnCommand = async (b, cmd) =>
        {
            await b.ReplyAcceptedAsync(cmd);
            await b.ProgressAsync(cmd, 30, "downloading");
            await b.ProgressAsync(cmd, 100);
            await b.ReplyDoneAsync(cmd, new JsonObject { ["stored"] = true });
        };
        await box.StartAsync();

        var result = await Run("cmd", "b1", "chunk.prefetch", "--args", "{\"hash\":\"x\"}");

        Assert.True(result.ExitCode == 0, result.ToString());
        int accepted = result.Out.IndexOf("accepted", StringComparison.Ordinal);
        int progress30 = result.Out.IndexOf("progress 30% downloading", StringComparison.Ordinal);
        int progress100 = result.Out.IndexOf("progress 100%", StringComparison.Ordinal);
        int done = result.Out.IndexOf("\"stored\": true", StringComparison.Ordinal);
        Assert.True(accepted >= 0 && accepted < progress30 && progress30 < progress100 && progress100 < done, result.ToString());
    }

    [Fact]
    public async Task Error_reply_exits_1_with_code_and_message()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        box.OnCommand = (b, cmd) => b.ReplyErrorAsync(cmd, "unauthorized", "wrong pairing code");
        await box.StartAsync();

        var result = await Run("cmd", "b1", "pair.confirm", "--args", "{\"code\":\"000000\",\"owner\":\"o\"}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: unauthorized: wrong pairing code", result.Err);
    }

    [Fact]
    public async Task Accepted_then_failed_exits_1()
    {
        await using var box = new FakeBox(_broker.Port, _prefix, "b1");
        box.OnCommand = async (b, cmd) =>
        {
            await b.ReplyAcceptedAsync(cmd);
            await b.ReplyErrorAsync(cmd, "verify_failed", "sha256 mismatch");
        };
        await box.StartAsync();

        var result = await Run("cmd", "b1", "chunk.prefetch");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("accepted", result.Out);
        Assert.Contains("verify_failed: sha256 mismatch", result.Err);
    }

    [Fact]
    public async Task No_box_times_out_with_exit_3()
    {
        var result = await CtlRunner.RunAsync("--broker", _broker.Url.OriginalString, "--prefix", _prefix, "--timeout", "1", "cmd", "nobody", "ping");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no reply from nobody", result.Err);
    }

    [Theory]
    [InlineData("--args", "[1,2]", "--args must be a JSON object")]
    [InlineData("--args", "{oops", "--args is not valid JSON")]
    [InlineData("--expires-in", "-5", "--expires-in must be an integer")]
    public async Task Bad_arguments_exit_2_naming_the_problem(string option, string value, string message)
    {
        var result = await Run("cmd", "b1", "ping", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Err);
    }

    [Fact]
    public async Task Unreachable_broker_exits_4()
    {
        var result = await CtlRunner.RunAsync("--broker", $"mqtt://127.0.0.1:{MosquittoBroker.FreePort()}", "--timeout", "5", "cmd", "b1", "ping");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("cannot connect to mqtt://127.0.0.1:", result.Err);
    }
}
