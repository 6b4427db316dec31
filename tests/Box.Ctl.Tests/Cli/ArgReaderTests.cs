using Box.Ctl.Cli;

namespace Box.Ctl.Tests.Cli;

public sealed class ArgReaderTests
{
    [Fact]
    public void Options_are_taken_wherever_they_stand_and_positionals_remain_in_order()
    {
        var args = new ArgReader(["cmd", "--timeout", "5", "b1", "--args={\"a\":1}", "ping", "--json"]);

        Assert.Equal(5, args.LongOption("--timeout", 1, 10));
        Assert.Equal("{\"a\":1}", args.Option("--args"));
        Assert.True(args.Flag("--json"));
        Assert.Equal("cmd", args.Positional());
        Assert.Equal("b1", args.Positional());
        Assert.Equal("ping", args.Positional());
        args.EnsureEmpty("cmd");
    }

    [Fact]
    public void Leftovers_missing_values_repeats_and_bad_numbers_are_named()
    {
        Assert.Contains("unknown option --bogus for 'list'", Assert.Throws<UsageException>(() => new ArgReader(["--bogus=1"]).EnsureEmpty("list")).Message);
        Assert.Contains("--ttl needs a value", Assert.Throws<UsageException>(() => new ArgReader(["--ttl"]).Option("--ttl")).Message);
        Assert.Contains("more than once", Assert.Throws<UsageException>(() => new ArgReader(["--id", "a", "--id", "b"]).Option("--id")).Message);
        Assert.Contains("--ttl must be an integer", Assert.Throws<UsageException>(() => new ArgReader(["--ttl", "soon"]).LongOption("--ttl", 1, 9)).Message);
        Assert.Contains("unexpected argument 'x'", Assert.Throws<UsageException>(() => new ArgReader(["x"]).EnsureEmpty("list")).Message);
    }

    [Fact]
    public void A_lone_dash_is_a_positional()
    {
        Assert.Equal("-", new ArgReader(["-"]).Positional());
    }
}
