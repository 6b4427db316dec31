using System.Diagnostics;

namespace Box.Agent.Cloud.Tests.Fixtures;

/// <summary>A CA, a server certificate for 127.0.0.1 and a client
/// certificate made with the openssl CLI, plus an unrelated second CA.</summary>
public sealed class TestCertificates : IDisposable
{
    readonly TempDir _dir = new("certs");

    public string CaCert => _dir["ca.crt"];
    public string ServerCert => _dir["server.crt"];
    public string ServerKey => _dir["server.key"];
    public string ClientCert => _dir["client.crt"];
    public string ClientKey => _dir["client.key"];
    public string OtherCaCert => _dir["other-ca.crt"];

    public TestCertificates()
    {
        MakeCa("ca", "Box Test CA");
        MakeCa("other-ca", "Some Other CA");
        MakeLeaf("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        MakeLeaf("client", "box-tls", "extendedKeyUsage=clientAuth\n");
    }

    void MakeCa(string name, string subject) => OpenSsl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", _dir[name + ".key"], "-out", _dir[name + ".crt"], "-days", "2", "-subj", "/CN=" + subject,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    void MakeLeaf(string name, string commonName, string extensions)
    {
        File.WriteAllText(_dir[name + ".ext"], extensions);
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", _dir[name + ".key"], "-out", _dir[name + ".csr"], "-subj", "/CN=" + commonName);
        OpenSsl("x509", "-req", "-in", _dir[name + ".csr"], "-CA", CaCert, "-CAkey", _dir["ca.key"], "-CAcreateserial",
            "-out", _dir[name + ".crt"], "-days", "2", "-extfile", _dir[name + ".ext"]);
    }

    void OpenSsl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl", args) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir.Path };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error.Result}");
    }

    public void Dispose() => _dir.Dispose();
}
