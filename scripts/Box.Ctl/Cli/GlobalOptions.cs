using System.CommandLine;
using Box.Ctl.Mqtt;
using Box.Protocol.Topics;

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
    public const long MaxTimeoutSeconds = 7 * 24 * 3600;

    /// <summary>Checks the global options together and builds them.</summary>
    public static GlobalOptions Create(string? brokerText, string? ca, string? cert, string? key, string? user, string? password,
        string? prefix, long? timeoutSeconds, bool json, Func<string, string?> environment)
    {
        var broker = BrokerAddress.Parse(brokerText ?? NonEmpty(environment("BOX_BROKER")) ?? DefaultBroker);
        if (!broker.Tls && (ca is not null || cert is not null))
            throw new UsageException("--ca and --cert need an mqtts:// broker");
        if ((cert is null) != (key is null))
            throw new UsageException("--cert and --key go together (client certificate and its private key)");
        if (password is not null && user is null)
            throw new UsageException("--password needs --username");
        foreach (var (name, file) in new[] { ("--ca", ca), ("--cert", cert), ("--key", key) })
            if (file is not null && !File.Exists(file))
                throw new UsageException($"{name}: no such file '{file}'");
        prefix ??= TopicLayout.DefaultPrefix;
        if (TopicLayout.Problem(prefix) is { } problem)
            throw new UsageException("--prefix: " + problem);

        return new GlobalOptions(broker, ca, cert, key, user, password, TopicLayout.Parse(prefix),
            timeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : DefaultTimeout, json);
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}

/// <summary>The global options as System.CommandLine options: on the root
/// command and recursive, so they stand before or after the subcommand.</summary>
internal sealed class GlobalOptionSet
{
    public readonly Option<string?> Broker = CliOptions.Text("--broker", "mqtt://host:port|mqtts://host:port",
        $"broker (env BOX_BROKER; default {GlobalOptions.DefaultBroker}; mqtts default port 8883)", recursive: true);
    public readonly Option<string?> Ca = CliOptions.Text("--ca", "FILE", "PEM CA certificate(s) the broker's chain must end at (mqtts only)", recursive: true);
    public readonly Option<string?> Cert = CliOptions.Text("--cert", "FILE", "client certificate, PEM (mqtts only; with --key)", recursive: true);
    public readonly Option<string?> Key = CliOptions.Text("--key", "FILE", "the client certificate's private key, PEM (with --cert)", recursive: true);
    public readonly Option<string?> Username = CliOptions.Text("--username", "U", "MQTT user name", recursive: true);
    public readonly Option<string?> Password = CliOptions.Text("--password", "P", "MQTT password (with --username)", recursive: true);
    public readonly Option<string?> Prefix = CliOptions.Text("--prefix", "box/{id}/", "per-box topic prefix; {id} is one whole topic level", recursive: true);
    public readonly Option<long?> Timeout = CliOptions.Long("--timeout", 1, GlobalOptions.MaxTimeoutSeconds, "SECONDS",
        "how long to wait for the broker and for answers (default 30)", recursive: true);
    public readonly Option<bool> Json = CliOptions.Flag("--json", "machine-readable output on stdout (progress and notes go to stderr)", recursive: true);

    public void AddTo(Command root)
    {
        foreach (Option option in new Option[] { Broker, Ca, Cert, Key, Username, Password, Prefix, Timeout, Json })
            root.Options.Add(option);
    }

    public GlobalOptions Read(ParseResult r, Func<string, string?> environment) =>
        GlobalOptions.Create(r.GetValue(Broker), r.GetValue(Ca), r.GetValue(Cert), r.GetValue(Key), r.GetValue(Username),
            r.GetValue(Password), r.GetValue(Prefix), r.GetValue(Timeout), r.GetValue(Json), environment);
}
