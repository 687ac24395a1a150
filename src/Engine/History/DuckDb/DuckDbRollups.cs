namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// DuckDB's hourly rollups (see <see cref="HistoryRollups"/>), kept in the write's own transaction so facts and rollups
/// commit together or not at all. A write adds its delta to the rows it touches: each winning order's new version minus
/// the version it replaces, and only the refunds and sessions not held yet, so a replayed batch has an empty delta and
/// never counts twice. Recomputing a touched hour from its facts instead cost a scan of the whole hour per write, which
/// grows with the hour and was a fifth of the CPU of a busy store's ingest. Rebuilds and retention still recompute
/// hours from the facts (<see cref="Recompute"/>), and a rollup version change rebuilds everything on start.
/// </summary>
internal static class DuckDbRollups
{
    /// <summary>
    /// DuckDB's own rollup version (<see cref="HistoryRollups.Version"/> is ClickHouse's): 2 counts each product row's
    /// lines, which the delta needs to know when a row has nothing left.
    /// </summary>
    public const int Version = 2;

    public static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS history_hourly (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, hour TIMESTAMP NOT NULL, channel VARCHAR NOT NULL,
            gross DECIMAL(18,2) NOT NULL, orders BIGINT NOT NULL, units BIGINT NOT NULL, new_orders BIGINT NOT NULL,
            returning_orders BIGINT NOT NULL, cancelled BIGINT NOT NULL, refunds DECIMAL(18,2) NOT NULL, refund_count BIGINT NOT NULL,
            refunded_units BIGINT NOT NULL, sessions BIGINT NOT NULL)
        """,
        // title is the smallest title of the hour's lines of the SKU; NULL when the hour only refunded it.
        """
        CREATE TABLE IF NOT EXISTS history_hourly_products (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, hour TIMESTAMP NOT NULL, sku VARCHAR NOT NULL, title VARCHAR,
            gross DECIMAL(18,2) NOT NULL, orders BIGINT NOT NULL, units BIGINT NOT NULL, refunds DECIMAL(18,2) NOT NULL,
            refunded_units BIGINT NOT NULL)
        """,
        "CREATE TABLE IF NOT EXISTS history_rollup_state (name VARCHAR PRIMARY KEY, version INTEGER NOT NULL)",
        // Order and refund lines behind the row: a product row exists while it is above zero, whatever its figures.
        "ALTER TABLE history_hourly_products ADD COLUMN IF NOT EXISTS lines BIGINT DEFAULT 0",
        // The hourly product rows of each UTC day summed (day is its midnight): a 90-day top products reads ~25x fewer
        // rows than from the hours, which approach one row per order line (a store-hour holds few orders of each SKU).
        """
        CREATE TABLE IF NOT EXISTS history_daily_products (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, day TIMESTAMP NOT NULL, sku VARCHAR NOT NULL, title VARCHAR,
            gross DECIMAL(18,2) NOT NULL, orders BIGINT NOT NULL, units BIGINT NOT NULL, refunds DECIMAL(18,2) NOT NULL,
            refunded_units BIGINT NOT NULL, lines BIGINT NOT NULL)
        """,
    ];

    /// <summary>
    /// The daily product table's own version in history_rollup_state (name "daily_products"): a database whose hourly
    /// rollups are current but that has no daily rows yet (written by the release before them) fills them on start
    /// from the hourly product rows, without a rebuild from the facts.
    /// </summary>
    public const int DailyProductsVersion = 1;

    public const long DaySeconds = 24 * HistoryRollups.HourSeconds;

    private const string OrderKey = "o.tenant_id = s.tenant_id AND o.store_id = s.store_id AND o.order_id = s.order_id";

    private const string RefundKey = "r.tenant_id = k.tenant_id AND r.store_id = k.store_id AND r.refund_id = k.refund_id";

    private const string HourlyKey = "t.tenant_id = d.tenant_id AND t.store_id = d.store_id AND t.hour = d.hour AND t.channel = d.channel";

    private const string ProductKey = "t.tenant_id = d.tenant_id AND t.store_id = d.store_id AND t.hour = d.hour AND t.sku = d.sku";

    private const string DayKey = "t.tenant_id = d.tenant_id AND t.store_id = d.store_id AND t.day = d.day AND t.sku = d.sku";

    /// <summary>
    /// The rollups' upkeep of one write in one MERGE per table, the write's delta computed inside it from what the batch
    /// holds (<paramref name="kinds"/>: an arm per kind staged, none for the rest): new versions (staged_winners) less the
    /// versions they replace (staged_replaced), refunds and sessions not held yet. A row its delta empties is deleted
    /// and a delta that starts nothing inserts nothing. Runs before the facts change: a write that replaces versions
    /// first keeps the lines they take away (stage_removed_lines, read within <paramref name="replaced"/>'s row groups),
    /// which <see cref="Titles"/> reads again after the merge. <paramref name="hours"/> bounds every hour the delta
    /// touches, as literals the rollups' scans prune by.
    /// </summary>
    internal static IEnumerable<string> Upsert(DuckDbFactWriter.StagedKinds kinds, (DateTime From, DateTime To)? replaced, (DateTime From, DateTime To) hours)
    {
        if (replaced is { } range)
        {
            yield return $"""
                CREATE OR REPLACE TEMP TABLE stage_removed_lines AS
                SELECT o.tenant_id, o.store_id, o.order_id, date_trunc('hour', o.placed_at) AS hour, o.sku, sum(o.line_revenue) AS gross,
                       sum(o.quantity) AS units, count(*) AS lines
                FROM history_order_lines o SEMI JOIN staged_replaced s ON {OrderKey} AND o.version = s.version
                WHERE o.placed_at BETWEEN {Literal(range.From)} AND {Literal(range.To)}
                GROUP BY ALL
                """;
        }

        var inHours = $"BETWEEN {Literal(hours.From)} AND {Literal(hours.To)}";
        var hourly = new List<string>();
        if (kinds.Orders)
        {
            hourly.Add("""
                SELECT o.tenant_id, o.store_id, date_trunc('hour', o.placed_at) AS hour, o.channel, o.total AS gross, 1 AS orders, o.units,
                       CASE WHEN o.returning_customer THEN 0 ELSE 1 END AS new_orders, CASE WHEN o.returning_customer THEN 1 ELSE 0 END AS returning_orders,
                       CASE WHEN o.cancelled THEN 1 ELSE 0 END AS cancelled, 0 AS refunds, 0 AS refund_count, 0 AS refunded_units, 0 AS sessions
                FROM staged_winners o
                """);
        }

        if (replaced is not null)
        {
            hourly.Add("""
                SELECT o.tenant_id, o.store_id, date_trunc('hour', o.placed_at), o.channel, -o.total, -1, -o.units,
                       CASE WHEN o.returning_customer THEN 0 ELSE -1 END, CASE WHEN o.returning_customer THEN -1 ELSE 0 END,
                       CASE WHEN o.cancelled THEN -1 ELSE 0 END, 0, 0, 0, 0
                FROM staged_replaced o
                """);
        }

        if (kinds.Refunds)
        {
            hourly.Add($"""
                SELECT r.tenant_id, r.store_id, date_trunc('hour', r.occurred_at), r.channel, 0, 0, 0, 0, 0, 0, r.amount, 1, r.units, 0
                FROM stage_refunds r ANTI JOIN stage_known_refunds k ON {RefundKey}
                """);
        }

        if (kinds.Sessions)
        {
            hourly.Add("""
                SELECT s.tenant_id, s.store_id, date_trunc('hour', s.started_at), s.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
                FROM stage_sessions s ANTI JOIN stage_known_sessions k ON s.tenant_id = k.tenant_id AND s.store_id = k.store_id AND s.session_id = k.session_id
                """);
        }

        if (hourly.Count > 0)
        {
            yield return $"""
                MERGE INTO history_hourly t
                USING (
                    SELECT tenant_id, store_id, hour, channel, sum(gross) AS gross, sum(orders) AS orders, sum(units) AS units,
                           sum(new_orders) AS new_orders, sum(returning_orders) AS returning_orders, sum(cancelled) AS cancelled,
                           sum(refunds) AS refunds, sum(refund_count) AS refund_count, sum(refunded_units) AS refunded_units, sum(sessions) AS sessions
                    FROM ({string.Join("\nUNION ALL\n", hourly)}) AS u(tenant_id, store_id, hour, channel, gross, orders, units, new_orders,
                        returning_orders, cancelled, refunds, refund_count, refunded_units, sessions)
                    GROUP BY ALL) d
                ON {HourlyKey} AND t.hour {inHours}
                WHEN MATCHED AND t.orders + d.orders = 0 AND t.refund_count + d.refund_count = 0 AND t.sessions + d.sessions = 0 THEN DELETE
                WHEN MATCHED THEN UPDATE SET gross = t.gross + d.gross, orders = t.orders + d.orders, units = t.units + d.units,
                    new_orders = t.new_orders + d.new_orders, returning_orders = t.returning_orders + d.returning_orders,
                    cancelled = t.cancelled + d.cancelled, refunds = t.refunds + d.refunds, refund_count = t.refund_count + d.refund_count,
                    refunded_units = t.refunded_units + d.refunded_units, sessions = t.sessions + d.sessions
                WHEN NOT MATCHED AND (d.orders <> 0 OR d.refund_count <> 0 OR d.sessions <> 0) THEN INSERT VALUES (d.tenant_id, d.store_id, d.hour,
                    d.channel, d.gross, d.orders, d.units, d.new_orders, d.returning_orders, d.cancelled, d.refunds, d.refund_count, d.refunded_units, d.sessions)
                """;
        }

        // An order counts once per SKU it holds, however many of its lines name the SKU: one row per order and SKU.
        var products = new List<string>();
        if (kinds.OrderLines)
        {
            products.Add($"""
                SELECT o.tenant_id, o.store_id, date_trunc('hour', o.placed_at) AS hour, o.sku, min(o.title) AS title, sum(o.line_revenue) AS gross,
                       1 AS orders, sum(o.quantity) AS units, 0 AS refunds, 0 AS refunded_units, count(*) AS lines
                FROM stage_order_lines o SEMI JOIN staged_winners s ON {OrderKey}
                GROUP BY o.tenant_id, o.store_id, o.order_id, date_trunc('hour', o.placed_at), o.sku
                """);
        }

        if (kinds.RefundLines)
        {
            products.Add($"""
                SELECT r.tenant_id, r.store_id, date_trunc('hour', r.occurred_at), r.sku, NULL, 0, 0, 0, r.amount, r.quantity, 1
                FROM stage_refund_lines r ANTI JOIN stage_known_refunds k ON {RefundKey}
                """);
        }

        if (replaced is not null)
        {
            products.Add("SELECT tenant_id, store_id, hour, sku, NULL, -gross, -1, -units, 0, 0, -lines FROM stage_removed_lines");
        }

        if (products.Count > 0)
        {
            yield return $"""
                MERGE INTO history_hourly_products t
                USING (
                    SELECT tenant_id, store_id, hour, sku, min(title) AS title, sum(gross) AS gross, sum(orders) AS orders, sum(units) AS units,
                           sum(refunds) AS refunds, sum(refunded_units) AS refunded_units, sum(lines) AS lines
                    FROM ({string.Join("\nUNION ALL\n", products)}) AS u(tenant_id, store_id, hour, sku, title, gross, orders, units, refunds,
                        refunded_units, lines)
                    GROUP BY ALL) d
                ON {ProductKey} AND t.hour {inHours}
                WHEN MATCHED AND t.lines + d.lines = 0 THEN DELETE
                WHEN MATCHED THEN UPDATE SET title = least(t.title, d.title), gross = t.gross + d.gross, orders = t.orders + d.orders,
                    units = t.units + d.units, refunds = t.refunds + d.refunds, refunded_units = t.refunded_units + d.refunded_units,
                    lines = t.lines + d.lines
                WHEN NOT MATCHED AND d.lines <> 0 THEN INSERT VALUES (d.tenant_id, d.store_id, d.hour, d.sku, d.title, d.gross, d.orders, d.units,
                    d.refunds, d.refunded_units, d.lines)
                """;

            // The same delta summed by UTC day: an order lies in one hour, so a day's orders per SKU are its hours' sum.
            yield return $"""
                MERGE INTO history_daily_products t
                USING (
                    SELECT tenant_id, store_id, date_trunc('day', hour) AS day, sku, min(title) AS title, sum(gross) AS gross, sum(orders) AS orders,
                           sum(units) AS units, sum(refunds) AS refunds, sum(refunded_units) AS refunded_units, sum(lines) AS lines
                    FROM ({string.Join("\nUNION ALL\n", products)}) AS u(tenant_id, store_id, hour, sku, title, gross, orders, units, refunds,
                        refunded_units, lines)
                    GROUP BY ALL) d
                ON {DayKey} AND t.day {InDays(hours)}
                WHEN MATCHED AND t.lines + d.lines = 0 THEN DELETE
                WHEN MATCHED THEN UPDATE SET title = least(t.title, d.title), gross = t.gross + d.gross, orders = t.orders + d.orders,
                    units = t.units + d.units, refunds = t.refunds + d.refunds, refunded_units = t.refunded_units + d.refunded_units,
                    lines = t.lines + d.lines
                WHEN NOT MATCHED AND d.lines <> 0 THEN INSERT VALUES (d.tenant_id, d.store_id, d.day, d.sku, d.title, d.gross, d.orders, d.units,
                    d.refunds, d.refunded_units, d.lines)
                """;
        }
    }

    /// <summary>The UTC days holding <paramref name="hours"/>, as a literal range DuckDB prunes the daily rows by.</summary>
    private static string InDays((DateTime From, DateTime To) hours) =>
        $"BETWEEN {Literal(hours.From.Date)} AND {Literal(hours.To.Date)}";

    /// <summary>
    /// After a write that replaced versions, the product rows that lost lines read their smallest title again (a delta
    /// cannot take back a minimum; NULL when only refunds remain): the hourly rows from the lines held now, then the
    /// daily rows from their day's hourly rows.
    /// </summary>
    internal static IEnumerable<string> Titles((DateTime From, DateTime To) hours)
    {
        yield return $"""
            UPDATE history_hourly_products t SET title = (
                SELECT min(l.title) FROM history_order_lines l
                WHERE l.tenant_id = t.tenant_id AND l.store_id = t.store_id AND l.sku = t.sku AND l.placed_at >= t.hour AND l.placed_at < t.hour + INTERVAL 1 HOUR
                    AND l.placed_at >= {Literal(hours.From)} AND l.placed_at < {Literal(hours.To)} + INTERVAL 1 HOUR)
            FROM (SELECT DISTINCT tenant_id, store_id, hour, sku FROM stage_removed_lines) d
            WHERE {ProductKey} AND t.hour BETWEEN {Literal(hours.From)} AND {Literal(hours.To)}
            """;
        yield return $"""
            UPDATE history_daily_products t SET title = (
                SELECT min(h.title) FROM history_hourly_products h
                WHERE h.tenant_id = t.tenant_id AND h.store_id = t.store_id AND h.sku = t.sku AND h.hour >= t.day AND h.hour < t.day + INTERVAL 1 DAY
                    AND h.hour >= {Literal(hours.From.Date)} AND h.hour < {Literal(hours.To.Date)} + INTERVAL 1 DAY)
            FROM (SELECT DISTINCT tenant_id, store_id, date_trunc('day', hour) AS day, sku FROM stage_removed_lines) d
            WHERE {DayKey} AND t.day {InDays(hours)}
            """;
    }

    /// <summary>A timestamp literal: a constant DuckDB prunes row groups by (a subquery's value would not).</summary>
    internal static string Literal(DateTime at) => $"TIMESTAMP '{at.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)}'";

    /// <summary>
    /// The hours a staged write touches (its orders' new and replaced versions', refunds' and sessions'), for
    /// recomputing them instead of applying a delta: the bench's baseline, never production. Runs before the merge.
    /// </summary>
    public static readonly string[] TouchedHours =
    [
        """
        CREATE OR REPLACE TEMP TABLE stage_hours AS
        SELECT DISTINCT tenant_id, store_id, date_trunc('hour', placed_at) AS hour FROM stage_orders
        UNION SELECT t.tenant_id, t.store_id, date_trunc('hour', t.placed_at) FROM history_orders t
            SEMI JOIN stage_orders s ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.order_id = s.order_id
        UNION SELECT tenant_id, store_id, date_trunc('hour', occurred_at) FROM stage_refunds
        UNION SELECT tenant_id, store_id, date_trunc('hour', started_at) FROM stage_sessions
        """,
    ];

    /// <summary>Every hour any fact falls in: what a rebuild recomputes.</summary>
    public static readonly string[] AllHours =
    [
        """
        CREATE OR REPLACE TEMP TABLE stage_hours AS
        SELECT DISTINCT tenant_id, store_id, date_trunc('hour', placed_at) AS hour FROM history_orders
        UNION SELECT tenant_id, store_id, date_trunc('hour', occurred_at) FROM history_refunds
        UNION SELECT tenant_id, store_id, date_trunc('hour', started_at) FROM history_sessions
        """,
        "DELETE FROM history_hourly",
        "DELETE FROM history_hourly_products",
        "DELETE FROM history_daily_products",
    ];

    private static string InHours(string alias, string column) => $"""
        SEMI JOIN stage_hours h ON {alias}.tenant_id = h.tenant_id AND {alias}.store_id = h.store_id AND date_trunc('hour', {alias}.{column}) = h.hour
        WHERE {alias}.{column} >= (SELECT min(hour) FROM stage_hours) AND {alias}.{column} < (SELECT max(hour) FROM stage_hours) + INTERVAL 1 HOUR
        """;

    /// <summary>
    /// Replaces the daily product rows of every store-day in stage_days with the sum of that day's hourly product rows
    /// held now: after the hours were recomputed, or to fill the daily rows of a database written before them.
    /// </summary>
    public static readonly string[] RecomputeDays =
    [
        "DELETE FROM history_daily_products t USING stage_days d WHERE t.tenant_id = d.tenant_id AND t.store_id = d.store_id AND t.day = d.day",
        """
        INSERT INTO history_daily_products
        SELECT p.tenant_id, p.store_id, date_trunc('day', p.hour) AS day, p.sku, min(p.title), sum(p.gross), sum(p.orders), sum(p.units),
               sum(p.refunds), sum(p.refunded_units), sum(p.lines)
        FROM history_hourly_products p
        SEMI JOIN stage_days d ON p.tenant_id = d.tenant_id AND p.store_id = d.store_id AND date_trunc('day', p.hour) = d.day
        WHERE p.hour >= (SELECT min(day) FROM stage_days) AND p.hour < (SELECT max(day) FROM stage_days) + INTERVAL 1 DAY
        GROUP BY ALL
        """,
    ];

    /// <summary>Replaces the rollup rows of every hour in stage_hours with the figures of the facts held now (after the merge).</summary>
    public static readonly string[] Recompute =
    [
        "DELETE FROM history_hourly t USING stage_hours h WHERE t.tenant_id = h.tenant_id AND t.store_id = h.store_id AND t.hour = h.hour",
        "DELETE FROM history_hourly_products t USING stage_hours h WHERE t.tenant_id = h.tenant_id AND t.store_id = h.store_id AND t.hour = h.hour",
        $"""
        INSERT INTO history_hourly
        SELECT tenant_id, store_id, hour, channel, sum(gross), sum(orders), sum(units), sum(new_orders), sum(returning_orders), sum(cancelled),
               sum(refunds), sum(refund_count), sum(refunded_units), sum(sessions)
        FROM (
            SELECT o.tenant_id, o.store_id, date_trunc('hour', o.placed_at) AS hour, o.channel, sum(o.total) AS gross, count(*) AS orders,
                   sum(o.units) AS units, count(*) FILTER (WHERE NOT o.returning_customer) AS new_orders,
                   count(*) FILTER (WHERE o.returning_customer) AS returning_orders, count(*) FILTER (WHERE o.cancelled) AS cancelled,
                   0 AS refunds, 0 AS refund_count, 0 AS refunded_units, 0 AS sessions
            FROM history_orders o {InHours("o", "placed_at")}
            GROUP BY ALL
            UNION ALL
            SELECT r.tenant_id, r.store_id, date_trunc('hour', r.occurred_at), r.channel, 0, 0, 0, 0, 0, 0, sum(r.amount), count(*), sum(r.units), 0
            FROM history_refunds r {InHours("r", "occurred_at")}
            GROUP BY ALL
            UNION ALL
            SELECT s.tenant_id, s.store_id, date_trunc('hour', s.started_at), s.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*)
            FROM history_sessions s {InHours("s", "started_at")}
            GROUP BY ALL)
        GROUP BY ALL
        """,
        // An order counts once per SKU it holds, however many of its lines name the SKU; an order lies in one hour,
        // so summing hours' distinct counts stays exact.
        $"""
        INSERT INTO history_hourly_products
        SELECT tenant_id, store_id, hour, sku, min(title), sum(gross), sum(orders), sum(units), sum(refunds), sum(refunded_units), sum(lines)
        FROM (
            SELECT l.tenant_id, l.store_id, date_trunc('hour', l.placed_at) AS hour, l.sku, min(l.title) AS title, sum(l.line_revenue) AS gross,
                   count(DISTINCT l.order_id) AS orders, sum(l.quantity) AS units, 0 AS refunds, 0 AS refunded_units, count(*) AS lines
            FROM history_order_lines l {InHours("l", "placed_at")}
            GROUP BY ALL
            UNION ALL
            SELECT r.tenant_id, r.store_id, date_trunc('hour', r.occurred_at), r.sku, NULL, 0, 0, 0, sum(r.amount), sum(r.quantity), count(*)
            FROM history_refund_lines r {InHours("r", "occurred_at")}
            GROUP BY ALL)
        GROUP BY ALL
        """,
        "CREATE OR REPLACE TEMP TABLE stage_days AS SELECT DISTINCT tenant_id, store_id, date_trunc('day', hour) AS day FROM stage_hours",
        .. RecomputeDays,
    ];

    /// <summary>Every store-day the hourly product rows hold: what filling the daily rows of an older database recomputes.</summary>
    public const string AllDays =
        "CREATE OR REPLACE TEMP TABLE stage_days AS SELECT DISTINCT tenant_id, store_id, date_trunc('day', hour) AS day FROM history_hourly_products";
}
