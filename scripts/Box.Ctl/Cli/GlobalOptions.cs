using Box.Ctl.Mqtt;

namespace Box.Ctl.Cli;

/// <summary>Options every subcommand understands.</summary>
public sealed record GlobalOptions(
    BrokerAddress Broker,
    string? CaFile,
    string? CertFile,
    string? KeyFile,
    string? Username,
    string? Password,
    TopicLayout Topics,
    TimeSpan Timeout,
    bool Json)
{
    public const string DefaultBroker = "mqtt://127.0.0.1:1883";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Takes the global options out of <paramref name="args"/>.
    /// <paramref name="environment"/> supplies BOX_BROKER.</summary>
    public static GlobalOptions Read(ArgReader args, Func<string, string?> environment)
    {
        string brokerText = args.Option("--broker") ?? NonEmpty(environment("BOX_BROKER")) ?? DefaultBroker;
        var broker = BrokerAddress.Parse(brokerText);
        string? ca = args.Option("--ca");
        string? cert = args.Option("--cert");
        // --key is the client certificate's key only next to --cert:
        // `token mint --key` names the scheduler key.
        string? key = cert is not null ? args.Option("--key") : null;
        string? user = args.Option("--username");
        string? password = args.Option("--password");
        string prefix = args.Option("--prefix") ?? TopicLayout.DefaultPrefix;
        long? timeout = args.LongOption("--timeout", 1, 7 * 24 * 3600);
        bool json = args.Flag("--json");

        if (!broker.Tls && (ca is not null || cert is not null))
            throw new UsageException("--ca and --cert need an mqtts:// broker");
        if ((cert is null) != (key is null))
            throw new UsageException("--cert and --key go together (client certificate and its private key)");
        if (password is not null && user is null)
            throw new UsageException("--password needs --username");
        foreach (var (name, file) in new[] { ("--ca", ca), ("--cert", cert), ("--key", key) })
            if (file is not null && !File.Exists(file))
                throw new UsageException($"{name}: no such file '{file}'");

        return new GlobalOptions(broker, ca, cert, key, user, password, TopicLayout.Parse(prefix),
            timeout is { } t ? TimeSpan.FromSeconds(t) : DefaultTimeout, json);
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
