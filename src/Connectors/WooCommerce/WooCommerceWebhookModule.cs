using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>WooCommerce order webhooks at /webhooks/woocommerce/{tenantId}/{storeId}, signed with the connection's secret.</summary>
public sealed class WooCommerceWebhookModule : SecretWebhookModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Of<NoConnectionSettings, WebhookSecretCredentials>(
        SalesChannel.WooCommerce, ChannelKind.Webhook, "/webhooks/woocommerce/{tenantId}/{storeId}",
        "WooCommerce order webhooks (order.created, order.updated), signed with the webhook secret.");

    public override SalesChannel Channel => SalesChannel.WooCommerce;

    public override string Path => "woocommerce";

    protected override WebhookVerdict Verify(WebhookDelivery delivery, string secret) =>
        WebhookVerdict.From(WooCommerceWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[WooCommerceHeaders.Signature], secret));

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return WooCommerceOrderNormalizer.Normalize(delivery.Headers[WooCommerceHeaders.Topic], delivery.Body, store);
    }
}
