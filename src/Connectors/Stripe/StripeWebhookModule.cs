using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Stripe;

/// <summary>A Stripe connection: the endpoint's signing secret (whsec_...).</summary>
public sealed record StripeConnection(string WebhookSecret);

/// <summary>
/// Stripe events at /webhooks/stripe/{tenantId}/{storeId}. The signed timestamp must be within <paramref name="tolerance"/>
/// (a replay is refused), and the event id makes a retried delivery count once.
/// </summary>
public sealed class StripeWebhookModule(TimeSpan tolerance) : WebhookModule<StripeConnection>
{
    public override SalesChannel Channel => SalesChannel.Stripe;

    public override string Path => "stripe";

    public override StripeConnection Bind(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values.Credential("webhookSecret") ?? string.Empty);
    }

    public override ValueTask<WebhookVerdict> VerifyAsync(WebhookDelivery delivery, StripeConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult(WebhookVerdict.From(StripeWebhookSignature.Verify(
            delivery.Body.Span, delivery.Headers[StripeWebhookSignature.Header], connection.WebhookSecret, delivery.ReceivedAt, tolerance)));
    }

    public override NormalizeResult Normalize(WebhookDelivery delivery, StoreProfile store)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return StripeEventNormalizer.Normalize(delivery.Body, store);
    }
}
