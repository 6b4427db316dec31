namespace Box.Ctl.Tests.Support;

/// <summary>A mosquitto whose TLS listener requires a client certificate, with
/// the test certificates boxctl is pointed at.</summary>
public sealed class TlsBroker : IAsyncLifetime
{
    readonly TestCertificates _certs = new();
    MosquittoBroker _broker = null!;

    public string CaFile => _certs.CaCert;
    public string OtherCaFile => _certs.OtherCaCert;
    public string ClientCertFile => _certs.ClientCert;
    public string ClientKeyFile => _certs.ClientKey;
    public string Url => _broker.TlsUrl().OriginalString;
    /// <summary>A listener whose leaf is signed by an intermediate CA under <see cref="CaFile"/>.</summary>
    public string IntermediateUrl => _broker.TlsUrl(1).OriginalString;

    public async Task InitializeAsync() =>
        _broker = await MosquittoBroker.StartAsync(
            new TlsListener(_certs.CaCert, _certs.ServerCert, _certs.ServerKey, RequireCertificate: true),
            new TlsListener(_certs.CaCert, _certs.IntermediateServerChain, _certs.IntermediateServerKey, RequireCertificate: true));

    public async Task DisposeAsync()
    {
        if (_broker is not null)
            await _broker.DisposeAsync();
        _certs.Dispose();
    }
}
