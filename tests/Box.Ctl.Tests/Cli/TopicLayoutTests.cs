using Box.Ctl.Cli;

namespace Box.Ctl.Tests.Cli;

/// <summary>The layout rules are Box.Protocol's (tested there); boxctl turns
/// bad input into usage errors where it reads the flag.</summary>
public sealed class TopicLayoutTests
{
    [Fact]
    public void The_default_prefix_is_box_id()
    {
        var options = GlobalOptions.Create(null, null, null, null, null, null, null, null, false, _ => null);

        Assert.Equal("box/b1/status", options.Topics.For("b1", "status"));
        Assert.Equal("box/+/state", options.Topics.ForAll("state"));
    }

    [Theory]
    [InlineData("box/")]
    [InlineData("box/{id}")]
    [InlineData("box/#/{id}/")]
    public void Bad_prefixes_are_usage_errors_naming_the_flag(string prefix)
    {
        var error = Assert.Throws<UsageException>(() => GlobalOptions.Create(null, null, null, null, null, null, prefix, null, false, _ => null));

        Assert.StartsWith("--prefix: ", error.Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("a b")]
    [InlineData("")]
    public void Ids_that_are_not_one_topic_level_are_usage_errors(string id)
    {
        Assert.StartsWith("box id: ", Assert.Throws<UsageException>(() => CliOptions.ValidBoxId(id)).Message);
    }

    [Fact]
    public void A_valid_id_passes_through()
    {
        Assert.Equal("b-1", CliOptions.ValidBoxId("b-1"));
    }
}
