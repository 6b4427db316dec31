using Box.Protocol.Topics;

namespace Box.Protocol.Tests.Topics;

public sealed class TopicLayoutTests
{
    [Fact]
    public void Default_prefix_builds_and_parses_topics()
    {
        var layout = TopicLayout.Parse("box/{id}/");

        Assert.Equal("box/b1/status", layout.For("b1", TopicNames.Status));
        Assert.Equal("box/+/state", layout.ForAll(TopicNames.State));
        Assert.True(layout.TryParse("box/b1/events", out string id, out string leaf));
        Assert.Equal(("b1", "events"), (id, leaf));
        Assert.False(layout.TryParse("other/b1/events", out _, out _));
    }

    [Fact]
    public void Box_topics_are_the_contract_names()
    {
        var t = TopicLayout.Default.Topics("b1");

        Assert.Equal(
            ["box/b1/status", "box/b1/state", "box/b1/telemetry", "box/b1/events", "box/b1/cmd", "box/b1/reply", "box/b1/config", "box/b1/pairing", "box/b1/usage"],
            [t.Status, t.State, t.Telemetry, t.Events, t.Cmd, t.Reply, t.Config, t.Pairing, t.Usage]);
    }

    [Fact]
    public void Custom_prefix_with_levels_around_the_id_works()
    {
        var layout = TopicLayout.Parse("fleet/eu/{id}/v1/");

        Assert.Equal("fleet/eu/+/v1/status", layout.ForAll("status"));
        Assert.True(layout.TryParse("fleet/eu/x9/v1/status", out string id, out string leaf));
        Assert.Equal(("x9", "status"), (id, leaf));
        Assert.False(layout.TryParse("fleet/eu/x9/v2/status", out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("box/")]
    [InlineData("box/{id}")]
    [InlineData("box-{id}/")]
    [InlineData("box/#/{id}/")]
    [InlineData("box/+/{id}/")]
    [InlineData("{id}/{id}/")]
    public void Bad_prefixes_are_refused(string prefix)
    {
        Assert.NotNull(TopicLayout.Problem(prefix));
        Assert.Throws<ArgumentException>(() => TopicLayout.Parse(prefix));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("a b")]
    [InlineData("a\u0001")]
    [InlineData("")]
    public void Ids_that_are_not_one_topic_level_are_refused(string id)
    {
        Assert.Throws<ArgumentException>(() => TopicLayout.Default.For(id, "cmd"));
    }

    [Fact]
    public void Ids_over_64_characters_are_refused()
    {
        Assert.Null(BoxId.Problem(new string('a', 64)));
        Assert.Contains("64-character", BoxId.Problem(new string('a', 65)));
    }
}
