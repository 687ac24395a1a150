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

/// <summary>Fetches the signing certificate PayPal names in PAYPAL-CERT-URL; injectable so tests never touch the network.</summary>
public interface IPayPalCertificateFetcher
{
    Task<X509Certificate2> FetchAsync(Uri certUrl, CancellationToken cancellationToken);
}

/// <summary>Fetches the PEM PayPal serves at the certificate URL; the first certificate in it is the signer.</summary>
public sealed class HttpPayPalCertificateFetcher(HttpClient http) : IPayPalCertificateFetcher
{
    public async Task<X509Certificate2> FetchAsync(Uri certUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certUrl);
        var pem = await http.GetStringAsync(certUrl, cancellationToken);
        return X509Certificate2.CreateFromPem(pem);
    }
}

/// <summary>
/// PayPal's offline webhook verification: the signature in PAYPAL-TRANSMISSION-SIG is RSA-SHA256 (PKCS#1 v1.5) by the
/// certificate at PAYPAL-CERT-URL over "transmission_id|transmission_time|webhook_id|crc32(raw body)", the CRC-32 written
/// as an unsigned decimal. The certificate URL is trusted only on https paypal.com hosts, the certificate must be in date
/// and issued to a paypal.com name, and the transmission time must be within the tolerance, which bounds replays.
/// </summary>
public sealed class PayPalWebhookVerifier(IPayPalCertificateFetcher fetcher)
{
    /// <summary>The same five minutes Stripe uses; PayPal retries with a new transmission time, so honest retries pass.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<Uri, X509Certificate2> _certificates = new();

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

        X509Certificate2 certificate;
        try
        {
            certificate = await CertificateAsync(certUrl!, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or CryptographicException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return SignatureCheck.Fail($"the signing certificate could not be fetched or read: {e.Message}");
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

    private async Task<X509Certificate2> CertificateAsync(Uri certUrl, CancellationToken cancellationToken)
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
