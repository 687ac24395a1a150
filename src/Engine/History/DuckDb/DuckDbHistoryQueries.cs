using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>The dashboard's queries (slots, breakdowns, recent orders): whole hours from the rollups, the rest from the facts.</summary>
internal sealed class DuckDbHistoryQueries(DuckDbConnectionGate db)
{
    /// <summary>False answers every query from the facts alone, as before the rollups: the bench's baseline, never production.</summary>
    public bool ReadRollups { get; set; } = true;

    public Task<IReadOnlyList<HistorySlot>> SlotsAsync(HistoryScope scope, HistoryRange range, TimeSpan slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        var slotSeconds = HistorySql.SlotSeconds(slot);
        var from = range.FromUtc.ToUnixTimeSeconds();
        string SlotOf(string column) => $"CAST(floor((epoch({column}) - {from}) / {slotSeconds}) AS BIGINT)";
        if (ReadRollups && HistoryRollups.Covers(range, slotSeconds))
        {
            // Whole hours: the hourly rollup holds every figure, no fact table is read.
            var rolled = $"""
                SELECT {SlotOf("hour")} AS slot, SUM(gross), SUM(orders), SUM(units), SUM(new_orders), SUM(returning_orders), SUM(cancelled),
                       SUM(refunds), SUM(refund_count), SUM(refunded_units), SUM(sessions)
                FROM history_hourly WHERE {Where(scope, "hour")} GROUP BY slot
                """;
            return RunAsync<IReadOnlyList<HistorySlot>>(connection =>
            {
                var slots = new SortedDictionary<long, HistorySlotBuilder>();
                Query(connection, rolled, scope, range, r =>
                {
                    var builder = slots[r.GetInt64(0)] = new HistorySlotBuilder();
                    builder.AddOrders(Dec(r, 1), Long(r, 2), Long(r, 3), Long(r, 4), Long(r, 5), Long(r, 6));
                    builder.AddRefunds(Dec(r, 7), Long(r, 8), Long(r, 9));
                    builder.AddSessions(Long(r, 10));
                });
                return slots.Select(kv => new HistorySlot(kv.Key, kv.Value.Build())).ToList();
            }, cancellationToken);
        }

        var orders = $"""
            SELECT {SlotOf("placed_at")} AS slot, SUM(total), COUNT(*), SUM(units),
                   SUM(CASE WHEN returning_customer THEN 0 ELSE 1 END), SUM(CASE WHEN returning_customer THEN 1 ELSE 0 END),
                   SUM(CASE WHEN cancelled THEN 1 ELSE 0 END)
            FROM history_orders WHERE {Where(scope, "placed_at")} GROUP BY slot
            """;
        var refunds = $"""
            SELECT {SlotOf("occurred_at")} AS slot, SUM(amount), COUNT(*), SUM(units)
            FROM history_refunds WHERE {Where(scope, "occurred_at")} GROUP BY slot
            """;
        var sessions = $"""
            SELECT {SlotOf("started_at")} AS slot, COUNT(*)
            FROM history_sessions WHERE {Where(scope, "started_at")} GROUP BY slot
            """;

        return RunAsync<IReadOnlyList<HistorySlot>>(connection =>
        {
            var slots = new SortedDictionary<long, HistorySlotBuilder>();
            HistorySlotBuilder At(long index) => slots.TryGetValue(index, out var b) ? b : slots[index] = new HistorySlotBuilder();

            Query(connection, orders, scope, range, r => At(r.GetInt64(0)).AddOrders(Dec(r, 1), Long(r, 2), Long(r, 3), Long(r, 4), Long(r, 5), Long(r, 6)));
            Query(connection, refunds, scope, range, r => At(r.GetInt64(0)).AddRefunds(Dec(r, 1), Long(r, 2), Long(r, 3)));
            Query(connection, sessions, scope, range, r => At(r.GetInt64(0)).AddSessions(Long(r, 1)));
            return slots.Select(kv => new HistorySlot(kv.Key, kv.Value.Build())).ToList();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<BreakdownTotals>> BreakdownAsync(HistoryScope scope, HistoryRange range, BreakdownDimension by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        return RunAsync<IReadOnlyList<BreakdownTotals>>(connection =>
        {
            var groups = new Dictionary<string, BreakdownBuilder>(StringComparer.Ordinal);
            BreakdownBuilder At(string key) => groups.TryGetValue(key, out var b) ? b : groups[key] = new BreakdownBuilder(key);

            if (ReadRollups && HistoryRollups.Covers(range) && by is BreakdownDimension.Product)
            {
                Query(connection, $"""
                    SELECT sku, MIN(title), SUM(gross), SUM(orders), SUM(units), SUM(refunds), SUM(refunded_units)
                    FROM ({ProductRows(scope, range)}) GROUP BY sku
                    """, scope, range, r =>
                    {
                        var group = At(r.GetString(0));
                        group.AddSales(r.IsDBNull(1) ? null : r.GetString(1), Dec(r, 2), Long(r, 3), Long(r, 4));
                        group.AddRefunds(Dec(r, 5), Long(r, 6));
                    });
            }
            else if (ReadRollups && HistoryRollups.Covers(range) && by is BreakdownDimension.Channel or BreakdownDimension.Store)
            {
                var column = HistorySql.Column(by);
                Query(connection, $"""
                    SELECT {column}, SUM(gross), SUM(orders), SUM(units), SUM(refunds), SUM(refunded_units), SUM(sessions)
                    FROM history_hourly WHERE {Where(scope, "hour")} GROUP BY 1
                    """, scope, range, r =>
                    {
                        var group = At(r.GetString(0));
                        group.AddSales(null, Dec(r, 1), Long(r, 2), Long(r, 3));
                        group.AddRefunds(Dec(r, 4), Long(r, 5));
                        group.AddSessions(Long(r, 6));
                    });
            }
            else if (by == BreakdownDimension.Product)
            {
                Query(connection, $"""
                    SELECT sku, MIN(title), SUM(line_revenue), COUNT(DISTINCT store_id || chr(31) || order_id), SUM(quantity)
                    FROM history_order_lines WHERE {Where(scope, "placed_at")} GROUP BY sku
                    """, scope, range, r => At(r.GetString(0)).AddSales(r.GetString(1), Dec(r, 2), Long(r, 3), Long(r, 4)));
                Query(connection, $"""
                    SELECT sku, SUM(amount), SUM(quantity)
                    FROM history_refund_lines WHERE {Where(scope, "occurred_at")} GROUP BY sku
                    """, scope, range, r => At(r.GetString(0)).AddRefunds(Dec(r, 1), Long(r, 2)));
            }
            else
            {
                var column = HistorySql.Column(by);
                Query(connection, $"""
                    SELECT {column}, SUM(total), COUNT(*), SUM(units)
                    FROM history_orders WHERE {Where(scope, "placed_at")} GROUP BY 1
                    """, scope, range, r => At(r.GetString(0)).AddSales(null, Dec(r, 1), Long(r, 2), Long(r, 3)));

                // A refund's channel and store are its own; its source and country are its order's.
                var refundKey = by is BreakdownDimension.Channel or BreakdownDimension.Store
                    ? $"r.{column}"
                    : $"COALESCE(o.{column}, '{HistoryFacts.Unknown}')";
                Query(connection, $"""
                    SELECT {refundKey}, SUM(r.amount), SUM(r.units)
                    FROM history_refunds r LEFT JOIN history_orders o
                      ON o.tenant_id = r.tenant_id AND o.store_id = r.store_id AND o.order_id = r.order_id
                    WHERE {Where(scope, "r.occurred_at", "r.")} GROUP BY 1
                    """, scope, range, r => At(r.GetString(0)).AddRefunds(Dec(r, 1), Long(r, 2)));

                if (by is not BreakdownDimension.Country)
                {
                    Query(connection, $"""
                        SELECT {column}, COUNT(*) FROM history_sessions WHERE {Where(scope, "started_at")} GROUP BY 1
                        """, scope, range, r => At(r.GetString(0)).AddSessions(Long(r, 1)));
                }
            }

            return groups.Values.Select(g => g.Build()).ToList();
        }, cancellationToken);
    }

    /// <summary>
    /// The product rows of a whole-hour range: its whole UTC days from the daily table, the hours before the first and
    /// after the last UTC midnight (a zone's offset, or a range shorter than a day) from the hourly one. Day bounds are
    /// literals, so both tables' scans prune by their zone maps.
    /// </summary>
    private static string ProductRows(HistoryScope scope, HistoryRange range)
    {
        const string Columns = "sku, title, gross, orders, units, refunds, refunded_units";
        var from = range.FromUtc.ToUnixTimeSeconds();
        var to = range.ToUtc.ToUnixTimeSeconds();
        var firstDay = (long)Math.Ceiling(from / (double)DuckDbRollups.DaySeconds) * DuckDbRollups.DaySeconds;
        var lastDay = (long)Math.Floor(to / (double)DuckDbRollups.DaySeconds) * DuckDbRollups.DaySeconds;
        if (firstDay >= lastDay)
        {
            return $"SELECT {Columns} FROM history_hourly_products WHERE {Where(scope, "hour")}";
        }

        string At(long seconds) => DuckDbRollups.Literal(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime);
        var stores = InScope(scope);
        var branches = new List<string> { $"SELECT {Columns} FROM history_daily_products WHERE {stores} AND day >= {At(firstDay)} AND day < {At(lastDay)}" };
        if (from < firstDay)
        {
            branches.Add($"SELECT {Columns} FROM history_hourly_products WHERE {stores} AND hour >= $from AND hour < {At(firstDay)}");
        }

        if (lastDay < to)
        {
            branches.Add($"SELECT {Columns} FROM history_hourly_products WHERE {stores} AND hour >= {At(lastDay)} AND hour < $to");
        }

        return string.Join("\nUNION ALL\n", branches);
    }

    public Task<IReadOnlyList<RecentOrder>> RecentOrdersAsync(HistoryScope scope, HistoryRange range, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // history_orders holds one row per order (a newer version replaces the row), so no collapsing is needed.
        var sql = $"""
            SELECT store_id, order_id, placed_at, channel, currency, total, units, country, cancelled
            FROM history_orders WHERE {Where(scope, "placed_at")}
            ORDER BY placed_at DESC, order_id DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}
            """;
        return RunAsync<IReadOnlyList<RecentOrder>>(connection =>
        {
            var orders = new List<RecentOrder>();
            Query(connection, sql, scope, range, r => orders.Add(new RecentOrder(
                r.GetString(0),
                r.GetString(1),
                new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc)),
                Enum.Parse<SalesChannel>(r.GetString(3)),
                r.GetString(4),
                Dec(r, 5),
                (int)Long(r, 6),
                r.GetString(7),
                r.GetBoolean(8))));
            return orders;
        }, cancellationToken);
    }

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
