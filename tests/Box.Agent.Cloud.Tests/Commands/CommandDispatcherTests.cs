using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Tests.Fixtures;
using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Tests.Commands;

/// <summary>The dispatcher as the agent runs it: commands published by a
/// cloud client through mosquitto, replies read back from the broker.</summary>
public sealed class CommandDispatcherTests(SharedBroker shared) : IClassFixture<SharedBroker>, IDisposable
{
    readonly TempDir _data = new("dispatch");
    int _pings;
    int _counted;
    MosquittoBroker Broker => shared.Broker;

    void RegisterBasics(CommandDispatcher dispatcher)
    {
        dispatcher.Register("ping", _ =>
        {
            Interlocked.Increment(ref _pings);
            return ValueTask.FromResult<JsonObject?>(new JsonObject { ["pong"] = true, ["uptime"] = 12 });
        });
        dispatcher.Register("count", _ => ValueTask.FromResult<JsonObject?>(new JsonObject { ["n"] = Interlocked.Increment(ref _counted) }));
        dispatcher.Register("pair.confirm", context =>
        {
            if (context.Args["code"]?.GetValue<string>() != "123456")
                throw new CommandException(ErrorCodes.Unauthorized, "args.code: wrong pairing code");
            return ValueTask.FromResult<JsonObject?>(new JsonObject { ["paired"] = true });
        });
        dispatcher.Register("explode", _ => throw new InvalidOperationException("disk on fire"));
    }

    async Task<(AgentHarness Agent, CloudClient Cloud)> StartAsync(string? boxId = null, Action<CommandDispatcher>? register = null)
    {
        var agent = await AgentHarness.StartAsync(Broker.Url, _data.Path, boxId, register: register ?? RegisterBasics);
        var cloud = await CloudClient.ConnectAsync(Broker.Url, $"box/{agent.BoxId}/#");
        return (agent, cloud);
    }

    /// <summary>The <paramref name="nth"/> reply to <paramref name="id"/> on box/{id}/reply.</summary>
    static async Task<Received> ReplyAsync(CloudClient cloud, AgentHarness agent, string id, int nth = 1)
    {
        List<Received> RepliesTo() => cloud.On(agent.Topics.Reply).Where(r => r.Json?["id"]?.GetValue<string>() == id).ToList();
        await Eventually.TrueAsync(() => RepliesTo().Count >= nth, $"reply {nth} to {id}");
        return RepliesTo()[nth - 1];
    }

