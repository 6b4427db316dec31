using System.Text.Json.Nodes;
using Box.Agent.Tests.Support;
using Box.Hal.Sim;

namespace Box.Agent.Tests.Commands;

/// <summary>The chunk store's commands through the real dispatcher on the sim board:
/// argument checks and the answers that need no download.</summary>
public class ChunkCommandsTests
{
    private const string H = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    private static JsonObject Args(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("chunk.prefetch", """{"size":5,"url":"http://o/x"}""", "args.hash: required string")]
    [InlineData("chunk.prefetch", """{"hash":"abc","size":5,"url":"http://o/x"}""", "args.hash: expected a SHA-256 as 64 hex characters, got \"abc\"")]
    [InlineData("chunk.prefetch", """{"hash":"../etc/passwd0000000000000000000000000000000000000000000000000000","size":5,"url":"http://o/x"}""", "args.hash: expected 1..64 characters")]
    [InlineData("chunk.prefetch", """{"hash":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g","size":5,"url":"http://o/x"}""", "args.hash: expected a SHA-256")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":0,"url":"http://o/x"}""", "args.size: expected integer 1..67108864, got 0")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":67108865,"url":"http://o/x"}""", "args.size: expected integer 1..67108864, got 67108865")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"ftp://o/x"}""", "args.url: expected an absolute http:// or https:// URL")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"file:///etc/passwd"}""", "args.url: expected an absolute http:// or https:// URL")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"/relative"}""", "args.url: expected an absolute http:// or https:// URL")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"http://user:pw@o/x"}""", "args.url: must not carry credentials")]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"http://o/x","pin":"yes"}""", "args.pin: expected true or false, got \"yes\"")]
    [InlineData("chunk.evict", """{}""", "args.hashes: required array of hashes")]
    [InlineData("chunk.evict", """{"hashes":[]}""", "args.hashes: expected 1..1000 hashes, got 0")]
    [InlineData("chunk.evict", """{"hashes":["H",5]}""", "args.hashes[1]: expected a SHA-256 as 64 hex characters, got 5")]
    [InlineData("chunk.list", """{"limit":0}""", "args.limit: expected integer 1..1000, got 0")]
    [InlineData("chunk.list", """{"after":"nope"}""", "args.after: expected a SHA-256")]
    public async Task Bad_arguments_are_bad_request_naming_the_field(string name, string args, string message)
    {
        await using var agent = await SimAgent.StartAsync();
        var reply = await agent.CommandAsync(name, Args(args.Replace("\"H\"", $"\"{H}\"", StringComparison.Ordinal)));
        Assert.Equal("bad_request", (string?)reply["error"]!["code"]);
        Assert.StartsWith(message, (string?)reply["error"]!["message"]);
    }

    [Theory]
    [InlineData("chunk.prefetch", """{"hash":"H","size":5,"url":"http://127.0.0.1:9/x"}""")]
    [InlineData("chunk.evict", """{"hashes":["H"]}""")]
    [InlineData("chunk.list", """{}""")]
    public async Task Without_a_disk_the_store_commands_are_no_disk(string name, string args)
    {
        await using var agent = await SimAgent.StartAsync();
        var reply = await agent.CommandAsync(name, Args(args.Replace("\"H\"", $"\"{H}\"", StringComparison.Ordinal)));
        Assert.Equal("no_disk", (string?)reply["error"]!["code"]);
    }

    [Fact]
    public async Task Stats_list_and_evict_on_an_empty_store()
    {
        await using var agent = await SimAgent.StartAsync();
        var stats = (await agent.CommandAsync("store.stats"))["result"]!;
        Assert.Equal((0L, 0L), ((long)stats["chunks"]!, (long)stats["usedBytes"]!));

        var usb = agent.Dir.Combine("usb");
        Directory.CreateDirectory(usb);
        SimBoard.Plug(agent.SimDir, usb);
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.StoreDisks.Count == 1, "the store to open on the plugged disk");
        Assert.True(File.Exists(Path.Combine(usb, "box-store", "store-id")));
        var list = (await agent.CommandAsync("chunk.list", Args("""{"limit":5}""")))["result"]!;
        Assert.Equal("""{"hashes":[],"next":null}""", list.ToJsonString());
        var evicted = (await agent.CommandAsync("chunk.evict", Args($$"""{"hashes":["{{H}}"]}""")))["result"]!;
        Assert.Equal(0, (int)evicted["evicted"]!);
        stats = (await agent.CommandAsync("store.stats"))["result"]!;
        Assert.Single(stats["disks"]!.AsArray());
        Assert.True((long)stats["quotaBytes"]! > 0);

        SimBoard.Unplug(agent.SimDir, usb);
        await Eventually.TrueAsync(() => agent.Supervisor.Snapshot.StoreDisks.Count == 0, "the store to close when the disk goes");
    }
}
