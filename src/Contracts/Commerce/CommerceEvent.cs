namespace SalesDash.Contracts.Commerce;

/// <summary>Where a commerce event came from; one value per connector.</summary>
public enum SalesChannel
{
    OnlineStore,
    Shopify,
    WooCommerce,
    Stripe,
    PayPal,
    Amazon,
    GoogleAnalytics,
    FacebookAds,
    GoogleAds,
    Shipping,
}

/// <summary>Identifies one store of one organisation; every event and tenant message carries it.</summary>
public sealed record StoreRef(string TenantId, string StoreId)
{
    public override string ToString() => $"{TenantId}/{StoreId}";
}

/// <summary>
/// The normalised shape every connector produces: one fact about a store's trade.
/// Money is decimal in <see cref="Currency"/>; <see cref="OccurredAt"/> is UTC and
/// <see cref="StoreTimeZone"/> (IANA id) says which local day it belongs to.
/// </summary>
public abstract record CommerceEvent
{
    public required StoreRef Store { get; init; }
    public required SalesChannel Channel { get; init; }

    /// <summary>Unique per delivery source (e.g. the webhook id); a repeat of the same id is a duplicate.</summary>
    public required string EventId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
    public required string StoreTimeZone { get; init; }
    public required string Currency { get; init; }

    /// <summary>The same money in the organisation's reporting currency; null when no reporting currency is set
    /// or no rate is known for the event's day.</summary>
    public ReportingConversion? Reporting { get; init; }
}

/// <summary>One line of an order, kept for units and later product drill-down.</summary>
public sealed record OrderLine(string Sku, string Title, int Quantity, decimal UnitPrice);

/// <summary>
/// The full state of an order at one version. Placed and updated deliveries carry the same shape;
/// the newest <see cref="Version"/> wins, so an older update arriving late changes nothing.
/// </summary>
public abstract record OrderEvent : CommerceEvent
{
    public required string OrderId { get; init; }

    /// <summary>When the customer placed the order (UTC); the order's revenue belongs to this minute.</summary>
    public required DateTimeOffset PlacedAt { get; init; }

    /// <summary>Monotonic version of the order, e.g. its updated_at; ties and older versions are ignored.</summary>
    public required DateTimeOffset Version { get; init; }

    /// <summary>What the customer paid for the order: items after discounts, plus shipping and tax.</summary>
    public required decimal TotalPrice { get; init; }

    public decimal SubtotalPrice { get; init; }
    public decimal TotalTax { get; init; }
    public decimal TotalDiscounts { get; init; }
    public decimal TotalShipping { get; init; }
    public required IReadOnlyList<OrderLine> Lines { get; init; }

    /// <summary>Null for a guest checkout.</summary>
    public string? CustomerId { get; init; }

    /// <summary>True when the customer had ordered before this order.</summary>
    public bool ReturningCustomer { get; init; }

    /// <summary>Set once the order is cancelled; cancellation money comes back through refunds.</summary>
    public DateTimeOffset? CancelledAt { get; init; }

    public string? SourceName { get; init; }
    public string? CountryCode { get; init; }

    /// <summary>The first page of the visit that ended in this order, as the platform reports it (path and query, UTM tags included).</summary>
    public string? LandingSite { get; init; }

    /// <summary>The page (URL or host) that sent the visitor, when the platform knows it.</summary>
    public string? ReferringSite { get; init; }

    /// <summary>utm_source of the visit that ended in this order (lower case); null when untagged.</summary>
    public string? UtmSource { get; init; }

    /// <summary>utm_medium of the visit that ended in this order (lower case), e.g. "cpc" or "email".</summary>
    public string? UtmMedium { get; init; }

    /// <summary>utm_campaign of the visit that ended in this order.</summary>
    public string? UtmCampaign { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the customer's trimmed, lower-cased e-mail, so one person is recognised across
    /// channels without the address ever being stored; null when the order carries no e-mail.
    /// </summary>
    public string? CustomerEmailHash { get; init; }
}

/// <summary>A new order was placed.</summary>
public sealed record OrderPlaced : OrderEvent;

/// <summary>An existing order changed (edited, paid, fulfilled, cancelled...).</summary>
public sealed record OrderUpdated : OrderEvent;

/// <summary>An order was cancelled; carries the order as it stands after cancellation.</summary>
public sealed record OrderCancelled : OrderEvent;

/// <summary>Money returned to a customer; counted at the minute it happened.</summary>
public sealed record RefundIssued : CommerceEvent
{
    public required string RefundId { get; init; }
    public required string OrderId { get; init; }
    public required decimal Amount { get; init; }
    public int Units { get; init; }

    /// <summary>The refunded lines (SKU and quantity; UnitPrice as sold) when the source says; empty when it does not.
    /// History uses them for return rates per product.</summary>
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];
}

/// <summary>A storefront visit, for conversion rate.</summary>
public sealed record SessionStarted : CommerceEvent
{
    public required string SessionId { get; init; }
    public string? Source { get; init; }
    public bool Converted { get; init; }
}

/// <summary>Advertising spend for one campaign over one period.</summary>
public sealed record AdSpendRecorded : CommerceEvent
{
    public required string CampaignId { get; init; }
    public required decimal Spend { get; init; }
    public long Clicks { get; init; }
    public long Impressions { get; init; }

    /// <summary>The campaign's name as the ad platform reported it; null when it did not (and in events recorded before
    /// names were kept), so an insight falls back to <see cref="CampaignId"/>.</summary>
    public string? CampaignName { get; init; }
}
