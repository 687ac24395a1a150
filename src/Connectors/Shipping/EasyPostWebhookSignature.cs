using System.Text;
using SalesDash.Connectors.Common;

namespace SalesDash.Connectors.Shipping;

/// <summary>
/// EasyPost's webhook signature (EasyPost docs, "Webhooks: HMAC validation"; the same as its client libraries'
/// validate_webhook): X-Hmac-Signature = "hmac-sha256-hex=" + hex(HMAC-SHA256(key = NFKD-normalised secret, raw body)).
/// The scheme carries no timestamp, so replays are bounded by the event id instead (each event is stored once).
/// </summary>
public static class EasyPostWebhookSignature
{
    public const string Header = "X-Hmac-Signature";
    public const string Prefix = "hmac-sha256-hex=";

    public static string Compute(ReadOnlySpan<byte> rawBody, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Prefix + Convert.ToHexStringLower(HmacSignatures.Sha256(secret.Normalize(NormalizationForm.FormKD), rawBody));
    }

    public static SignatureCheck Verify(ReadOnlySpan<byte> rawBody, string? headerValue, string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SignatureCheck.Fail("no webhook secret is configured for this shipping connection");
        }

        var value = headerValue?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return SignatureCheck.Fail($"the {Header} header is missing");
        }

        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.Fail($"the {Header} header does not start with {Prefix}");
        }

        var expected = HmacSignatures.Sha256(secret.Normalize(NormalizationForm.FormKD), rawBody);
        return HmacSignatures.HexEquals(expected, value.AsSpan(Prefix.Length))
            ? SignatureCheck.Valid
            : SignatureCheck.Fail($"the {Header} header does not match the body");
    }
}
