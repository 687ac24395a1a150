using SalesDash.Contracts.Commerce;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// Customer figures and cohorts (<see cref="ICustomerHistory"/>) in SQL that 18.16 runs: no table CTEs or window
/// functions, one join per SELECT, so each step is a nested subquery; the figures equal DuckDB's.
/// </summary>
internal sealed class ClickHouseCustomerHistory(ClickHouseHistoryDatabase db) : ICustomerHistory
{
    /// <summary>Seconds in the short LTV window (days are exact in UTC).</summary>
    private const long ShortWindowSeconds = CustomerWindows.Ltv90Days * 86_400L;

    public async Task<CustomerCounts> CustomerCountsAsync(StoreRef store, HistoryRange period, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(period);
        await db.InitializeAsync(cancellationToken);
        var orders = CustomerOrders(store);
        var (from, to, at) = (Instant(period.FromUtc), Instant(period.ToUtc), Instant(asOf));

        // n > 0 means an order in the period, so a first order on or after its start is also before its end.
        var counts = (await db.QueryAsync($"""
            SELECT countIf(n > 0), countIf(n > 0 AND first_at >= {from}), countIf(n >= 2), sum(n)
            FROM (
                SELECT o_customer, min(o_at) AS first_at, countIf(o_at >= {from} AND o_at < {to}) AS n
                FROM ({orders}) WHERE o_customer != '' GROUP BY o_customer)
            """, cancellationToken))[0];
        var unidentified = (await db.QueryAsync($"SELECT count() FROM ({orders}) WHERE o_customer = '' AND o_at >= {from} AND o_at < {to}",
            cancellationToken))[0];

        // Money in (orders placed) and out (refunds of those customers' orders) of each new customer of the period,
        // summed within each window for those whose window had closed by asOf.
        var shortEnd = $"first_at + {ShortWindowSeconds}";
        var longEnd = $"addMonths(first_at, {CustomerWindows.Ltv12Months})";
        var values = (await db.QueryAsync($"""
            SELECT uniqExactIf(o_customer, {shortEnd} <= {at}),
                   sumIf(m_amount, {shortEnd} <= {at} AND m_at >= first_at AND m_at < {shortEnd}),
                   uniqExactIf(o_customer, {longEnd} <= {at}),
                   sumIf(m_amount, {longEnd} <= {at} AND m_at >= first_at AND m_at < {longEnd})
            FROM (
                SELECT o_customer, min(o_at) AS first_at FROM ({orders}) WHERE o_customer != '' GROUP BY o_customer
                HAVING first_at >= {from} AND first_at < {to})
            ALL INNER JOIN (
                SELECT o_customer, o_at AS m_at, o_total AS m_amount FROM ({orders}) WHERE o_customer != ''
                UNION ALL
                SELECT o_customer, r_at AS m_at, -r_amount AS m_amount
                FROM (SELECT o_order, o_customer FROM ({orders}) WHERE o_customer != '')
                ALL INNER JOIN (
                    SELECT refund_id, any(order_id) AS o_order, any(occurred_at) AS r_at, any(amount) AS r_amount
                    FROM history_refunds WHERE {Where(HistoryScope.Store(store.TenantId, store.StoreId))} GROUP BY refund_id)
                USING o_order)
            USING o_customer
            """, cancellationToken))[0];
        return new CustomerCounts(Long(counts[0]), Long(counts[1]), Long(counts[2]), Long(counts[3]), Long(unidentified[0]),
            new LifetimeValueSum(Long(values[0]), Decimal(values[1])), new LifetimeValueSum(Long(values[2]), Decimal(values[3])));
    }

    public async Task<IReadOnlyList<CohortActivity>> CohortActivityAsync(StoreRef store, HistoryRange firstOrders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(firstOrders);
        await db.InitializeAsync(cancellationToken);
        var orders = CustomerOrders(store);
        var (from, to) = (Instant(firstOrders.FromUtc), Instant(firstOrders.ToUtc));

        // One row per customer and month they ordered in (DISTINCT), so counting rows counts distinct customers.
        var rows = await db.QueryAsync($"""
            SELECT toYear(cohort), toMonth(cohort), k, count()
            FROM (
                SELECT cohort, toYear(a_month) * 12 + toMonth(a_month) - (toYear(cohort) * 12 + toMonth(cohort)) AS k
                FROM (
                    SELECT o_customer, toStartOfMonth(min(o_at)) AS cohort FROM ({orders}) WHERE o_customer != '' GROUP BY o_customer
                    HAVING min(o_at) >= {from} AND min(o_at) < {to})
                ALL INNER JOIN (
                    SELECT DISTINCT o_customer, toStartOfMonth(o_at) AS a_month FROM ({orders}) WHERE o_customer != '' AND o_at >= {from})
                USING o_customer)
            WHERE k < {CustomerWindows.CohortMonths}
            GROUP BY cohort, k ORDER BY cohort, k
            """, cancellationToken);
        return [.. rows.Select(f => new CohortActivity(new DateOnly((int)Long(f[0]), (int)Long(f[1]), 1), (int)Long(f[2]), Long(f[3])))];
    }

    /// <summary>
    /// The store's orders that count for customers, each at its newest version (older rows may not be merged away yet),
    /// cancelled ones left out; rows written before the buyer was kept read '' (unidentified).
    /// </summary>
    private static string CustomerOrders(StoreRef store) => $"""
        SELECT o_order, o_at, o_total, o_customer FROM (
            SELECT order_id AS o_order, argMax(placed_at, version) AS o_at, argMax(total, version) AS o_total,
                   argMax(cancelled, version) AS o_cancelled, argMax(customer_key, version) AS o_customer
            FROM history_orders WHERE {Where(HistoryScope.Store(store.TenantId, store.StoreId))} GROUP BY order_id)
        WHERE o_cancelled = 0
        """;
}
