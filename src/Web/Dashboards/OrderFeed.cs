using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;

namespace SalesDash.Web.Dashboards;

/// <summary>The newest orders of a store for the order-feed widget, read by the signed-in feed, the wallboard's and exports.</summary>
public sealed class OrderFeed(IHistoryStore history, TimeProvider time)
{
    /// <summary>How many orders the feed shows by default, and at most.</summary>
    public const int DefaultLength = 20;

    public const int MaxLength = 100;

    /// <summary>
    /// The feed looks back a week: enough for a quiet store to still show its last orders, bounded so the query
    /// never scans all history. The hour ahead lets an order stamped by a slightly fast shop clock show at once.
    /// </summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    private static readonly TimeSpan LookAhead = TimeSpan.FromHours(1);

    public async Task<QueryAnswer<RecentOrdersResponse>> RecentAsync(StoreProfile store, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (limit is < 1 or > MaxLength)
        {
            return QueryRefusal.BadRequest("Invalid widget query", $"limit must be between 1 and {MaxLength}.");
        }

        var now = time.GetUtcNow();
        var orders = await history.RecentOrdersAsync(
            HistoryScope.Store(store.Store.TenantId, store.Store.StoreId), new HistoryRange(now - LookBack, now + LookAhead),
            limit ?? DefaultLength, cancellationToken);
        return new RecentOrdersResponse(store.Store.TenantId, store.Store.StoreId, store.Currency, store.TimeZone,
            [.. orders.Select(o => new RecentOrderView(o.StoreId, o.OrderId, o.PlacedAt, o.Total, o.Currency, o.Channel.ToString(), o.Country, o.Units, o.Cancelled))]);
    }
}
