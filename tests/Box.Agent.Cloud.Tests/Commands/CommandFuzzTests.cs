using System.Text;
using System.Text.Json.Nodes;
using Box.Agent.Cloud.Commands;
using Box.Agent.Cloud.Tests.Fixtures;
using MQTTnet.Protocol;
using Box.Protocol.Commands;

namespace Box.Agent.Cloud.Tests.Commands;

public sealed class CommandFuzzTests : IDisposable
{
    readonly TempDir _data = new("fuzz");

    static readonly string[] Valid =
    [
        """{"id":"v1","name":"ping","args":{},"expires":9999999999}""",
        """{"id":"v2","name":"pair.confirm","args":{"code":"123456","owner":"o"}}""",
        """{"id":"v3","name":"logs.tail","args":{"lines":5}}""",
    ];

    static byte[] Payload(Random random, int i)
    {
        switch (i % 8)
        {
            case 0: // random bytes
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return bytes;
            case 1: // truncated valid JSON
                var valid = Valid[random.Next(Valid.Length)];
                return Encoding.UTF8.GetBytes(valid[..random.Next(0, valid.Length)]);
            case 2: // mutated valid JSON
                var mutated = Encoding.UTF8.GetBytes(Valid[random.Next(Valid.Length)]);
                for (var k = random.Next(1, 4); k > 0; k--)
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                return mutated;
            case 3: // wrong types everywhere
                JsonNode?[] values = [null, 1, -1.5, true, "s", new JsonArray(1, 2), new JsonObject { ["a"] = 1 }];
                var doc = new JsonObject();
                foreach (var field in new[] { "id", "name", "args", "expires" })
                {
                    if (random.Next(4) > 0)
                        doc[field] = values[random.Next(values.Length)]?.DeepClone();
                }
                return Encoding.UTF8.GetBytes(doc.ToJsonString());
            case 4: // huge strings
                var huge = new string((char)random.Next('a', 'z'), random.Next(1_000, 120_000));
                return Encoding.UTF8.GetBytes(random.Next(2) == 0 ? $$"""{"id":"{{huge}}","name":"ping"}""" : $$"""{"id":"h{{i}}","name":"{{huge}}"}""");
            case 5: // deep nesting
                var depth = random.Next(20, 5_000);
                return Encoding.UTF8.GetBytes($$"""{"id":"d{{i}}","name":"ping","args":{"x":""" + new string('[', depth) + new string(']', depth) + "}}");
            case 6: // valid envelopes with odd names, ids and expiry
                return Encoding.UTF8.GetBytes($$"""{"id":"f{{i}}-{{random.Next()}}","name":"{{(random.Next(3) == 0 ? "ping" : "n" + random.Next(100))}}","expires":{{random.Next(-5, 5) * 1e9}}}""");
            default: // strings of JSON-ish tokens
                var tokens = new[] { "{", "}", "[", "]", ",", ":", "\"id\"", "\"name\"", "null", "1e999", "\"\\u0000\"", "\"\\ud800\"", "-0", "true" };
                var text = new StringBuilder();
                for (var k = random.Next(1, 40); k > 0; k--)
                    text.Append(tokens[random.Next(tokens.Length)]);
                return Encoding.UTF8.GetBytes(text.ToString());
        }
    }

    [Fact]
    public async Task ThousandsOfJunkCommandsLeaveTheAgentAnsweringPing()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var pings = 0;
        await using var agent = await AgentHarness.StartAsync(broker.Url, _data.Path, register: dispatcher =>
        {
            dispatcher.Register("ping", _ =>
            {
                Interlocked.Increment(ref pings);
                return ValueTask.FromResult<JsonObject?>(new JsonObject { ["pong"] = true });
            });
            dispatcher.Register("pair.confirm", context => context.Args["code"]?.GetValue<string>() == "123456"
                ? ValueTask.FromResult<JsonObject?>(new JsonObject { ["paired"] = true })
                : throw new CommandException(ErrorCodes.Unauthorized, "args.code: wrong code"));
        });
        await using var cloud = await CloudClient.ConnectAsync(broker.Url, $"box/{agent.BoxId}/#");
        var random = new Random(20240601);
        const int count = 3000;
        for (var i = 0; i < count; i++)
        {
            var responseTopic = random.Next(10) switch
            {
                0 => "ops/fuzz/" + i,
                1 => "ops/#/bad",
                _ => null,
            };
            var correlation = random.Next(5) == 0 ? new byte[random.Next(0, 40)] : null;
            await cloud.PublishAsync(agent.Topics.Cmd, Payload(random, i), responseTopic, correlation, qos: MqttQualityOfServiceLevel.AtLeastOnce);
        }
        await Eventually.TrueAsync(() => agent.Seen.OfType<Box.Agent.Cloud.Link.CloudInput.CommandArrived>().Count() == count, "all junk dispatched", TimeSpan.FromSeconds(40));

        await cloud.PublishAsync(agent.Topics.Cmd, """{"id":"after-fuzz","name":"ping"}""");
        var reply = await cloud.WaitForAsync(r => r.Topic == agent.Topics.Reply && r.Text.Contains("\"after-fuzz\""), "ping after fuzz");
        Assert.Equal("""{"id":"after-fuzz","ok":true,"status":"done","result":{"pong":true}}""", reply.Text);
        Assert.True(agent.Link.IsConnected);
        Assert.Equal(1, agent.LinkUps);
        // Junk without an id is reported, but rate-limited rather than one event each.
        var errorEvents = cloud.On(agent.Topics.Events).Count(e => e.Text.Contains("\"type\":\"error\""));
        Assert.InRange(errorEvents, 1, 40);
    }

    public void Dispose() => _data.Dispose();
}
