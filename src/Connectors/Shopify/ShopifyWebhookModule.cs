using System.Globalization;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shopify;

/// <summary>
/// Shopify webhooks at /webhooks/shopify. Unlike the other channels the store is named by a header
/// (<see cref="ShopifyHeaders.ShopDomain"/>), not the URL — merchants have that URL pasted — and the secret is the
/// store's own, not a channel connection's.
/// </summary>
public sealed class ShopifyWebhookModule : SecretWebhookModule
{
    public override SalesChannel Channel => SalesChannel.Shopify;

    public override string Path => "shopify";

    /// <summary>The shop a delivery is for, as the directory keys it (trimmed, lower case); "" when the header is missing.</summary>
    public static string ShopDomain(IWebhookHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers[ShopifyHeaders.ShopDomain].Trim().ToLowerInvariant();
    }

    /// <summary>The secret is the store's own (or the one a rotation replaced), given as <see cref="WebhookSecretCredentials"/>; a Shopify channel connection (the Admin API one) has none.</summary>
    protected override WebhookVerdict Verify(WebhookDelivery delivery, string secret) =>
        ShopifyWebhookSignature.IsValid(delivery.Body.Span, delivery.Headers[ShopifyHeaders.HmacSha256], secret)
            ? WebhookVerdict.Valid
            : new WebhookVerdict.Refused($"The {ShopifyHeaders.HmacSha256} header does not match the body.");

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var headers = delivery.Headers;
        var topic = headers[ShopifyHeaders.Topic].Trim();
        var webhookId = headers[ShopifyHeaders.WebhookId].Trim();
        if (topic.Length == 0 || webhookId.Length == 0)
        {
            return new NormalizeResult.Invalid($"The {ShopifyHeaders.Topic} and {ShopifyHeaders.WebhookId} headers are required.");
        }

        var triggeredAt = DateTimeOffset.TryParse(headers[ShopifyHeaders.TriggeredAt], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : (DateTimeOffset?)null;
        return ShopifyWebhookNormalizer.Normalize(topic, delivery.Body, new ShopifyDelivery(webhookId, triggeredAt), store) switch
        {
            ShopifyNormalizeResult.Ok ok => new NormalizeResult.Ok(ok.Events),
            ShopifyNormalizeResult.Ignored ignored => new NormalizeResult.Ignored(ignored.Reason),
            ShopifyNormalizeResult.Invalid invalid => new NormalizeResult.Invalid(invalid.Detail),
            _ => throw new InvalidOperationException("Unknown normalise result."),
        };
    }
}
