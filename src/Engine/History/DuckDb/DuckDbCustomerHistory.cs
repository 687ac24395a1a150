using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;

using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>Customer figures and cohorts (<see cref="ICustomerHistory"/>) in SQL over the store's orders.</summary>
internal sealed class DuckDbCustomerHistory(DuckDbConnectionGate db) : ICustomerHistory
{
    /// <summary>The store's orders that count for customers: one row per order (history_orders holds the newest version), none cancelled.</summary>
    private const string CustomerOrders = """
        o AS (
            SELECT order_id, placed_at, total, coalesce(customer_key, '') AS customer_key FROM history_orders
            WHERE tenant_id = $tenant AND store_id = $store AND NOT cancelled),
        firsts AS (SELECT customer_key, min(placed_at) AS first_at FROM o WHERE customer_key <> '' GROUP BY customer_key)
        """;

    public Task<CustomerCounts> CustomerCountsAsync(StoreRef store, HistoryRange period, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(period);
        return RunAsync(connection =>
        {
            // n > 0 means an order in the period, so a first order on or after its start is also before its end.
            using var counts = CustomerCommand(connection, $"""
                WITH {CustomerOrders},
                per AS (
                    SELECT customer_key, min(placed_at) AS first_at, count(*) FILTER (WHERE placed_at >= $from AND placed_at < $to) AS n
                    FROM o WHERE customer_key <> '' GROUP BY customer_key)
                SELECT count(*) FILTER (WHERE n > 0), count(*) FILTER (WHERE n > 0 AND first_at >= $from), count(*) FILTER (WHERE n >= 2),
                       coalesce(sum(n), 0),
                       (SELECT count(*) FROM o WHERE customer_key = '' AND placed_at >= $from AND placed_at < $to)
                FROM per
                """, store, period, asOf);
            long customers, fresh, repeat, identified, unidentified;
            using (var r = counts.ExecuteReader())
            {
                r.Read();
                (customers, fresh, repeat, identified, unidentified) = (Long(r, 0), Long(r, 1), Long(r, 2), Long(r, 3), Long(r, 4));
            }

            // Money in (orders placed) and out (refunds of those customers' orders) of each new customer of the period,
            // summed within each window for those whose window had closed by asOf.
            using var values = CustomerCommand(connection, $"""
                WITH {CustomerOrders},
                cohort AS (
                    SELECT customer_key, first_at, first_at + INTERVAL {CustomerWindows.Ltv90Days} DAY AS end_short,
                           first_at + INTERVAL {CustomerWindows.Ltv12Months} MONTH AS end_long
                    FROM firsts WHERE first_at >= $from AND first_at < $to),
                money AS (
                    SELECT customer_key, placed_at AS m_at, total AS amount FROM o WHERE customer_key <> ''
                    UNION ALL
                    SELECT o.customer_key, r.occurred_at, -r.amount FROM history_refunds r JOIN o ON r.order_id = o.order_id
                    WHERE r.tenant_id = $tenant AND r.store_id = $store AND o.customer_key <> '')
                SELECT (SELECT count(*) FROM cohort WHERE end_short <= $asof),
                       (SELECT coalesce(sum(m.amount), 0) FROM money m JOIN cohort c USING (customer_key)
                        WHERE c.end_short <= $asof AND m.m_at >= c.first_at AND m.m_at < c.end_short),
                       (SELECT count(*) FROM cohort WHERE end_long <= $asof),
                       (SELECT coalesce(sum(m.amount), 0) FROM money m JOIN cohort c USING (customer_key)
                        WHERE c.end_long <= $asof AND m.m_at >= c.first_at AND m.m_at < c.end_long)
                """, store, period, asOf);
            using (var r = values.ExecuteReader())
            {
                r.Read();
                return new CustomerCounts(customers, fresh, repeat, identified, unidentified,
                    new LifetimeValueSum(Long(r, 0), Dec(r, 1)), new LifetimeValueSum(Long(r, 2), Dec(r, 3)));
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<CohortActivity>> CohortActivityAsync(StoreRef store, HistoryRange firstOrders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(firstOrders);
        return RunAsync<IReadOnlyList<CohortActivity>>(connection =>
        {
            // One row per customer and month they ordered in, so counting rows counts distinct customers.
            using var command = CustomerCommand(connection, $"""
                WITH {CustomerOrders},
                members AS (SELECT customer_key, date_trunc('month', first_at) AS cohort FROM firsts WHERE first_at >= $from AND first_at < $to),
                active AS (SELECT DISTINCT customer_key, date_trunc('month', placed_at) AS act_month FROM o WHERE customer_key <> '' AND placed_at >= $from),
                cells AS (
                    SELECT m.cohort, (year(a.act_month) * 12 + month(a.act_month)) - (year(m.cohort) * 12 + month(m.cohort)) AS k
                    FROM members m JOIN active a USING (customer_key))
                SELECT year(cohort), month(cohort), k, count(*) FROM cells WHERE k < {CustomerWindows.CohortMonths}
                GROUP BY cohort, k ORDER BY cohort, k
                """, store, firstOrders, firstOrders.ToUtc);
            using var r = command.ExecuteReader();
            var cells = new List<CohortActivity>();
            while (r.Read())
            {
                cells.Add(new CohortActivity(new DateOnly((int)Long(r, 0), (int)Long(r, 1), 1), (int)Long(r, 2), Long(r, 3)));
            }

            return cells;
        }, cancellationToken);
    }

    private static DuckDBCommand CustomerCommand(DuckDBConnection connection, string sql, StoreRef store, HistoryRange range, DateTimeOffset asOf)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("tenant", store.TenantId));
        command.Parameters.Add(new DuckDBParameter("store", store.StoreId));
        command.Parameters.Add(new DuckDBParameter("from", range.FromUtc.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", range.ToUtc.UtcDateTime));
        if (sql.Contains("$asof", StringComparison.Ordinal))
        {
            command.Parameters.Add(new DuckDBParameter("asof", asOf.UtcDateTime));
        }

        return command;
    }

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
