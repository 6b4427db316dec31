using Box.Ctl.Cli;

namespace Box.Ctl.Mqtt;

/// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c> (docs/contract.md "Agent command line").</summary>
public sealed record BrokerAddress(string Host, int Port, bool Tls)
{
    public static BrokerAddress Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != "mqtt" && uri.Scheme != "mqtts")
            || string.IsNullOrEmpty(uri.Host)
            || (uri.AbsolutePath != "/" && uri.AbsolutePath != "")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            throw new UsageException($"--broker must be mqtt://host:port or mqtts://host:port, not '{text}'");
        bool tls = uri.Scheme == "mqtts";
        int port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port;
        return new BrokerAddress(uri.IdnHost, port, tls);
    }

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
