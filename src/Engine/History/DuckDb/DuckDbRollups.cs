namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// DuckDB's hourly rollups (see <see cref="HistoryRollups"/>): the hours a write touches are listed in stage_hours and
/// recomputed from the facts in the write's own transaction, so facts and rollups commit together or not at all.
/// </summary>
internal static class DuckDbRollups
{
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
    ];

    /// <summary>The hours a staged write touches: its orders' (new and replaced versions'), refunds' and sessions'. Runs before the merge.</summary>
    public static readonly string[] StageHours =
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
    ];

    private static string InHours(string alias, string column) => $"""
        SEMI JOIN stage_hours h ON {alias}.tenant_id = h.tenant_id AND {alias}.store_id = h.store_id AND date_trunc('hour', {alias}.{column}) = h.hour
        WHERE {alias}.{column} >= (SELECT min(hour) FROM stage_hours) AND {alias}.{column} < (SELECT max(hour) FROM stage_hours) + INTERVAL 1 HOUR
        """;

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
        SELECT tenant_id, store_id, hour, sku, min(title), sum(gross), sum(orders), sum(units), sum(refunds), sum(refunded_units)
        FROM (
            SELECT l.tenant_id, l.store_id, date_trunc('hour', l.placed_at) AS hour, l.sku, min(l.title) AS title, sum(l.line_revenue) AS gross,
                   count(DISTINCT l.order_id) AS orders, sum(l.quantity) AS units, 0 AS refunds, 0 AS refunded_units
            FROM history_order_lines l {InHours("l", "placed_at")}
            GROUP BY ALL
            UNION ALL
            SELECT r.tenant_id, r.store_id, date_trunc('hour', r.occurred_at), r.sku, NULL, 0, 0, 0, sum(r.amount), sum(r.quantity)
            FROM history_refund_lines r {InHours("r", "occurred_at")}
            GROUP BY ALL)
        GROUP BY ALL
        """,
    ];
}
