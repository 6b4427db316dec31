using Box.Ctl.Tests.Support;

namespace Box.Ctl.Tests.Cli;

/// <summary>The System.CommandLine front: help, one-line errors with exit 2,
/// global options on either side of the command, completion.</summary>
public sealed class CommandLineTests
{
    const string Hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_command_and_exits_0(string flag)
    {
        var result = await CtlRunner.RunAsync(flag);

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "list", "watch", "cmd", "config", "token", "rollout", "version", "--broker", "Exit codes" })
            Assert.Contains(command, result.Out);
    }

    [Fact]
    public async Task Command_help_shows_its_options()
    {
        var result = await CtlRunner.RunAsync("rollout", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--wave-timeout", result.Out);
        Assert.Contains("--broker", result.Out);
    }

    [Fact]
    public async Task No_arguments_print_help_on_stderr_and_exit_2()
    {
        var result = await CtlRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("rollout", result.Err);
    }

    [Theory]
    [InlineData("Unrecognized command or argument 'bogus'", "bogus")]
    [InlineData("Unrecognized command or argument '--bogus'", "list", "--bogus", "1")]
    [InlineData("--settle must be an integer from 0 to 60000, not 'soon'", "list", "--settle", "soon")]
    [InlineData("--timeout must be an integer from 1 to 604800, not '0'", "--timeout", "0", "list")]
    [InlineData("--timeout must be an integer from 1 to 604800, not '0'", "list", "--timeout", "0")]
    [InlineData("'--count' expects a single argument", "watch", "--count", "1", "--count", "2")]
    [InlineData("watch takes --id ID or --all, not both", "watch", "--id", "b1", "--all")]
    [InlineData("Required argument missing", "cmd", "b1")]
    [InlineData("'--url' is required", "rollout", "--ids", "b1")]
    [InlineData("--max-failure-percent must be a number from 0 to 100, not '101'", "rollout", "--ids", "b1", "--url", "http://x/",
        "--version", "1", "--size", "1", "--sha256", "00", "--max-failure-percent", "101")]
    [InlineData("--cert and --key go together", "list", "--key", "k.pem")]
    [InlineData("--password needs --username", "--password", "p", "list")]
    [InlineData("Unrecognized command or argument 'frob'", "config", "frob", "b1")]
    [InlineData("--prefix: ", "--prefix", "box/", "list")]
    [InlineData("box id: 'a/b' must not contain", "cmd", "a/b", "ping")]
    [InlineData("Required command was not provided", "token")]
    [InlineData("Unrecognized command or argument 'frob'", "token", "frob")]
    [InlineData("Unrecognized command or argument '--bogus'", "token", "mint", "--key", "k.pem", "--hash", Hash, "--bogus")]
    [InlineData("'--key' is required", "token", "mint", "--hash", Hash)]
    [InlineData("'--out' is required", "token", "keygen")]
    [InlineData("--ttl must be an integer from 1 to 31622400, not 'soon'", "token", "mint", "--key", "k.pem", "--hash", Hash, "--ttl", "soon")]
    [InlineData("give --ttl or --exp, not both", "token", "mint", "--key", "k.pem", "--hash", Hash, "--ttl", "60", "--exp", "4102444800")]
    [InlineData("--key: no such file 'k.pem'", "token", "mint", "--key", "k.pem", "--hash", Hash)]
    [InlineData("Required argument missing", "token", "verify", "--pub", "p.pem")]
    [InlineData("give the scheduler's public key with --pub PUB.pem or a key set with --keys FILE.json", "token", "verify", "eyJ.x.y")]
    public async Task Bad_arguments_exit_2_with_one_line_naming_the_problem(string message, params string[] args)
    {
        var result = await CtlRunner.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Err);
        Assert.StartsWith("boxctl: ", result.Err);
        Assert.Single(result.Err.TrimEnd().Split('\n'));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Token_subcommand_help_shows_its_own_options()
    {
        var result = await CtlRunner.RunAsync("token", "mint", "-h");

        Assert.Equal(0, result.ExitCode);
        foreach (string option in new[] { "--key", "the scheduler's private key", "--hash", "--ttl", "--exp", "--nbf", "--jti", "--kid", "--box", "--json" })
            Assert.Contains(option, result.Out);
        Assert.DoesNotContain("the client certificate's private key", result.Out);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public async Task Token_help_lists_its_subcommands()
    {
        var result = await CtlRunner.RunAsync("help", "token");

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "keygen", "mint", "verify" })
            Assert.Contains(command, result.Out);
    }

    [Theory]
    [InlineData("--json", "token", "mint", "--key", "{key}", "--hash", Hash)]
    [InlineData("token", "mint", "--hash", Hash, "--key", "{key}", "--json")]
    [InlineData("token", "mint", "--key={key}", "--hash", Hash, "--json")]
    public async Task Token_mint_key_is_the_scheduler_key_not_the_client_key(params string[] args)
    {
        string dir = Directory.CreateTempSubdirectory("boxctl-cli-").FullName;
        try
        {
            Assert.Equal(0, (await CtlRunner.RunAsync("token", "keygen", "--out", dir)).ExitCode);
            string key = Path.Combine(dir, "scheduler-key.pem");
            var mint = await CtlRunner.RunAsync([.. args.Select(a => a.Replace("{key}", key, StringComparison.Ordinal))]);

            Assert.True(mint.ExitCode == 0, mint.ToString());
            Assert.Contains("\"token\"", mint.Out);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Suggest_directive_completes_command_names()
    {
        var result = await CtlRunner.RunAsync("[suggest]", "roll");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("rollout", result.Out.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = await CtlRunner.RunAsync("version");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("boxctl 0.", result.Out);
    }
}
