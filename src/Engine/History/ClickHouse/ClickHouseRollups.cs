using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// ClickHouse's hourly rollups (see <see cref="HistoryRollups"/>). After a batch's facts are in, every (store, hour) it
/// touches is recomputed server-side (INSERT … SELECT) from the facts, deduplicated with argMax/any rather than FINAL,
/// and stamped with one increasing <c>computed</c> value. Reads keep, per store and hour, only the rows of its newest
/// computation — a filter on a small table, not FINAL — so an hour recomputed twice, a replayed batch, or rows a
/// background merge has not collapsed yet never count twice. Each computation writes one row per part (orders, refunds,
/// sessions; lines, refund lines), so parts of one hour never replace each other when the table merges.
/// </summary>
internal sealed class ClickHouseRollups(ClickHouseHistoryDatabase db)
{
    internal static readonly string[] Tables =
    [
        """
        CREATE TABLE IF NOT EXISTS history_hourly (
            tenant_id String, store_id String, hour DateTime('UTC'), computed UInt64, part UInt8, channel String,
            gross Decimal(18,2), orders Int64, units Int64, new_orders Int64, returning_orders Int64, cancelled Int64,
            refunds Decimal(18,2), refund_count Int64, refunded_units Int64, sessions Int64)
        ENGINE = ReplacingMergeTree(computed) PARTITION BY toYYYYMM(hour) ORDER BY (tenant_id, store_id, hour, part, channel)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_hourly_products (
            tenant_id String, store_id String, hour DateTime('UTC'), computed UInt64, part UInt8, sku String, title String,
            gross Decimal(18,2), orders Int64, units Int64, refunds Decimal(18,2), refunded_units Int64)
        ENGINE = ReplacingMergeTree(computed) PARTITION BY toYYYYMM(hour) ORDER BY (tenant_id, store_id, hour, part, sku)
        """,
        // The hourly product rows of each UTC day summed, so a 90-day top-products read sums ~90 rows per SKU, not ~2,000
        // (a store-hour holds few orders of each SKU, so the hourly table approaches one row per order line). Kept like the
        // hourly tables: every day a write touches is recomputed from the hourly rows' newest computation under a new
        // stamp, and reads keep each day's newest computation (retention deletes the rows of a day it cuts into and
        // recomputes what is left of it).
        """
        CREATE TABLE IF NOT EXISTS history_daily_products (
            tenant_id String, store_id String, day DateTime('UTC'), computed UInt64, sku String, title String,
            gross Decimal(18,2), orders Int64, units Int64, refunds Decimal(18,2), refunded_units Int64)
        ENGINE = ReplacingMergeTree(computed) PARTITION BY toYYYYMM(day) ORDER BY (tenant_id, store_id, day, sku)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_rollup_state (name String, version UInt32, at UInt64)
        ENGINE = ReplacingMergeTree(at) ORDER BY name
        """,
    ];

    /// <summary>At most this many (store, hour) pairs go into one recomputation's literal IN list.</summary>
    private const int HoursPerRecompute = 5_000;

    public const long DaySeconds = 86_400;

    /// <summary>
    /// The daily product table's own version in history_rollup_state (name "daily_products"): a database without it
    /// (written before the table, or under an older definition) fills it from the hourly product rows once, on start.
    /// </summary>
    public const int DailyProductsVersion = 1;

    /// <summary>The UTC day (Unix seconds) an hour column falls in; arithmetic, so it holds whatever the server's zone.</summary>
    private static string DayOf(string hourColumn) => $"toUInt32(intDiv(toUInt32({hourColumn}), {DaySeconds}) * {DaySeconds})";

    /// <summary>
    /// The driver sends default_format=RowBinaryWithNamesAndTypes, which 18.16 rejects for INSERT … SELECT (it has no
    /// such format); a later default_format wins, so this one names a format every version knows.
    /// </summary>
    private static readonly QueryOptions InsertSelect = new() { CustomSettings = new Dictionary<string, object> { ["default_format"] = "TabSeparated" } };

    private long _lastComputed;

