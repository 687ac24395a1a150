using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>The dashboard's queries (slots, breakdowns, recent orders): whole hours from the rollups' newest computation, the rest from the facts.</summary>
internal sealed class ClickHouseHistoryQueries(ClickHouseHistoryDatabase db)
{
    /// <summary>False answers every query from the facts alone, as before the rollups: the bench's baseline, never production.</summary>
    public bool ReadRollups { get; set; } = true;

    /// <summary>Rows of each store-hour's (or store-day's) newest computation only.</summary>
    private static string Newest(string table, string where, string period = "hour") =>
        $"(store_id, {period}, computed) IN (SELECT store_id, {period}, max(computed) FROM {table} WHERE {where} GROUP BY store_id, {period})";

    /// <summary>
    /// The product rows of a whole-hour range: its whole UTC days from the daily table, the hours before the first and
    /// after the last midnight (a zone's offset, or a range shorter than a day) from the hourly one.
    /// </summary>
    private static string ProductRows(HistoryScope scope, HistoryRange range)
    {
        const string columns = "sku, title, gross, orders, units, refunds, refunded_units";
        var from = range.FromUtc.ToUnixTimeSeconds();
        var to = range.ToUtc.ToUnixTimeSeconds();
        var firstDay = (long)Math.Ceiling(from / (double)ClickHouseRollups.DaySeconds) * ClickHouseRollups.DaySeconds;
        var lastDay = (long)Math.Floor(to / (double)ClickHouseRollups.DaySeconds) * ClickHouseRollups.DaySeconds;
        if (firstDay >= lastDay)
        {
            var where = Where(scope, "hour", range);
            return $"SELECT {columns} FROM history_hourly_products WHERE {where} AND {Newest("history_hourly_products", where)}";
        }

        var branches = new List<string>();
        var days = $"{Where(scope)} AND day >= toDateTime({firstDay}) AND day < toDateTime({lastDay})";
        branches.Add($"SELECT {columns} FROM history_daily_products WHERE {days} AND {Newest("history_daily_products", days, "day")}");
        var edges = new List<string>();
        if (from < firstDay)
        {
            edges.Add($"(hour >= toDateTime({from}) AND hour < toDateTime({firstDay}))");
        }

        if (lastDay < to)
        {
            edges.Add($"(hour >= toDateTime({lastDay}) AND hour < toDateTime({to}))");
        }

        if (edges.Count > 0)
        {
            var hours = $"{Where(scope)} AND ({string.Join(" OR ", edges)})";
            branches.Add($"SELECT {columns} FROM history_hourly_products WHERE {hours} AND {Newest("history_hourly_products", hours)}");
        }

        return string.Join("\nUNION ALL\n", branches);
    }

    private async Task<IReadOnlyList<HistorySlot>> RolledSlotsAsync(HistoryScope scope, HistoryRange range, long seconds, CancellationToken cancellationToken)
    {
        var where = Where(scope, "hour", range);
        var from = range.FromUtc.ToUnixTimeSeconds();
        var rows = await db.QueryAsync($"""
            SELECT intDiv(toInt64(toUInt32(hour)) - {from}, {seconds}) AS slot, sum(gross), sum(orders), sum(units), sum(new_orders),
                   sum(returning_orders), sum(cancelled), sum(refunds), sum(refund_count), sum(refunded_units), sum(sessions)
            FROM history_hourly WHERE {where} AND {Newest("history_hourly", where)}
            GROUP BY slot ORDER BY slot
            """, cancellationToken);
        return [.. rows.Select(f =>
        {
            var builder = new HistorySlotBuilder();
            builder.AddOrders(Decimal(f[1]), Long(f[2]), Long(f[3]), Long(f[4]), Long(f[5]), Long(f[6]));
            builder.AddRefunds(Decimal(f[7]), Long(f[8]), Long(f[9]));
            builder.AddSessions(Long(f[10]));
            return new HistorySlot(Long(f[0]), builder.Build());
        })];
    }

