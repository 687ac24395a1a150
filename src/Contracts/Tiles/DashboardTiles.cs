namespace SalesDash.Contracts.Tiles;

/// <summary>One KPI figure now, and the same figure at the same local time a week earlier.</summary>
public sealed record KpiTile(decimal Value, decimal LastWeek)
{
    /// <summary>Relative change against last week; null when last week was zero.</summary>
    public decimal? ChangeRatio => LastWeek == 0m ? null : Math.Round((Value - LastWeek) / LastWeek, 4);
}

/// <summary>Revenue taken in one UTC minute.</summary>
public sealed record MinutePoint(DateTimeOffset Minute, decimal GrossRevenue, int Orders);

/// <summary>
/// What a dashboard shows for one store: today's tiles in the store's currency and local day,
/// and revenue per minute over the last 60 minutes. Sent whole, so a client never needs a delta.
/// </summary>
public sealed record DashboardTiles
{
    public required string TenantId { get; init; }
    public required string StoreId { get; init; }
    public required string Currency { get; init; }
    public required string TimeZone { get; init; }

    /// <summary>The store-local date the tiles are for (yyyy-MM-dd).</summary>
    public required string LocalDate { get; init; }

    /// <summary>When the figures were computed (UTC).</summary>
    public required DateTimeOffset AsOf { get; init; }

    public required KpiTile GrossRevenue { get; init; }
    public required KpiTile NetRevenue { get; init; }
    public required KpiTile Refunds { get; init; }
    public required KpiTile Orders { get; init; }
    public required KpiTile AverageOrderValue { get; init; }
    public required KpiTile UnitsSold { get; init; }
    /// <summary>
    /// Distinct customers today whose first order ever was today, by the channel's word; customers are people, not
    /// orders (history's customer key), and cancelled orders buy nothing. Unidentified guests are in <see cref="GuestOrders"/>.
    /// </summary>
    public required KpiTile NewCustomers { get; init; }

    /// <summary>Distinct customers today who had ordered before today.</summary>
    public required KpiTile ReturningCustomers { get; init; }

    /// <summary>Today's standing orders by guests with neither customer id nor e-mail: orders, since they cannot be told apart as people.</summary>
    public KpiTile GuestOrders { get; init; } = new(0m, 0m);

    /// <summary>
    /// Set when the customer tiles count only orders placed from this minute on (the store was recovered from a snapshot
    /// written before customers were kept, which knows no buyers); null when today and last week are both whole.
    /// </summary>
    public DateTimeOffset? CustomersCountedFrom { get; init; }

    public required IReadOnlyList<MinutePoint> RevenuePerMinute { get; init; }

    /// <summary>How many events the store's entity has folded since it was created.</summary>
    public required long EventsApplied { get; init; }

    /// <summary>
    /// The same figures split by each order's own channel (an Amazon order under a Shopify store counts under Amazon),
    /// for rankings, channel filters and breakdowns; only channels with orders or refunds today or last week.
    /// </summary>
    public IReadOnlyList<ChannelTiles> Channels { get; init; } = [];
}

/// <summary>One channel's share of a store's <see cref="DashboardTiles"/>: the same tiles, counted over that channel's orders only.</summary>
/// <param name="Channel">The channel's name as in <c>SalesChannel</c>, a string so the browser reads it as the store summaries do.</param>
public sealed record ChannelTiles(
    string Channel,
    KpiTile GrossRevenue,
    KpiTile NetRevenue,
    KpiTile Refunds,
    KpiTile Orders,
    KpiTile AverageOrderValue,
    KpiTile UnitsSold,
    KpiTile NewCustomers,
    KpiTile ReturningCustomers,
    IReadOnlyList<MinutePoint> RevenuePerMinute)
{
    /// <summary>The channel's guest orders (see <see cref="DashboardTiles.GuestOrders"/>).</summary>
    public KpiTile GuestOrders { get; init; } = new(0m, 0m);
}
