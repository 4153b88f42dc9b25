using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace NodeAgent.Federation.Security;

/// <summary>The federation endpoint's TLS: HTTP/2 over TLS 1.2+, our certificate, a client certificate required and checked.</summary>
public static class MutualTls
{
    public static void Configure(ListenOptions listen, X509Certificate2 serverCertificate, ClientCertificateCheck check)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(check);
        listen.Protocols = HttpProtocols.Http2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = check.Validate,
            CheckCertificateRevocation = false,
        });
    }
}