    private async Task<IReadOnlyList<BreakdownTotals>> RolledBreakdownAsync(HistoryScope scope, HistoryRange range, BreakdownDimension by, CancellationToken cancellationToken)
    {
        var where = Where(scope, "hour", range);
        var groups = new List<BreakdownTotals>();
        if (by == BreakdownDimension.Product)
        {
            // The label is the smallest title among hours that sold the SKU (refund rows carry none).
            foreach (var f in await db.QueryAsync($"""
                SELECT sku, minIf(title, orders > 0), countIf(orders > 0), sum(gross), sum(orders), sum(units), sum(refunds), sum(refunded_units)
                FROM ({ProductRows(scope, range)})
                GROUP BY sku
                """, cancellationToken))
            {
                var builder = new BreakdownBuilder(f[0]);
                builder.AddSales(Long(f[2]) > 0 ? f[1] : null, Decimal(f[3]), Long(f[4]), Long(f[5]));
                builder.AddRefunds(Decimal(f[6]), Long(f[7]));
                groups.Add(builder.Build());
            }

            return groups;
        }

        var key = HistorySql.Column(by);
        foreach (var f in await db.QueryAsync($"""
            SELECT {key}, sum(gross), sum(orders), sum(units), sum(refunds), sum(refunded_units), sum(sessions)
            FROM history_hourly WHERE {where} AND {Newest("history_hourly", where)}
            GROUP BY {key}
            """, cancellationToken))
        {
            var builder = new BreakdownBuilder(f[0]);
            builder.AddSales(null, Decimal(f[1]), Long(f[2]), Long(f[3]));
            builder.AddRefunds(Decimal(f[4]), Long(f[5]));
            builder.AddSessions(Long(f[6]));
            groups.Add(builder.Build());
        }

        return groups;
    }

    public async Task<IReadOnlyList<HistorySlot>> SlotsAsync(HistoryScope scope, HistoryRange range, TimeSpan slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        await db.InitializeAsync(cancellationToken);
        var seconds = HistorySql.SlotSeconds(slot);
        if (ReadRollups && HistoryRollups.Covers(range, seconds))
        {
            return await RolledSlotsAsync(scope, range, seconds, cancellationToken);
        }

        var from = range.FromUtc.ToUnixTimeSeconds();
        string SlotOf(string column) => $"intDiv(toInt64(toUInt32({column})) - {from}, {seconds})";

        var slots = new SortedDictionary<long, HistorySlotBuilder>();
        HistorySlotBuilder At(long index) => slots.TryGetValue(index, out var b) ? b : slots[index] = new HistorySlotBuilder();

        foreach (var f in await db.QueryAsync($"""
            SELECT {SlotOf("placed_at")} AS slot, sum(total), count(), sum(units), sum(1 - returning_customer), sum(returning_customer), sum(cancelled)
            FROM history_orders FINAL WHERE {Where(scope, "placed_at", range)} GROUP BY slot
            """, cancellationToken))
        {
            At(Long(f[0])).AddOrders(Decimal(f[1]), Long(f[2]), Long(f[3]), Long(f[4]), Long(f[5]), Long(f[6]));
        }

        foreach (var f in await db.QueryAsync($"""
            SELECT {SlotOf("occurred_at")} AS slot, sum(amount), count(), sum(units)
            FROM history_refunds FINAL WHERE {Where(scope, "occurred_at", range)} GROUP BY slot
            """, cancellationToken))
        {
            At(Long(f[0])).AddRefunds(Decimal(f[1]), Long(f[2]), Long(f[3]));
        }

        foreach (var f in await db.QueryAsync($"""
            SELECT {SlotOf("started_at")} AS slot, count() FROM history_sessions FINAL WHERE {Where(scope, "started_at", range)} GROUP BY slot
            """, cancellationToken))
        {
            At(Long(f[0])).AddSessions(Long(f[1]));
        }

        return [.. slots.Select(kv => new HistorySlot(kv.Key, kv.Value.Build()))];
    }

