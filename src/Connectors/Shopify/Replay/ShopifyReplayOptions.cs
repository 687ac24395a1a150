using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Shopify.Replay;

/// <summary>Which store a replay plays for, and how its clock and dedupe exercises are set.</summary>
public sealed record ShopifyReplayOptions
{
    /// <summary>Sent as X-Shopify-Shop-Domain; it also salts the webhook ids so two demo stores never share one.</summary>
    public required string ShopDomain { get; init; }

    /// <summary>The store's zone: the data's UK wall-clock times become the same wall-clock times here.</summary>
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>Written as the orders' currency. Amounts are the data set's GBP figures, never converted.</summary>
    public string Currency { get; init; } = "GBP";

    /// <summary>Whole hours added to every invoice's time of day (wrapping within the day); see <see cref="ShopifyReplayPlan.AutoHourShift"/>.</summary>
    public int HourShift { get; init; }

    /// <summary>Every n-th order also gets an orders/updated delivery with the same totals; 0 turns that off.</summary>
    public int UpdateEvery { get; init; } = 25;

    public TimeSpan UpdateDelay { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Every n-th order's orders/create is delivered a second time with the same webhook id, as a Shopify retry is; 0 turns that off.</summary>
    public int DuplicateEvery { get; init; } = 40;

    public TimeSpan DuplicateDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Options for a connected store: its domain, zone and currency.</summary>
    public static ShopifyReplayOptions For(StoreProfile store, int hourShift = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new ShopifyReplayOptions
        {
            ShopDomain = store.ShopDomain,
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone),
            Currency = store.Currency,
            HourShift = hourShift,
        };
    }
}
