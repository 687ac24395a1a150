using System.Globalization;
using System.Text;
using SalesDash.Connectors.Common;

namespace SalesDash.Connectors.Stripe;

/// <summary>
/// Stripe's webhook signature (Stripe docs, "Check the webhook signatures"): header
/// <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=...][,v0=...]</c>, where v1 = hex(HMAC-SHA256(endpoint secret,
/// "&lt;t&gt;.&lt;raw body&gt;")). Only v1 is trusted; several v1 values appear while a secret is being rolled.
/// The signed timestamp bounds replays: a delivery older (or newer) than the tolerance is refused.
/// </summary>
public static class StripeWebhookSignature
{
    public const string Header = "Stripe-Signature";

    /// <summary>Stripe's libraries default to five minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    /// <summary>The v1 value Stripe would send for this body, secret and timestamp.</summary>
    public static string ComputeV1(ReadOnlySpan<byte> rawBody, string secret, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(HmacSignatures.Sha256(secret, SignedPayload(rawBody, timestamp)));
    }

    public static SignatureCheck Verify(ReadOnlySpan<byte> rawBody, string? headerValue, string secret, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SignatureCheck.Fail("no endpoint secret is configured for this Stripe connection");
        }

        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return SignatureCheck.Fail($"the {Header} header is missing");
        }

        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in headerValue.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
            {
                continue;
            }

            switch (pair[0].Trim())
            {
                case "t" when long.TryParse(pair[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var t):
                    timestamp = t;
                    break;
                case "v1":
                    signatures.Add(pair[1].Trim());
                    break;
            }
        }

        if (timestamp is null)
        {
            return SignatureCheck.Fail($"the {Header} header has no timestamp (t=)");
        }

        if (signatures.Count == 0)
        {
            return SignatureCheck.Fail($"the {Header} header has no v1 signature");
        }

        var expected = HmacSignatures.Sha256(secret, SignedPayload(rawBody, timestamp.Value));
        var matched = false;
        foreach (var signature in signatures)
        {
            // Every candidate is compared, so the time taken does not reveal which one matched.
            matched |= HmacSignatures.HexEquals(expected, signature);
        }

        if (!matched)
        {
            return SignatureCheck.Fail($"no v1 signature in the {Header} header matches the body");
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp.Value);
        return age.Duration() > (tolerance ?? DefaultTolerance)
            ? SignatureCheck.Fail("The webhook cannot be processed because the current timestamp is outside of the allowed tolerance.")
            : SignatureCheck.Valid;
    }

    private static byte[] SignedPayload(ReadOnlySpan<byte> rawBody, long timestamp)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(payload, 0);
        rawBody.CopyTo(payload.AsSpan(prefix.Length));
        return payload;
    }
}
