using System.Text;
using System.Text.Json.Nodes;
using Box.Protocol.Commands;

namespace Box.Protocol.Tests.Commands;

public sealed class RepliesTests
{
    static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void Done_writes_the_contract_shape_with_an_empty_result_for_null()
    {
        Assert.Equal("""{"id":"a","ok":true,"status":"done","result":{"pong":true}}""", Text(Replies.Done("a", new JsonObject { ["pong"] = true })));
        Assert.Equal("""{"id":"a","ok":true,"status":"done","result":{}}""", Text(Replies.Done("a", null)));
    }

    [Fact]
    public void Accepted_and_errors_write_the_contract_shape()
    {
        Assert.Equal("""{"id":"a","ok":true,"status":"accepted"}""", Text(Replies.Accepted("a")));
        Assert.Equal("""{"id":null,"ok":false,"error":{"code":"bad_request","message":"id: required string"}}""",
            Text(Replies.Error(null, ErrorCodes.BadRequest, "id: required string")));
        Assert.Equal("""{"id":"j","ok":false,"status":"failed","error":{"code":"internal","message":"it's <gone> & done"}}""",
            Text(Replies.Error("j", ErrorCodes.Internal, "it's <gone> & done", jobFailed: true)));
    }

    [Fact]
    public void Parse_reads_back_what_is_written()
    {
        var done = Replies.TryParse(Replies.Done("a", new JsonObject { ["n"] = 1 }))!;
        Assert.True(done.Ok);
        Assert.Equal("done", done.Status);
        Assert.Equal(1, (int)done.Result!["n"]!);

        var error = Replies.TryParse(Replies.Error("b", ErrorCodes.Busy, "later", jobFailed: true))!;
        Assert.False(error.Ok);
        Assert.Equal(new ReplyError("busy", "later"), error.Error);
        Assert.True(Replies.TryParse(Replies.Accepted("c"))!.IsAccepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"ok":true}""")]
    [InlineData("""{"id":null,"ok":false}""")]
    [InlineData("""{"id":"a"}""")]
    [InlineData("""{"id":"a","ok":"yes"}""")]
    [InlineData("""{"id":1,"ok":true}""")]
    [InlineData("""{"id":"a","ok":true,"id":"b"}""")]
    public void Parse_returns_null_for_what_is_not_a_reply(string payload)
    {
        Assert.Null(Replies.TryParse(Encoding.UTF8.GetBytes(payload)));
    }
}
