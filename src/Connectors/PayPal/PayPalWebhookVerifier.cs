using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SalesDash.Connectors.Common;

namespace SalesDash.Connectors.PayPal;

/// <summary>The PAYPAL-* headers of one webhook delivery (PayPal REST docs, "Webhooks: verify signature").</summary>
public sealed record PayPalTransmission(string? TransmissionId, string? TransmissionTime, string? TransmissionSig, string? CertUrl, string? AuthAlgo)
{
    public const string TransmissionIdHeader = "PAYPAL-TRANSMISSION-ID";
    public const string TransmissionTimeHeader = "PAYPAL-TRANSMISSION-TIME";
    public const string TransmissionSigHeader = "PAYPAL-TRANSMISSION-SIG";
    public const string CertUrlHeader = "PAYPAL-CERT-URL";
    public const string AuthAlgoHeader = "PAYPAL-AUTH-ALGO";
}

/// <summary>Fetches the certificates PayPal serves at PAYPAL-CERT-URL (signer first, then any intermediates); injectable so tests never touch the network.</summary>
public interface IPayPalCertificateFetcher
{
    Task<X509Certificate2Collection> FetchAsync(Uri certUrl, CancellationToken cancellationToken);
}

/// <summary>
/// Fetches the PEM PayPal serves at the certificate URL. The client must not follow redirects (the outbound policy's
/// clients do not): a redirect would let the URL check pass on paypal.com and the download come from elsewhere.
/// </summary>
public sealed class HttpPayPalCertificateFetcher(HttpClient http) : IPayPalCertificateFetcher
{
    /// <summary>A certificate chain in PEM is a few kilobytes; anything much larger is not one.</summary>
    private const int MaxPemBytes = 64 * 1024;

    public async Task<X509Certificate2Collection> FetchAsync(Uri certUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certUrl);
        using var response = await http.GetAsync(certUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        // Whatever client it is given: an answer from anywhere but the checked URL (a followed redirect) is not PayPal's.
        if (response.RequestMessage?.RequestUri is { } answered && answered != certUrl)
        {
            throw new HttpRequestException($"{certUrl} redirected to {answered.GetLeftPart(UriPartial.Authority)}; certificates are only taken from the URL PayPal names.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{certUrl} answered {(int)response.StatusCode}; redirects are not followed.", null, response.StatusCode);
        }

        if (response.Content.Headers.ContentLength > MaxPemBytes)
        {
            throw new HttpRequestException($"{certUrl} served more than {MaxPemBytes} bytes, which is no certificate chain.");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length > MaxPemBytes)
        {
            throw new HttpRequestException($"{certUrl} served more than {MaxPemBytes} bytes, which is no certificate chain.");
        }

        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(Encoding.ASCII.GetString(bytes));
        return certificates.Count > 0 ? certificates : throw new CryptographicException($"{certUrl} served no PEM certificate.");
    }
}

/// <summary>
/// The roots a PayPal signing certificate must chain to. Null (the default) means the operating system's trusted roots,
/// which is what PayPal's public CA needs; tests and air-gapped installs name their own.
/// </summary>
public sealed record PayPalCertificateTrust(X509Certificate2Collection? CustomRoots = null)
{
    public static readonly PayPalCertificateTrust System = new();
}

/// <summary>
/// PayPal's offline webhook verification: the signature in PAYPAL-TRANSMISSION-SIG is RSA-SHA256 (PKCS#1 v1.5) by the
/// certificate at PAYPAL-CERT-URL over "transmission_id|transmission_time|webhook_id|crc32(raw body)", the CRC-32 written
/// as an unsigned decimal. The certificate URL is trusted only on https paypal.com hosts, the certificate must chain to a
/// trusted root (a self-made certificate with a PayPal name is not PayPal's), be in date and be issued to a paypal.com
/// name, and the transmission time must be within the tolerance, which bounds replays.
/// </summary>
public sealed class PayPalWebhookVerifier(IPayPalCertificateFetcher fetcher, PayPalCertificateTrust? trust = null)
{
    /// <summary>The same five minutes Stripe uses; PayPal retries with a new transmission time, so honest retries pass.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Uri, X509Certificate2Collection> _certificates = new();
    private readonly PayPalCertificateTrust _trust = trust ?? PayPalCertificateTrust.System;

    /// <summary>CRC-32 (IEEE 802.3, the zlib polynomial) of the raw body, as PayPal puts it in the signed message.</summary>
    public static uint Crc32Of(ReadOnlySpan<byte> rawBody) => Crc32.HashToUInt32(rawBody);

    /// <summary>The exact string PayPal signs for a delivery.</summary>
    public static string SignedMessage(string transmissionId, string transmissionTime, string webhookId, ReadOnlySpan<byte> rawBody) =>
        string.Join('|', transmissionId, transmissionTime, webhookId, Crc32Of(rawBody).ToString(CultureInfo.InvariantCulture));

