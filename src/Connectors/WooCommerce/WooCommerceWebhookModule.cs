using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>A WooCommerce connection: the secret its webhooks are signed with.</summary>
public sealed record WooCommerceConnection(string WebhookSecret);

/// <summary>WooCommerce order webhooks at /webhooks/woocommerce/{tenantId}/{storeId}, signed with the connection's secret.</summary>
public sealed class WooCommerceWebhookModule : WebhookModule<WooCommerceConnection>
{
    public override SalesChannel Channel => SalesChannel.WooCommerce;

    public override string Path => "woocommerce";

    public override WooCommerceConnection Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Credential("webhookSecret") ?? string.Empty);
    }

    public override ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, WooCommerceConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(WebhookVerdict.From(
            WooCommerceWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[WooCommerceHeaders.Signature], connection.WebhookSecret)));
    }

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return WooCommerceOrderNormalizer.Normalize(delivery.Headers[WooCommerceHeaders.Topic], delivery.Body, store);
    }
}
