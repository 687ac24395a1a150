using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shipping;

/// <summary>EasyPost tracker events at /webhooks/shipping/easypost/{tenantId}/{storeId}: each becomes a shipment update.</summary>
public sealed class EasyPostWebhookModule : SecretWebhookModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Of<NoConnectionSettings, WebhookSecretCredentials>(
        SalesChannel.Shipping, ChannelKind.Webhook, "/webhooks/shipping/easypost/{tenantId}/{storeId}",
        "EasyPost tracker events, signed with the webhook secret.");

    public override SalesChannel Channel => SalesChannel.Shipping;

    /// <summary>Two segments: merchants have this URL pasted into EasyPost.</summary>
    public override string Path => "shipping/easypost";

    protected override WebhookVerdict Verify(WebhookDelivery delivery, string secret) =>
        WebhookVerdict.From(EasyPostWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[EasyPostWebhookSignature.Header], secret));

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return EasyPostTrackerNormalizer.Normalize(delivery.Body, store);
    }
}
