using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shipping;

/// <summary>An EasyPost connection: the secret its webhooks are signed with.</summary>
public sealed record EasyPostConnection(string WebhookSecret);

/// <summary>EasyPost tracker events at /webhooks/shipping/easypost/{tenantId}/{storeId}: each becomes a shipment update.</summary>
public sealed class EasyPostWebhookModule : WebhookModule<EasyPostConnection>
{
    public override SalesChannel Channel => SalesChannel.Shipping;

    /// <summary>Two segments: merchants have this URL pasted into EasyPost.</summary>
    public override string Path => "shipping/easypost";

    public override EasyPostConnection Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Credential("webhookSecret") ?? string.Empty);
    }

    public override ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, EasyPostConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(WebhookVerdict.From(
            EasyPostWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[EasyPostWebhookSignature.Header], connection.WebhookSecret)));
    }

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return EasyPostTrackerNormalizer.Normalize(delivery.Body, store);
    }
}
