using System.CommandLine;
using NodeAgent.Dicom.Network.Client;
using NodeAgent.Dicom.Network.Security;

namespace NodeAgent.Cli.Pacs;

/// <summary>The options every <c>nodeagent pacs</c> verb that calls a PACS shares.</summary>
internal sealed class PacsConnectionOptions
{
    public Option<string> Host { get; } = new("--host") { Description = "The PACS host name or address.", DefaultValueFactory = _ => "127.0.0.1" };

    public Option<int> Port { get; } = new("--port") { Description = "The PACS DICOM port.", Required = true };

    public Option<string> CalledAe { get; } = new("--called-ae") { Description = "The PACS AE title.", DefaultValueFactory = _ => "ANY-SCP" };

    public Option<string> CallingAe { get; } = new("--calling-ae") { Description = "Our AE title, as the PACS knows it.", DefaultValueFactory = _ => "NODEAGENT" };

    public Option<double> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for each answer.", DefaultValueFactory = _ => 60 };

    public Option<FileInfo?> TlsCertificate { get; } = new("--tls-cert") { Description = "Use TLS; our client certificate (PEM or PFX), for mutual TLS." };

    public Option<FileInfo?> TlsKey { get; } = new("--tls-key") { Description = "The private key (PEM) of --tls-cert." };

    public Option<FileInfo?> TlsCa { get; } = new("--tls-ca") { Description = "Use TLS and trust the PACS certificate only if issued by this CA (PEM)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(CalledAe);
        command.Options.Add(CallingAe);
        command.Options.Add(Timeout);
        command.Options.Add(TlsCertificate);
        command.Options.Add(TlsKey);
        command.Options.Add(TlsCa);
    }

    public DicomClientOptions Read(ParseResult result)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(Timeout)));
        return new DicomClientOptions
        {
            Host = result.GetValue(Host)!,
            Port = result.GetValue(Port),
            CalledAeTitle = result.GetValue(CalledAe)!,
            CallingAeTitle = result.GetValue(CallingAe)!,
            DimseTimeout = timeout,
            AssociationTimeout = timeout,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, timeout.TotalSeconds)),
            Tls = ReadTls(result),
            // A person at the console wants the error now, not after retries.
            Resilience = DicomResilienceOptions.Interactive,
        };
    }

    private DicomTlsOptions? ReadTls(ParseResult result)
    {
        var cert = result.GetValue(TlsCertificate);
        var key = result.GetValue(TlsKey);
        var ca = result.GetValue(TlsCa);
        if (cert is null && ca is null)
        {
            return null;
        }

        var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        if (ca is not null)
        {
            roots.ImportFromPemFile(ca.FullName);
        }

        return new DicomTlsOptions
        {
            Certificate = cert is null ? null : DicomTlsOptions.LoadCertificate(cert.FullName, key?.FullName),
            TrustedRoots = roots.Count > 0 ? roots : null,
        };
    }
}
