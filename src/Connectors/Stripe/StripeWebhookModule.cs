using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Stripe;

/// <summary>
/// Stripe events at /webhooks/stripe/{tenantId}/{storeId}. The signed timestamp must be within <paramref name="tolerance"/>
/// (a replay is refused), and the event id makes a retried delivery count once.
/// </summary>
public sealed class StripeWebhookModule(TimeSpan tolerance) : SecretWebhookModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Of<NoConnectionSettings, WebhookSecretCredentials>(
        SalesChannel.Stripe, ChannelKind.Webhook, "/webhooks/stripe/{tenantId}/{storeId}",
        "Stripe events (charge.succeeded, charge.captured, refund.created, charge.refunded), signed with the endpoint secret (whsec_...).");

    public override SalesChannel Channel => SalesChannel.Stripe;

    public override string Path => "stripe";

    /// <summary>The endpoint's signing secret (whsec_...); the signed timestamp must be within the tolerance.</summary>
    protected override WebhookVerdict Verify(WebhookDelivery delivery, string secret) =>
        WebhookVerdict.From(StripeWebhookSignature.Verify(delivery.Body.Span, delivery.Headers[StripeWebhookSignature.Header], secret, delivery.ReceivedAt, tolerance));

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return StripeEventNormalizer.Normalize(delivery.Body, store);
    }
}
