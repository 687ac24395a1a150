using System.Globalization;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shopify;

/// <summary>A secret a Shopify store's webhooks may be signed with (the store's own, or the one a rotation replaced).</summary>
public sealed record ShopifyWebhookSecret(string Secret);

/// <summary>
/// Shopify webhooks at /webhooks/shopify. Unlike the other channels the store is named by a header
/// (<see cref="ShopifyHeaders.ShopDomain"/>), not the URL — merchants have that URL pasted — and the secret is the
/// store's own, not a channel connection's.
/// </summary>
public sealed class ShopifyWebhookModule : WebhookModule<ShopifyWebhookSecret>
{
    public override SalesChannel Channel => SalesChannel.Shopify;

    public override string Path => "shopify";

    /// <summary>The shop a delivery is for, as the directory keys it (trimmed, lower case); "" when the header is missing.</summary>
    public static string ShopDomain(IWebhookHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers[ShopifyHeaders.ShopDomain].Trim().ToLowerInvariant();
    }

    /// <summary>A secret kept with a Shopify channel connection (the Admin API one has none); stores carry their own.</summary>
    public override ShopifyWebhookSecret Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Credential("webhookSecret") ?? string.Empty);
    }

    public override ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, ShopifyWebhookSecret connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(ShopifyWebhookSignature.IsValid(delivery.Body.Span, delivery.Headers[ShopifyHeaders.HmacSha256], connection.Secret)
            ? WebhookVerdict.Valid
            : new WebhookVerdict.Refused($"The {ShopifyHeaders.HmacSha256} header does not match the body."));
    }

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
