using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.History;

/// <summary>
/// The reads a channel insight report needs. The history store (DuckDB or ClickHouse) implements it: the facts are
/// written there by each node's <see cref="HistoryWriter"/> from the tenant entities' accepted events, so every node
/// reads the same figures.
/// </summary>
public interface IChannelInsightStore
{
    /// <summary>The orders, spend and traffic of a tenant's range, and the history of every customer among those orders.</summary>
    Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken);
}

/// <summary>One earlier-or-current order of an identified buyer, as the customer history is built from.</summary>
public sealed record CustomerOrder(string EmailHash, SalesChannel Channel, string? Touch, DateTimeOffset PlacedAt, string StoreId, string OrderId);

/// <summary>Builds each buyer's first touch and sales-channel count; shared by both history stores so they agree.</summary>
public static class CustomerHistories
{
    /// <summary>
    /// The first order (by time placed, then store and order id, ordinal) is the first touch; an order that said nothing
    /// about its visit counts as <see cref="Touches.Direct"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, CustomerHistory> From(IEnumerable<CustomerOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var result = new Dictionary<string, CustomerHistory>(StringComparer.Ordinal);
        foreach (var group in orders.GroupBy(o => o.EmailHash, StringComparer.Ordinal))
        {
            var first = group.OrderBy(o => o.PlacedAt).ThenBy(o => o.StoreId, StringComparer.Ordinal).ThenBy(o => o.OrderId, StringComparer.Ordinal).First();
            result[group.Key] = new CustomerHistory(group.Key, first.Touch ?? Touches.Direct, group.Select(o => o.Channel).Distinct().Count());
        }

        return result;
    }
}

/// <summary>What a customer (by hashed e-mail) has done up to the period's end: the first touch and how many sales channels they bought on.</summary>
public sealed record CustomerHistory(string EmailHash, string FirstTouch, int SalesChannels);

/// <summary>The facts one report is computed from.</summary>
/// <param name="Orders">Orders placed in the range (every version but the newest already dropped).</param>
/// <param name="Customers">The history of each customer among <paramref name="Orders"/>, by e-mail hash.</param>
/// <param name="Spend">Spend deliveries that happened in the range.</param>
public sealed record InsightData(
    IReadOnlyList<OrderTouch> Orders,
    IReadOnlyDictionary<string, CustomerHistory> Customers,
    IReadOnlyList<SpendFact> Spend)
{
    /// <summary>Analytics traffic of the days in the range, one line per store, day, source and medium at its newest reading.</summary>
    public IReadOnlyList<TrafficFact> Traffic { get; init; } = [];
}
