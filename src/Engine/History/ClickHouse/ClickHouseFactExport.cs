using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>A store's facts read back in keyset pages for a full export (<see cref="IHistoryFactExport"/>).</summary>
internal sealed class ClickHouseFactExport(ClickHouseHistoryDatabase db) : IHistoryFactExport
{
    public async Task<IReadOnlyList<OrderFact>> OrdersAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        await db.InitializeAsync(cancellationToken);
        var scope = Where(HistoryScope.Store(store.TenantId, store.StoreId));

        // Rows of older versions may not be merged away yet: argMax by version picks each order's newest.
        var heads = await db.QueryAsync($"""
            SELECT o_order, o_version, o_channel, toInt64(toUInt32(o_placed)), o_currency, o_total, o_units, o_returning, o_cancelled, o_source, o_country, o_customer
            FROM (
                SELECT order_id AS o_order, max(version) AS o_version, argMax(channel, version) AS o_channel, argMax(placed_at, version) AS o_placed,
                       argMax(currency, version) AS o_currency, argMax(total, version) AS o_total, argMax(units, version) AS o_units,
                       argMax(returning_customer, version) AS o_returning, argMax(cancelled, version) AS o_cancelled,
                       argMax(source, version) AS o_source, argMax(country, version) AS o_country, argMax(customer_key, version) AS o_customer
                FROM history_orders WHERE {scope} GROUP BY order_id)
            {After("o_placed", "o_order", after)}
            ORDER BY o_placed, o_order LIMIT {pageSize.ToString(CultureInfo.InvariantCulture)}
            """, cancellationToken);
        if (heads.Count == 0)
        {
            return [];
        }

        var ids = string.Join(", ", heads.Select(h => Literal(h[0])));
        var lines = (await db.QueryAsync($"""
            SELECT order_id, line_no, max(version), argMax(sku, version), argMax(title, version), argMax(quantity, version),
                   argMax(unit_price, version), argMax(line_revenue, version)
            FROM history_order_lines WHERE {scope} AND order_id IN ({ids}) GROUP BY order_id, line_no ORDER BY order_id, line_no
            """, cancellationToken))
            .GroupBy(f => f[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        return [.. heads.Select(f =>
        {
            var version = Long(f[1]);

            // A newer version with fewer lines leaves the older version's extra lines behind until a merge; they are not its lines.
            IReadOnlyList<OrderLineFact> orderLines = lines.TryGetValue(f[0], out var held)
                ? [.. held.Where(l => Long(l[2]) == version).Select(l => new OrderLineFact((int)Long(l[1]), l[3], l[4], (int)Long(l[5]), Decimal(l[6]), Decimal(l[7])))]
                : [];
            return new OrderFact(store.TenantId, store.StoreId, Enum.Parse<SalesChannel>(f[2]), f[0], version, DateTimeOffset.FromUnixTimeSeconds(Long(f[3])),
                f[4], Decimal(f[5]), (int)Long(f[6]), Long(f[7]) != 0, Long(f[8]) != 0, f[9], f[10], orderLines)
            {
                CustomerKey = f[11],
            };
        })];
    }

    public async Task<IReadOnlyList<RefundFact>> RefundsAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        await db.InitializeAsync(cancellationToken);
        var scope = Where(HistoryScope.Store(store.TenantId, store.StoreId));
        var heads = await db.QueryAsync($"""
            SELECT r_refund, r_order, r_channel, toInt64(toUInt32(r_at)), r_amount, r_units
            FROM (
                SELECT refund_id AS r_refund, any(order_id) AS r_order, any(channel) AS r_channel, any(occurred_at) AS r_at,
                       any(amount) AS r_amount, any(units) AS r_units
                FROM history_refunds WHERE {scope} GROUP BY refund_id)
            {After("r_at", "r_refund", after)}
            ORDER BY r_at, r_refund LIMIT {pageSize.ToString(CultureInfo.InvariantCulture)}
            """, cancellationToken);
        if (heads.Count == 0)
        {
            return [];
        }

        var ids = string.Join(", ", heads.Select(h => Literal(h[0])));
        var lines = (await db.QueryAsync($"""
            SELECT refund_id, line_no, any(sku), any(quantity), any(amount)
            FROM history_refund_lines WHERE {scope} AND refund_id IN ({ids}) GROUP BY refund_id, line_no ORDER BY refund_id, line_no
            """, cancellationToken))
            .GroupBy(f => f[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        return [.. heads.Select(f => new RefundFact(store.TenantId, store.StoreId, Enum.Parse<SalesChannel>(f[2]), f[0], f[1],
            DateTimeOffset.FromUnixTimeSeconds(Long(f[3])), Decimal(f[4]), (int)Long(f[5]),
            lines.TryGetValue(f[0], out var held)
                ? [.. held.Select(l => new RefundLineFact((int)Long(l[1]), l[2], (int)Long(l[3]), Decimal(l[4])))]
                : []))];
    }

    private static string After(string timeColumn, string idColumn, FactCursor? after) =>
        after is null
            ? string.Empty
            : $"WHERE {timeColumn} > {Instant(after.At)} OR ({timeColumn} = {Instant(after.At)} AND {idColumn} > {Literal(after.Id)})";
}
