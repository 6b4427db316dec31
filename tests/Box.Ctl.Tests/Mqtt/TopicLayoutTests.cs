using Box.Ctl.Cli;
using Box.Ctl.Mqtt;

namespace Box.Ctl.Tests.Mqtt;

/// <summary>The layout rules are Box.Protocol's (tested there); boxctl turns
/// bad input into usage errors.</summary>
public sealed class TopicLayoutTests
{
    [Fact]
    public void Default_prefix_builds_and_parses_topics()
    {
        var layout = TopicLayout.Parse(TopicLayout.DefaultPrefix);

        Assert.Equal("box/b1/status", layout.For("b1", "status"));
        Assert.Equal("box/+/state", layout.ForAll("state"));
        Assert.True(layout.TryParse("box/b1/events", out string id, out string leaf));
        Assert.Equal(("b1", "events"), (id, leaf));
    }

    [Theory]
    [InlineData("box/")]
    [InlineData("box/{id}")]
    [InlineData("box/#/{id}/")]
    public void Bad_prefixes_are_usage_errors_naming_the_flag(string prefix)
    {
        Assert.StartsWith("--prefix: ", Assert.Throws<UsageException>(() => TopicLayout.Parse(prefix)).Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("a b")]
    [InlineData("")]
    public void Ids_that_are_not_one_topic_level_are_usage_errors(string id)
    {
        Assert.Throws<UsageException>(() => TopicLayout.Parse("box/{id}/").For(id, "cmd"));
    }
}
