using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// The history tables of the DuckDB file (facts, staging, rollups, dead letters), made on the connection's first use;
/// every port of <see cref="DuckDbHistoryStore"/> shares them through one <see cref="DuckDbConnectionGate"/>.
/// </summary>
internal static class DuckDbHistorySchema
{
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS history_orders (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, version BIGINT NOT NULL,
            channel VARCHAR NOT NULL, placed_at TIMESTAMP NOT NULL, currency VARCHAR NOT NULL, total DECIMAL(18,2) NOT NULL,
            units INTEGER NOT NULL, returning_customer BOOLEAN NOT NULL, cancelled BOOLEAN NOT NULL, source VARCHAR NOT NULL,
            country VARCHAR NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_order_lines (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, version BIGINT NOT NULL,
            line_no INTEGER NOT NULL, placed_at TIMESTAMP NOT NULL, channel VARCHAR NOT NULL, sku VARCHAR NOT NULL,
            title VARCHAR NOT NULL, quantity INTEGER NOT NULL, unit_price DECIMAL(18,4) NOT NULL, line_revenue DECIMAL(18,2) NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_refunds (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, refund_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL,
            channel VARCHAR NOT NULL, occurred_at TIMESTAMP NOT NULL, amount DECIMAL(18,2) NOT NULL, units INTEGER NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_refund_lines (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, refund_id VARCHAR NOT NULL, line_no INTEGER NOT NULL,
            occurred_at TIMESTAMP NOT NULL, sku VARCHAR NOT NULL, quantity INTEGER NOT NULL, amount DECIMAL(18,2) NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_sessions (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, channel VARCHAR NOT NULL,
            started_at TIMESTAMP NOT NULL, source VARCHAR NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_order_touches (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, version BIGINT NOT NULL,
            channel VARCHAR NOT NULL, placed_at TIMESTAMP NOT NULL, revenue DECIMAL(18,2) NOT NULL, currency VARCHAR NOT NULL,
            cancelled BOOLEAN NOT NULL, touch VARCHAR, email_hash VARCHAR)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_ad_spend (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, spend_id VARCHAR NOT NULL, channel VARCHAR NOT NULL,
            occurred_at TIMESTAMP NOT NULL, spend DECIMAL(18,2) NOT NULL, currency VARCHAR NOT NULL, campaign_id VARCHAR, campaign_name VARCHAR)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_shipments (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, carrier VARCHAR NOT NULL, tracking_code VARCHAR NOT NULL,
            event_id VARCHAR NOT NULL, status VARCHAR NOT NULL, status_detail VARCHAR NOT NULL, order_id VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL, est_delivery TIMESTAMP, shipped_at TIMESTAMP, delivered_at TIMESTAMP, public_url VARCHAR NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_traffic (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, day DATE NOT NULL, day_start TIMESTAMP NOT NULL, source VARCHAR NOT NULL,
            medium VARCHAR NOT NULL, touch VARCHAR NOT NULL, users BIGINT NOT NULL, active_users BIGINT NOT NULL, sessions BIGINT NOT NULL,
            conversions DECIMAL(18,4) NOT NULL, version BIGINT NOT NULL)
        """,
        // Facts and rows the store refused (see HistoryDeadLetter); one row per item, the latest refusal kept.
        """
        CREATE TABLE IF NOT EXISTS history_dead_letters (
            tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, item_key VARCHAR NOT NULL,
            reason VARCHAR NOT NULL, payload VARCHAR NOT NULL, refused_at TIMESTAMP NOT NULL, PRIMARY KEY (tenant_id, store_id, kind, item_key))
        """,
        // Databases made before spend kept its campaign get the columns (NULL in old rows), last, so the staged rows (copied
        // from these tables' shape on open) still line up with "INSERT ... SELECT s.*".
        "ALTER TABLE history_ad_spend ADD COLUMN IF NOT EXISTS campaign_id VARCHAR",
        "ALTER TABLE history_ad_spend ADD COLUMN IF NOT EXISTS campaign_name VARCHAR",
        // The buyer (HistoryFacts.CustomerKey), last for the same reason; orders written before it read '' (unidentified).
        "ALTER TABLE history_orders ADD COLUMN IF NOT EXISTS customer_key VARCHAR DEFAULT ''",
        // The visit's utm_campaign (OrderTouch.Campaign), last for the same reason; touches written before it read NULL (untagged).
        "ALTER TABLE history_order_touches ADD COLUMN IF NOT EXISTS campaign VARCHAR",
        // The held-version lookup of a small write (DuckDbFactWriter.HeldLookup) reads this instead of every order's key;
        // made once on the first open of an older database, after the ALTERs above: DuckDB alters no indexed table, so a
        // column added to history_orders later must drop this index before its ALTER (it is made again here).
        "CREATE INDEX IF NOT EXISTS history_orders_order_id ON history_orders (order_id)",
        .. DuckDbRollups.Schema,
    ];

    /// <summary>Each staging table and the fact table whose shape it copies.</summary>
    private static readonly (string Stage, string Facts)[] Staged =
    [
        ("stage_orders", "history_orders"), ("stage_order_lines", "history_order_lines"), ("stage_refunds", "history_refunds"),
        ("stage_refund_lines", "history_refund_lines"), ("stage_sessions", "history_sessions"), ("stage_touches", "history_order_touches"),
        ("stage_ad_spend", "history_ad_spend"), ("stage_shipments", "history_shipments"), ("stage_traffic", "history_traffic"),
    ];

    /// <summary>Makes the schema on a newly opened connection; the gate calls it once.</summary>
    internal static void Open(DuckDBConnection connection)
    {
        foreach (var statement in Schema)
        {
            Execute(connection, statement);
        }

        // Staging lives in temp tables, per connection and in memory: a write's staged rows never reach the file or its
        // WAL, and a write that died mid-way leaves nothing behind. Files from before kept them on disk: dropped here.
        foreach (var (stage, facts) in Staged)
        {
            Execute(connection, $"DROP TABLE IF EXISTS main.{stage}");
            Execute(connection, $"CREATE TEMP TABLE {stage} AS SELECT * FROM {facts} WITH NO DATA");
        }

        foreach (var statement in DuckDbFactWriter.Staging)
        {
            Execute(connection, statement);
        }

        EnsureRollups(connection);
    }

    /// <summary>
    /// A database written before the rollups existed (or under an older rollup version) has facts but no matching
    /// rollups: they are rebuilt from the facts once, in one transaction, before the store answers anything. One whose
    /// hourly rollups are current but that has no daily product rows yet fills those from the hourly product rows.
    /// </summary>
    private static void EnsureRollups(DuckDBConnection connection)
    {
        var hourly = IsCurrent(connection, "hourly", DuckDbRollups.Version);
        if (hourly && IsCurrent(connection, "daily_products", DuckDbRollups.DailyProductsVersion))
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        ExecuteAll(connection, hourly
            ? [DuckDbRollups.AllDays, .. DuckDbRollups.RecomputeDays]
            : DuckDbRollups.AllHours.Concat(DuckDbRollups.Recompute));
        Mark(connection, "hourly", DuckDbRollups.Version);
        Mark(connection, "daily_products", DuckDbRollups.DailyProductsVersion);
        transaction.Commit();
    }

    private static bool IsCurrent(DuckDBConnection connection, string name, int version)
    {
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT count(*) FROM history_rollup_state WHERE name = $name AND version = $version";
        check.Parameters.Add(new DuckDBParameter("name", name));
        check.Parameters.Add(new DuckDBParameter("version", version));
        return Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static void Mark(DuckDBConnection connection, string name, int version)
    {
        using var mark = connection.CreateCommand();
        mark.CommandText = "INSERT OR REPLACE INTO history_rollup_state VALUES ($name, $version)";
        mark.Parameters.Add(new DuckDBParameter("name", name));
        mark.Parameters.Add(new DuckDBParameter("version", version));
        mark.ExecuteNonQuery();
    }
}