    [Fact]
    public async Task PingAnswersDoneWithTheResult()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"p1","name":"ping"}""");
        var reply = await ReplyAsync(cloud, agent, "p1");
        Assert.Equal("""{"id":"p1","ok":true,"status":"done","result":{"pong":true,"uptime":12}}""", reply.Text);
    }

    [Fact]
    public async Task BadRequestsAreAnsweredNamingTheField()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        var cases = new (string Id, string Payload, string Message)[]
        {
            ("b1", """{"id":"b1"}""", "name: required string"),
            ("b2", """{"id":"b2","name":5}""", "name: must be a string, got a number"),
            ("b3", """{"id":"b3","name":"ping","args":[1]}""", "args: must be an object, got an array"),
            ("b4", """{"id":"b4","name":"ping","expires":"soon"}""", "expires: must be a number (Unix seconds), got a string"),
            ("b5", """{"id":"b5","name":"ping","args":{""", "payload: malformed JSON"),
            ("b6", "{\"id\":\"b6\",\"name\":\"ping\",\"args\":{\"pad\":\"" + new string('x', 70_000) + "\"}}", "payload: 70"),
            ("b7", """{"id":"b7","name":"ping","args":""" + new string('[', 100) + new string(']', 100) + "}", "payload: malformed JSON"),
            ("b8", """{"id":"b8","id":"b8","name":"ping"}""", "payload: malformed JSON"),
            ("b9", """{"id":"b9","name":"\ud800"}""", "name: not a valid UTF-16 string"),
        };
        foreach (var (id, payload, message) in cases)
        {
            await cloud.PublishAsync(agent.Topics.Cmd, payload);
            var reply = (await ReplyAsync(cloud, agent, id)).Json!;
            Assert.False(reply["ok"]!.GetValue<bool>());
            Assert.Equal("bad_request", reply["error"]!["code"]!.GetValue<string>());
            Assert.StartsWith(message, reply["error"]!["message"]!.GetValue<string>());
        }
        Assert.Equal(0, _pings);
    }

    [Fact]
    public async Task CommandsWithoutAUsableIdBecomeErrorEventsOrNullIdReplies()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"name":"ping"}""");
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":7,"name":"ping"}""");
        await cloud.PublishAsync(agent.Topics.Cmd, """[1,2]""");
        await cloud.PublishAsync(agent.Topics.Cmd, "{\"id\":\"" + new string('i', 500) + "\",\"name\":\"ping\"}");
        await Eventually.TrueAsync(() => cloud.On(agent.Topics.Events).Count == 4, "four error events");
        var messages = cloud.On(agent.Topics.Events).Select(e => e.Json!).ToList();
        Assert.All(messages, e => Assert.Equal("error", e["type"]!.GetValue<string>()));
        Assert.Equal(
            ["cmd: id: required string", "cmd: id: must be a string, got a number", "cmd: payload: expected a JSON object, got an array", "cmd: id: 500 characters is over the 128-character limit"],
            messages.Select(e => e["message"]!.GetValue<string>()));

        // With a response topic and correlation data the sender can still be answered.
        await using var requester = await CloudClient.ConnectAsync(Broker.Url, "cloud/r/#");
        await requester.PublishAsync(agent.Topics.Cmd, """{"name":"ping"}""", responseTopic: "cloud/r/1", correlation: [1, 2, 3]);
        var reply = await requester.WaitForAsync(r => r.Topic == "cloud/r/1", "null-id reply");
        Assert.Equal("""{"id":null,"ok":false,"error":{"code":"bad_request","message":"id: required string"}}""", reply.Text);
        Assert.Equal([1, 2, 3], reply.CorrelationData);
        Assert.Equal(0, _pings);
    }

    [Fact]
    public async Task UnknownCommandIsRefused()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"u1","name":"self.destruct"}""");
        var reply = await ReplyAsync(cloud, agent, "u1");
        Assert.Equal("""{"id":"u1","ok":false,"error":{"code":"unknown_command","message":"unknown command 'self.destruct'"}}""", reply.Text);
    }

    [Fact]
    public async Task ExpiredCommandIsAnsweredExpiredAndNotRun()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        var past = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;
        await cloud.PublishAsync(agent.Topics.Cmd, $$"""{"id":"x1","name":"ping","expires":{{past}}}""");
        var reply = (await ReplyAsync(cloud, agent, "x1")).Json!;
        Assert.Equal("expired", reply["error"]!["code"]!.GetValue<string>());
        var future = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600;
        await cloud.PublishAsync(agent.Topics.Cmd, $$"""{"id":"x2","name":"ping","expires":{{future}}}""");
        Assert.True((await ReplyAsync(cloud, agent, "x2")).Json!["ok"]!.GetValue<bool>());
        Assert.Equal(1, _pings);
    }

    [Fact]
    public async Task RepeatedIdIsAnsweredFromTheStoreAndRunOnceEvenAcrossARestart()
    {
        var boxId = "box-idem-" + Guid.NewGuid().ToString("N")[..6];
        var (agent, cloud) = await StartAsync(boxId);
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"c1","name":"count"}""");
        var first = await ReplyAsync(cloud, agent, "c1");
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"c1","name":"count"}""");
        await ReplyAsync(cloud, agent, "c1", nth: 2);
        Assert.Equal("""{"id":"c1","ok":true,"status":"done","result":{"n":1}}""", first.Text);
        Assert.Equal(first.Text, cloud.On(agent.Topics.Reply).Last().Text);
        Assert.Equal(1, _counted);
        await agent.DisposeAsync();

        await using var restarted = await AgentHarness.StartAsync(Broker.Url, _data.Path, boxId, register: RegisterBasics);
        await cloud.PublishAsync(restarted.Topics.Cmd, """{"id":"c1","name":"count"}""");
        await ReplyAsync(cloud, restarted, "c1", nth: 3);
        Assert.All(cloud.On(restarted.Topics.Reply), r => Assert.Equal(first.Text, r.Text));
        Assert.Equal(1, _counted);
        await cloud.PublishAsync(restarted.Topics.Cmd, """{"id":"c2","name":"count"}""");
        Assert.Equal(2, (await ReplyAsync(cloud, restarted, "c2")).Json!["result"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReplyGoesToTheResponseTopicWithTheCorrelationData()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        await using var requester = await CloudClient.ConnectAsync(Broker.Url, "ops/replies/#");
        byte[] correlation = Encoding.UTF8.GetBytes("req-42");
        await requester.PublishAsync(agent.Topics.Cmd, """{"id":"rt1","name":"ping"}""", responseTopic: "ops/replies/7", correlation: correlation);
        var reply = await requester.WaitForAsync(r => r.Topic == "ops/replies/7", "reply on the response topic");
        Assert.Equal(correlation, reply.CorrelationData);
        Assert.Equal("rt1", reply.Json!["id"]!.GetValue<string>());
        Assert.Empty(cloud.On(agent.Topics.Reply));
    }

    [Fact]
    public async Task HandlerErrorsBecomeErrorRepliesAndTheDispatcherGoesOn()
    {
        var (agent, cloud) = await StartAsync();
        await using var _ = agent;
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"h1","name":"pair.confirm","args":{"code":"000000"}}""");
        Assert.Equal("""{"id":"h1","ok":false,"error":{"code":"unauthorized","message":"args.code: wrong pairing code"}}""", (await ReplyAsync(cloud, agent, "h1")).Text);
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"h2","name":"explode"}""");
        var error = (await ReplyAsync(cloud, agent, "h2")).Json!["error"]!;
        Assert.Equal("internal", error["code"]!.GetValue<string>());
        Assert.Contains("disk on fire", error["message"]!.GetValue<string>());
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"h3","name":"ping"}""");
        Assert.True((await ReplyAsync(cloud, agent, "h3")).Json!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task LongJobAnswersAcceptedReportsProgressAndEndsDone()
    {
        var release = new TaskCompletionSource();
        var runs = 0;
        void Register(CommandDispatcher dispatcher) => dispatcher.Register("chunk.prefetch", context =>
        {
            Interlocked.Increment(ref runs);
            var job = context.Accept();
            _ = Task.Run(async () =>
            {
                job.Progress(50, "half way");
                await release.Task;
                job.Progress(100);
                job.Done(new JsonObject { ["stored"] = true });
            });
            return ValueTask.FromResult<JsonObject?>(null);
        });
        var (agent, cloud) = await StartAsync(register: Register);
        await using var agentScope = agent;
        await using var cloudScope = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"j1","name":"chunk.prefetch","args":{"hash":"ab"}}""");
        Assert.Equal("""{"id":"j1","ok":true,"status":"accepted"}""", (await ReplyAsync(cloud, agent, "j1")).Text);
        var progress = await cloud.WaitForAsync(r => r.Topic == agent.Topics.Events, "job.progress");
        var p = progress.Json!;
        Assert.Equal("job.progress", p["type"]!.GetValue<string>());
        Assert.Equal("j1", p["id"]!.GetValue<string>());
        Assert.Equal("chunk.prefetch", p["name"]!.GetValue<string>());
        Assert.Equal(50, p["percent"]!.GetValue<int>());
        Assert.Equal("half way", p["message"]!.GetValue<string>());
        Assert.NotNull(p["seq"]);

        // Asked again while running: accepted again, not started twice.
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"j1","name":"chunk.prefetch","args":{"hash":"ab"}}""");
        Assert.Equal("""{"id":"j1","ok":true,"status":"accepted"}""", (await ReplyAsync(cloud, agent, "j1", nth: 2)).Text);

        release.SetResult();
        var done = await ReplyAsync(cloud, agent, "j1", nth: 3);
        Assert.Equal("""{"id":"j1","ok":true,"status":"done","result":{"stored":true}}""", done.Text);
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"j1","name":"chunk.prefetch"}""");
        Assert.Equal(done.Text, (await ReplyAsync(cloud, agent, "j1", nth: 4)).Text);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task JobCutShortByARestartIsAnsweredFailedAndNotRunAgain()
    {
        var boxId = "box-job-" + Guid.NewGuid().ToString("N")[..6];
        var runs = 0;
        void Register(CommandDispatcher dispatcher) => dispatcher.Register("firmware.update", context =>
        {
            Interlocked.Increment(ref runs);
            context.Accept(); // never finishes: the agent "dies" meanwhile
            return ValueTask.FromResult<JsonObject?>(null);
        });
        var (agent, cloud) = await StartAsync(boxId, Register);
        await using var __ = cloud;
        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"f1","name":"firmware.update"}""");
        await ReplyAsync(cloud, agent, "f1");
        await agent.DisposeAsync();

        await using var restarted = await AgentHarness.StartAsync(Broker.Url, _data.Path, boxId, register: Register);
        await cloud.PublishAsync(restarted.Topics.Cmd, """{"id":"f1","name":"firmware.update"}""");
        var reply = (await ReplyAsync(cloud, restarted, "f1", nth: 2)).Json!;
        Assert.Equal("failed", reply["status"]!.GetValue<string>());
        Assert.Contains("interrupted", reply["error"]!["message"]!.GetValue<string>());
        Assert.Equal(1, runs);
    }

    public void Dispose() => _data.Dispose();
}