    /// <summary>The (tenant, store, UTC hour) of every order, refund and session of a batch.</summary>
    internal static IEnumerable<(string Tenant, string Store, long Hour)> HoursOf(HistoryBatch batch) =>
        batch.Orders.Select(o => (o.TenantId, o.StoreId, HistoryRollups.HourOf(o.PlacedAt)))
            .Concat(batch.Refunds.Select(r => (r.TenantId, r.StoreId, HistoryRollups.HourOf(r.OccurredAt))))
            .Concat(batch.Sessions.Select(s => (s.TenantId, s.StoreId, HistoryRollups.HourOf(s.StartedAt))))
            .Distinct();

    /// <summary>Recomputes the rollups of the given store-hours from the facts held now.</summary>
    public async Task RecomputeHoursAsync(IEnumerable<(string Tenant, string Store, long Hour)> hours, CancellationToken cancellationToken)
    {
        foreach (var chunk in hours.Chunk(HoursPerRecompute))
        {
            var stores = string.Join(", ", chunk.Select(h => (h.Tenant, h.Store)).Distinct().Select(s => $"({Literal(s.Tenant)}, {Literal(s.Store)})"));
            var tuples = string.Join(", ", chunk.Select(h => $"({Literal(h.Tenant)}, {Literal(h.Store)}, {h.Hour.ToString(CultureInfo.InvariantCulture)})"));
            var first = chunk.Min(h => h.Hour);
            var last = chunk.Max(h => h.Hour) + HistoryRollups.HourSeconds;
            string Filter(string column) =>
                $"(tenant_id, store_id) IN ({stores}) AND {column} >= toDateTime({first}) AND {column} < toDateTime({last}) "
                + $"AND (tenant_id, store_id, toUInt32(toStartOfHour({column}))) IN ({tuples})";
            await RecomputeAsync(Filter, cancellationToken);
            await RecomputeDaysAsync(chunk.Select(h => (h.Tenant, h.Store, h.Hour - (h.Hour % DaySeconds))).Distinct(), cancellationToken);
        }
    }

    /// <summary>Recomputes the daily product rows of the given store-days (Unix seconds of each UTC midnight) from the hourly rows held now.</summary>
    public async Task RecomputeDaysAsync(IEnumerable<(string Tenant, string Store, long Day)> days, CancellationToken cancellationToken)
    {
        foreach (var chunk in days.Chunk(HoursPerRecompute))
        {
            var stores = string.Join(", ", chunk.Select(d => (d.Tenant, d.Store)).Distinct().Select(s => $"({Literal(s.Tenant)}, {Literal(s.Store)})"));
            var tuples = string.Join(", ", chunk.Select(d => $"({Literal(d.Tenant)}, {Literal(d.Store)}, {d.Day.ToString(CultureInfo.InvariantCulture)})"));
            var first = chunk.Min(d => d.Day);
            var last = chunk.Max(d => d.Day) + DaySeconds;
            await RecomputeDaysAsync(
                $"(tenant_id, store_id) IN ({stores}) AND hour >= toDateTime({first}) AND hour < toDateTime({last}) "
                + $"AND (tenant_id, store_id, {DayOf("hour")}) IN ({tuples})",
                cancellationToken);
        }
    }

    /// <summary>Fills the daily product rows from the hourly ones, a month at a time: the upgrade of a database made before them.</summary>
    public async Task RebuildDaysAsync(CancellationToken cancellationToken)
    {
        var bounds = await db.QueryAsync("SELECT toUInt32(min(hour)), toUInt32(max(hour)) FROM history_hourly_products", cancellationToken);
        if (bounds is [[var low, var high], ..] && Long(high) > 0)
        {
            var start = DateTimeOffset.FromUnixTimeSeconds(Long(low));
            var end = DateTimeOffset.FromUnixTimeSeconds(Long(high));
            for (var month = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero); month <= end; month = month.AddMonths(1))
            {
                var from = month.ToUnixTimeSeconds();
                var to = month.AddMonths(1).ToUnixTimeSeconds();
                await RecomputeDaysAsync($"hour >= toDateTime({from}) AND hour < toDateTime({to})", cancellationToken);
            }
        }

