using Box.Ctl.Cli;
using Box.Ctl.Mqtt;

namespace Box.Ctl.Tests.Mqtt;

public sealed class TopicLayoutTests
{
    [Fact]
    public void Default_prefix_builds_and_parses_topics()
    {
        var layout = TopicLayout.Parse("box/{id}/");

        Assert.Equal("box/b1/status", layout.For("b1", "status"));
        Assert.Equal("box/+/state", layout.ForAll("state"));
        Assert.True(layout.TryParse("box/b1/events", out string id, out string leaf));
        Assert.Equal(("b1", "events"), (id, leaf));
        Assert.False(layout.TryParse("other/b1/events", out _, out _));
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
    [InlineData("box/")]
    [InlineData("box/{id}")]
    [InlineData("box-{id}/")]
    [InlineData("box/#/{id}/")]
    [InlineData("{id}/{id}/")]
    public void Bad_prefixes_are_refused(string prefix)
    {
        Assert.Throws<UsageException>(() => TopicLayout.Parse(prefix));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("a b")]
    [InlineData("")]
    public void Ids_that_are_not_one_topic_level_are_refused(string id)
    {
        Assert.Throws<UsageException>(() => TopicLayout.Parse("box/{id}/").For(id, "cmd"));
    }
}
