using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Shopify;

/// <summary>How one Shopify delivery was recognised, from the headers the normaliser needs beyond the body.</summary>
/// <param name="WebhookId">The X-Shopify-Webhook-Id header; retries repeat it, so it becomes the event id.</param>
/// <param name="TriggeredAt">The X-Shopify-Triggered-At header, when sent.</param>
public sealed record ShopifyDelivery(string WebhookId, DateTimeOffset? TriggeredAt);

/// <summary>What became of one webhook body: events to ingest, a body we reject, or a topic we do not handle.</summary>
public abstract record ShopifyNormalizeResult
{
    // Closed hierarchy: only the three cases below exist, so a switch over them is complete.
    private ShopifyNormalizeResult()
    {
    }

    /// <summary>The body was understood; ingest these events.</summary>
    public sealed record Ok(IReadOnlyList<CommerceEvent> Events) : ShopifyNormalizeResult;

    /// <summary>The body cannot be used; <see cref="Detail"/> names the field and what is wrong with it.</summary>
    public sealed record Invalid(string Detail) : ShopifyNormalizeResult;

    /// <summary>A well-signed delivery we deliberately do nothing with (e.g. a topic SalesDash does not track).</summary>
    public sealed record Ignored(string Reason) : ShopifyNormalizeResult;
}