    public async Task<IReadOnlyList<BreakdownTotals>> BreakdownAsync(HistoryScope scope, HistoryRange range, BreakdownDimension by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        await db.InitializeAsync(cancellationToken);
        if (ReadRollups && HistoryRollups.Covers(range) && by is BreakdownDimension.Product or BreakdownDimension.Channel or BreakdownDimension.Store)
        {
            return await RolledBreakdownAsync(scope, range, by, cancellationToken);
        }

        var groups = new Dictionary<string, BreakdownBuilder>(StringComparer.Ordinal);
        BreakdownBuilder At(string key) => groups.TryGetValue(key, out var b) ? b : groups[key] = new BreakdownBuilder(key);

        if (by == BreakdownDimension.Product)
        {
            foreach (var f in await db.QueryAsync($"""
                SELECT sku, min(title), sum(line_revenue), uniqExact(store_id, order_id), sum(quantity)
                FROM history_order_lines FINAL
                WHERE {Where(scope, "placed_at", range)} AND (store_id, order_id, version) IN (
                    SELECT store_id, order_id, version FROM history_orders FINAL WHERE {Where(scope, "placed_at", range)})
                GROUP BY sku
                """, cancellationToken))
            {
                At(f[0]).AddSales(f[1], Decimal(f[2]), Long(f[3]), Long(f[4]));
            }

            foreach (var f in await db.QueryAsync($"""
                SELECT sku, sum(amount), sum(quantity)
                FROM history_refund_lines FINAL WHERE {Where(scope, "occurred_at", range)} GROUP BY sku
                """, cancellationToken))
            {
                At(f[0]).AddRefunds(Decimal(f[1]), Long(f[2]));
            }

            return [.. groups.Values.Select(g => g.Build())];
        }

        var key = HistorySql.Column(by);

        foreach (var f in await db.QueryAsync($"""
            SELECT {key}, sum(total), count(), sum(units) FROM history_orders FINAL WHERE {Where(scope, "placed_at", range)} GROUP BY {key}
            """, cancellationToken))
        {
            At(f[0]).AddSales(null, Decimal(f[1]), Long(f[2]), Long(f[3]));
        }

        // A refund's channel and store are its own; its source and country are its order's, whenever it was placed.
        var refundsSql = by is BreakdownDimension.Channel or BreakdownDimension.Store
            ? $"SELECT {key}, sum(amount), sum(units) FROM history_refunds FINAL WHERE {Where(scope, "occurred_at", range)} GROUP BY {key}"
            : $"""
              SELECT if(j_key = '', '{HistoryFacts.Unknown}', j_key) AS k, sum(r_amount), sum(r_units)
              FROM (SELECT store_id AS j_store, order_id AS j_order, amount AS r_amount, units AS r_units
                    FROM history_refunds FINAL WHERE {Where(scope, "occurred_at", range)})
              ANY LEFT JOIN (
                  SELECT store_id AS j_store, order_id AS j_order, {key} AS j_key FROM history_orders FINAL WHERE {Where(scope)})
              USING (j_store, j_order)
              GROUP BY k
              """;
        foreach (var f in await db.QueryAsync(refundsSql, cancellationToken))
        {
            At(f[0]).AddRefunds(Decimal(f[1]), Long(f[2]));
        }

        if (by is not BreakdownDimension.Country)
        {
            foreach (var f in await db.QueryAsync($"""
                SELECT {key}, count() FROM history_sessions FINAL WHERE {Where(scope, "started_at", range)} GROUP BY {key}
                """, cancellationToken))
            {
                At(f[0]).AddSessions(Long(f[1]));
            }
        }

        return [.. groups.Values.Select(g => g.Build())];
    }

    public async Task<IReadOnlyList<RecentOrder>> RecentOrdersAsync(HistoryScope scope, HistoryRange range, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await db.InitializeAsync(cancellationToken);
        var rows = await db.QueryAsync($"""
            SELECT o_store, o_order, toInt64(toUInt32(o_placed)), o_channel, o_currency, o_total, o_units, o_country, o_cancelled
            FROM (
                SELECT store_id AS o_store, order_id AS o_order, argMax(placed_at, version) AS o_placed, argMax(channel, version) AS o_channel,
                       argMax(currency, version) AS o_currency, argMax(total, version) AS o_total, argMax(units, version) AS o_units,
                       argMax(country, version) AS o_country, argMax(cancelled, version) AS o_cancelled
                FROM history_orders WHERE {Where(scope, "placed_at", range)} GROUP BY store_id, order_id)
            ORDER BY o_placed DESC, o_order DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}
            """, cancellationToken);
        return [.. rows.Select(f => new RecentOrder(
            f[0],
            f[1],
            DateTimeOffset.FromUnixTimeSeconds(Long(f[2])),
            Enum.Parse<SalesChannel>(f[3]),
            f[4],
            Decimal(f[5]),
            (int)Long(f[6]),
            f[7],
            Long(f[8]) != 0))];
    }
}
