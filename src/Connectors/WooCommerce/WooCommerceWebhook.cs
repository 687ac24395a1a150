using SalesDash.Connectors.Common;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>The headers WooCommerce sends with each webhook delivery (WooCommerce docs, "Webhooks": delivery headers).</summary>
public static class WooCommerceHeaders
{
    public const string Signature = "X-WC-Webhook-Signature";

    /// <summary>e.g. "order.created", "order.updated", "order.deleted".</summary>
    public const string Topic = "X-WC-Webhook-Topic";

    public const string Source = "X-WC-Webhook-Source";
    public const string WebhookId = "X-WC-Webhook-ID";

    /// <summary>Unique per delivery attempt.</summary>
    public const string DeliveryId = "X-WC-Webhook-Delivery-ID";
}

/// <summary>WooCommerce's signature: X-WC-Webhook-Signature = base64(HMAC-SHA256(key = webhook secret, message = raw body)).</summary>
public static class WooCommerceWebhookSignature
{
    /// <summary>The header value WooCommerce would send for this body and secret.</summary>
    public static string Compute(ReadOnlySpan<byte> rawBody, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToBase64String(HmacSignatures.Sha256(secret, rawBody));
    }

    /// <summary>Checks the header against the body in constant time; a missing or malformed header is a failure, not an error.</summary>
    public static SignatureCheck Verify(ReadOnlySpan<byte> rawBody, string? headerValue, string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SignatureCheck.Fail("no webhook secret is configured for this WooCommerce connection");
        }

        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return SignatureCheck.Fail($"the {WooCommerceHeaders.Signature} header is missing");
        }

        return HmacSignatures.Base64Equals(HmacSignatures.Sha256(secret, rawBody), headerValue)
            ? SignatureCheck.Valid
            : SignatureCheck.Fail($"the {WooCommerceHeaders.Signature} header does not match the body");
    }
}