        var state = new StringBuilder();
        state.Field("daily_products").Field(DailyProductsVersion).Field(NextComputed()).EndRow();
        await db.InsertAsync("history_rollup_state", state, cancellationToken);
    }

    public async Task<bool> DaysCurrentAsync(CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT max(version) FROM history_rollup_state WHERE name = 'daily_products'", cancellationToken) is [[var version, ..], ..]
        && Long(version) >= DailyProductsVersion;

    /// <summary>
    /// One computation of the days whose hourly product rows <paramref name="hours"/> selects, from each store-hour's
    /// newest hourly computation, under one stamp.
    /// </summary>
    private async Task RecomputeDaysAsync(string hours, CancellationToken cancellationToken)
    {
        var c = NextComputed().ToString(CultureInfo.InvariantCulture);
        await db.Client.ExecuteNonQueryAsync(
            $"""
            INSERT INTO history_daily_products (tenant_id, store_id, day, computed, sku, title, gross, orders, units, refunds, refunded_units)
            SELECT tenant_id, store_id, toDateTime(d), {c}, sku, minIf(title, orders > 0), sum(gross), sum(orders), sum(units), sum(refunds),
                   sum(refunded_units)
            FROM (
                SELECT tenant_id, store_id, {DayOf("hour")} AS d, sku, title, gross, orders, units, refunds, refunded_units
                FROM history_hourly_products
                WHERE {hours} AND (tenant_id, store_id, hour, computed) IN (
                    SELECT tenant_id, store_id, hour, max(computed) FROM history_hourly_products WHERE {hours} GROUP BY tenant_id, store_id, hour))
            GROUP BY tenant_id, store_id, d, sku
            """,
            options: InsertSelect,
            cancellationToken: cancellationToken);
    }

    /// <summary>Recomputes every hour any fact falls in, a month at a time: the rebuild after an upgrade.</summary>
    public async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var bounds = await db.QueryAsync("""
            SELECT toUInt32(min(m)), toUInt32(max(m)) FROM (
                SELECT min(placed_at) AS m FROM history_orders UNION ALL SELECT max(placed_at) FROM history_orders
                UNION ALL SELECT min(occurred_at) FROM history_refunds UNION ALL SELECT max(occurred_at) FROM history_refunds
                UNION ALL SELECT min(started_at) FROM history_sessions UNION ALL SELECT max(started_at) FROM history_sessions)
            WHERE m > toDateTime(0)
            """, cancellationToken);
        if (bounds is [[var low, var high], ..] && Long(high) > 0)
        {
            var month = new DateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(Long(low)).Year, DateTimeOffset.FromUnixTimeSeconds(Long(low)).Month, 1, 0, 0, 0,
                TimeSpan.Zero);
            var end = DateTimeOffset.FromUnixTimeSeconds(Long(high));
            for (; month <= end; month = month.AddMonths(1))
            {
                var from = month.ToUnixTimeSeconds();
                var to = month.AddMonths(1).ToUnixTimeSeconds();
                await RecomputeAsync(column => $"{column} >= toDateTime({from}) AND {column} < toDateTime({to})", cancellationToken);
            }
        }

        var state = new StringBuilder();
        state.Field("hourly").Field(HistoryRollups.Version).Field(NextComputed()).EndRow();
        await db.InsertAsync("history_rollup_state", state, cancellationToken);
    }

    public async Task<bool> CurrentAsync(CancellationToken cancellationToken) =>
        await db.QueryAsync("SELECT max(version) FROM history_rollup_state WHERE name = 'hourly'", cancellationToken) is [[var version, ..], ..]
        && Long(version) >= HistoryRollups.Version;

    /// <summary>One computation of the hours <paramref name="filter"/> selects (given a fact table's time column), all parts under one stamp.</summary>
    private async Task RecomputeAsync(Func<string, string> filter, CancellationToken cancellationToken)
    {
        var c = NextComputed().ToString(CultureInfo.InvariantCulture);
        string[] statements =
        [
            $"""
            INSERT INTO history_hourly (tenant_id, store_id, hour, computed, part, channel, gross, orders, units, new_orders, returning_orders, cancelled)
            SELECT tenant_id, store_id, toStartOfHour(o_placed) AS o_hour, {c}, 1, o_channel, sum(o_total), count(), sum(o_units),
                   sum(1 - o_returning), sum(o_returning), sum(o_cancelled)
            FROM (
                SELECT tenant_id, store_id, order_id, argMax(placed_at, version) AS o_placed, argMax(channel, version) AS o_channel,
                       argMax(total, version) AS o_total, argMax(units, version) AS o_units, argMax(returning_customer, version) AS o_returning,
                       argMax(cancelled, version) AS o_cancelled
                FROM history_orders WHERE {filter("placed_at")} GROUP BY tenant_id, store_id, order_id)
            GROUP BY tenant_id, store_id, o_hour, o_channel
            """,
            $"""
            INSERT INTO history_hourly (tenant_id, store_id, hour, computed, part, channel, refunds, refund_count, refunded_units)
            SELECT tenant_id, store_id, toStartOfHour(r_at) AS r_hour, {c}, 2, r_channel, sum(r_amount), count(), sum(r_units)
            FROM (
                SELECT tenant_id, store_id, refund_id, any(channel) AS r_channel, any(occurred_at) AS r_at, any(amount) AS r_amount, any(units) AS r_units
                FROM history_refunds WHERE {filter("occurred_at")} GROUP BY tenant_id, store_id, refund_id)
            GROUP BY tenant_id, store_id, r_hour, r_channel
            """,
            $"""
            INSERT INTO history_hourly (tenant_id, store_id, hour, computed, part, channel, sessions)
            SELECT tenant_id, store_id, toStartOfHour(s_at) AS s_hour, {c}, 3, s_channel, count()
            FROM (
                SELECT tenant_id, store_id, session_id, any(channel) AS s_channel, any(started_at) AS s_at
                FROM history_sessions WHERE {filter("started_at")} GROUP BY tenant_id, store_id, session_id)
            GROUP BY tenant_id, store_id, s_hour, s_channel
            """,
            // Lines of each order's current version only: an edit's dropped lines may not be merged away yet.
            $"""
            INSERT INTO history_hourly_products (tenant_id, store_id, hour, computed, part, sku, title, gross, orders, units)
            SELECT tenant_id, store_id, toStartOfHour(l_placed) AS l_hour, {c}, 1, l_sku, min(l_title), sum(l_revenue), uniqExact(order_id), sum(l_quantity)
            FROM (
                SELECT tenant_id, store_id, order_id, line_no, version, any(placed_at) AS l_placed, any(sku) AS l_sku, any(title) AS l_title,
                       any(line_revenue) AS l_revenue, any(quantity) AS l_quantity
                FROM history_order_lines WHERE {filter("placed_at")} GROUP BY tenant_id, store_id, order_id, line_no, version)
            WHERE (tenant_id, store_id, order_id, version) IN (
                SELECT tenant_id, store_id, order_id, max(version) FROM history_orders WHERE {filter("placed_at")} GROUP BY tenant_id, store_id, order_id)
            GROUP BY tenant_id, store_id, l_hour, l_sku
            """,
            $"""
            INSERT INTO history_hourly_products (tenant_id, store_id, hour, computed, part, sku, refunds, refunded_units)
            SELECT tenant_id, store_id, toStartOfHour(l_at) AS l_hour, {c}, 2, l_sku, sum(l_amount), sum(l_quantity)
            FROM (
                SELECT tenant_id, store_id, refund_id, line_no, any(occurred_at) AS l_at, any(sku) AS l_sku, any(amount) AS l_amount,
                       any(quantity) AS l_quantity
                FROM history_refund_lines WHERE {filter("occurred_at")} GROUP BY tenant_id, store_id, refund_id, line_no)
            GROUP BY tenant_id, store_id, l_hour, l_sku
            """,
        ];
        foreach (var statement in statements)
        {
            await db.Client.ExecuteNonQueryAsync(statement, options: InsertSelect, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Strictly increasing computation stamps (wall-clock ticks), so the newest computation of an hour is the one read.</summary>
    private long NextComputed()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastComputed);
            var next = Math.Max(db.Time.GetUtcNow().UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _lastComputed, next, last) == last)
            {
                return next;
            }
        }
    }
}