    /// <summary>True for https URLs on paypal.com or one of its subdomains (api.paypal.com, api.sandbox.paypal.com, ...).</summary>
    public static bool IsTrustedCertUrl(string? certUrl, out Uri? uri)
    {
        uri = null;
        if (!Uri.TryCreate(certUrl, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps || !parsed.IsDefaultPort
            || !string.IsNullOrEmpty(parsed.UserInfo) || !IsPayPalHost(parsed.IdnHost))
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    public async Task<SignatureCheck> VerifyAsync(
        PayPalTransmission transmission, ReadOnlyMemory<byte> rawBody, string webhookId, DateTimeOffset now, CancellationToken cancellationToken, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(transmission);
        if (string.IsNullOrWhiteSpace(webhookId))
        {
            return SignatureCheck.Fail("no webhook id is configured for this PayPal connection");
        }

        if (string.IsNullOrWhiteSpace(transmission.TransmissionId) || string.IsNullOrWhiteSpace(transmission.TransmissionTime)
            || string.IsNullOrWhiteSpace(transmission.TransmissionSig) || string.IsNullOrWhiteSpace(transmission.CertUrl))
        {
            return SignatureCheck.Fail("the PAYPAL-TRANSMISSION-ID, -TIME, -SIG and PAYPAL-CERT-URL headers are all required");
        }

        if (!string.Equals(transmission.AuthAlgo?.Trim(), "SHA256withRSA", StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.Fail($"PAYPAL-AUTH-ALGO '{transmission.AuthAlgo}' is not SHA256withRSA");
        }

        if (!IsTrustedCertUrl(transmission.CertUrl, out var certUrl))
        {
            return SignatureCheck.Fail($"PAYPAL-CERT-URL '{transmission.CertUrl}' is not an https URL on a paypal.com host");
        }

        if (!DateTimeOffset.TryParse(transmission.TransmissionTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sentAt))
        {
            return SignatureCheck.Fail($"PAYPAL-TRANSMISSION-TIME '{transmission.TransmissionTime}' is not a timestamp");
        }

        if ((now - sentAt).Duration() > (tolerance ?? DefaultTolerance))
        {
            return SignatureCheck.Fail($"the transmission time {sentAt.UtcDateTime:O} is outside the allowed tolerance of now");
        }

        var signature = new byte[512];
        if (!Convert.TryFromBase64String(transmission.TransmissionSig.Trim(), signature, out var signatureLength))
        {
            return SignatureCheck.Fail("PAYPAL-TRANSMISSION-SIG is not base64");
        }

        X509Certificate2Collection served;
        try
        {
            served = await CertificateAsync(certUrl!, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or CryptographicException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return SignatureCheck.Fail($"the signing certificate could not be fetched or read: {e.Message}");
        }

        if (served.Count == 0)
        {
            return SignatureCheck.Fail("PAYPAL-CERT-URL served no certificate");
        }

        var certificate = served[0];
        if (ChainProblem(served, now) is { } chainProblem)
        {
            return SignatureCheck.Fail($"the signing certificate '{certificate.Subject}' is not trusted: {chainProblem}");
        }

        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return SignatureCheck.Fail($"the signing certificate is not valid now (valid {certificate.NotBefore:O} to {certificate.NotAfter:O})");
        }

        if (!IsPayPalHost(certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false)))
        {
            return SignatureCheck.Fail($"the signing certificate is issued to '{certificate.Subject}', not a paypal.com name");
        }

        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is null)
        {
            return SignatureCheck.Fail("the signing certificate has no RSA key");
        }

        var message = Encoding.UTF8.GetBytes(SignedMessage(transmission.TransmissionId.Trim(), transmission.TransmissionTime.Trim(), webhookId.Trim(), rawBody.Span));
        return rsa.VerifyData(message, signature.AsSpan(0, signatureLength), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? SignatureCheck.Valid
            : SignatureCheck.Fail("PAYPAL-TRANSMISSION-SIG does not verify for this body and webhook id");
    }

    /// <summary>Null when the signer chains to a trusted root at <paramref name="now"/>; otherwise what is wrong.</summary>
    private string? ChainProblem(X509Certificate2Collection served, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        // Offline by design (the point of offline verification); PayPal rotates these certificates often and keeps them short-lived.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(served.Skip(1).ToArray());
        if (_trust.CustomRoots is { } roots)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (chain.Build(served[0]))
        {
            return null;
        }

        var statuses = chain.ChainStatus.Select(s => s.Status == X509ChainStatusFlags.NoError ? null : s.StatusInformation.Trim()).OfType<string>().Distinct().ToList();
        return statuses.Count > 0 ? string.Join("; ", statuses) : "the chain does not end at a trusted root";
    }

    private async Task<X509Certificate2Collection> CertificateAsync(Uri certUrl, CancellationToken cancellationToken)
    {
        // PayPal signs many deliveries with one certificate; fetching it once per URL keeps verification offline after the first.
        if (_certificates.TryGetValue(certUrl, out var cached))
        {
            return cached;
        }

        var fetched = await fetcher.FetchAsync(certUrl, cancellationToken);
        return _certificates.GetOrAdd(certUrl, fetched);
    }

    private static bool IsPayPalHost(string? host) =>
        !string.IsNullOrEmpty(host)
        && (host.Equals("paypal.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".paypal.com", StringComparison.OrdinalIgnoreCase));
}
