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
/// A ClickHouse history store's connection and schema: the tables (facts, rollups, minute rows, dead letters), made on
/// first use, and the raw insert and query every port of <see cref="ClickHouseHistoryStore"/> goes through.
/// </summary>
/// <remarks>
/// The driver is told <c>JsonReadMode=None;JsonWriteMode=None</c> whatever the connection string says: otherwise
/// it sends output_format_binary_write_json_as_string / input_format_binary_read_json_as_string with every query,
/// and servers older than 24.10 reject those settings. See deploy/clickhouse/README.md.
/// </remarks>
internal sealed class ClickHouseHistoryDatabase : IDisposable
{
    private static readonly string[] Tables =
    [
        """
        CREATE TABLE IF NOT EXISTS history_orders (
            tenant_id String, store_id String, order_id String, version UInt64, channel String, placed_at DateTime('UTC'),
            currency String, total Decimal(18,2), units Int32, returning_customer UInt8, cancelled UInt8, source String, country String,
            customer_key String)
        ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(placed_at) ORDER BY (tenant_id, store_id, order_id)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_order_lines (
            tenant_id String, store_id String, order_id String, version UInt64, line_no UInt32, placed_at DateTime('UTC'),
            channel String, sku String, title String, quantity Int32, unit_price Decimal(18,4), line_revenue Decimal(18,2))
        ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(placed_at) ORDER BY (tenant_id, store_id, order_id, line_no)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_refunds (
            tenant_id String, store_id String, refund_id String, order_id String, channel String, occurred_at DateTime('UTC'),
            amount Decimal(18,2), units Int32)
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, store_id, refund_id)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_refund_lines (
            tenant_id String, store_id String, refund_id String, line_no UInt32, occurred_at DateTime('UTC'), sku String,
            quantity Int32, amount Decimal(18,2))
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, store_id, refund_id, line_no)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_sessions (
            tenant_id String, store_id String, session_id String, channel String, started_at DateTime('UTC'), source String)
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(started_at) ORDER BY (tenant_id, store_id, session_id)
        """,
        // Insight facts. Every version of an order's touch is its own row (version is in the key, so merges never drop
        // one): the visit is the earliest version's that names one and the buyer the newest's that names one ('' = not
        // said), which later versions that repeat neither would otherwise lose. Reads collapse with argMin/argMaxIf.
        """
        CREATE TABLE IF NOT EXISTS history_order_touches (
            tenant_id String, store_id String, order_id String, version UInt64, channel String, placed_at DateTime('UTC'),
            revenue Decimal(18,2), currency String, cancelled UInt8, touch String, email_hash String)
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(placed_at) ORDER BY (tenant_id, store_id, order_id, version)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_ad_spend (
            tenant_id String, store_id String, spend_id String, channel String, occurred_at DateTime('UTC'), spend Decimal(18,2), currency String,
            campaign_id String, campaign_name String)
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, store_id, spend_id)
        """,
        // Unknown instants are stored as 0 (1970-01-01) and read back with minIf(..., > 0): 18.16 has Nullable, but TSV's \N
        // round trip through the driver is not worth the risk for three optional columns.
        """
        CREATE TABLE IF NOT EXISTS history_shipments (
            tenant_id String, store_id String, carrier String, tracking_code String, event_id String, status String, status_detail String,
            order_id String, updated_at DateTime('UTC'), est_delivery DateTime('UTC'), shipped_at DateTime('UTC'), delivered_at DateTime('UTC'),
            public_url String)
        ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(updated_at) ORDER BY (tenant_id, store_id, carrier, tracking_code, event_id)
        """,
        """
        CREATE TABLE IF NOT EXISTS history_traffic (
            tenant_id String, store_id String, day Date, day_start DateTime('UTC'), source String, medium String, touch String,
            users Int64, active_users Int64, sessions Int64, conversions Decimal(18,4), version UInt64)
        ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(day_start) ORDER BY (tenant_id, store_id, day, source, medium)
        """,
        """
        CREATE TABLE IF NOT EXISTS minute_kpi (
            tenant_id String, store_id String, minute DateTime('UTC'), currency String, gross Decimal(18,2), refunds Decimal(18,2),
            orders Int32, units Int32, new_customer_orders Int32, returning_customer_orders Int32, cancelled_orders Int32,
            written UInt64)
        ENGINE = ReplacingMergeTree(written) PARTITION BY toYYYYMM(minute) ORDER BY (tenant_id, store_id, minute)
        """,
        // Facts and rows the store refused (see HistoryDeadLetter); one row per item, the latest refusal kept.
        """
        CREATE TABLE IF NOT EXISTS history_dead_letters (
            tenant_id String, store_id String, kind String, item_key String, reason String, payload String, refused_at DateTime('UTC'))
        ENGINE = ReplacingMergeTree(refused_at) ORDER BY (tenant_id, store_id, kind, item_key)
        """,
    ];

    /// <summary>
    /// Columns added after a table's first release, appended (so TSV rows line up) to tables made before them; old rows read
    /// the type's default ('' = not known). 18.16 has no ADD COLUMN IF NOT EXISTS, so presence is checked in system.columns.
    /// </summary>
    private static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("history_ad_spend", "campaign_id", "String"),
        ("history_ad_spend", "campaign_name", "String"),
        ("history_orders", "customer_key", "String"),
        ("history_order_touches", "campaign", "String"),
    ];

    private readonly ClickHouseClientSettings _serverSettings;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    /// <param name="connectionString">e.g. "Host=127.0.0.1;Port=8123;Database=salesdash"; the database is created if missing.</param>
    /// <param name="time">Stamps minute rows so the latest write of a minute wins.</param>
    public ClickHouseHistoryDatabase(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new ClickHouseConnectionStringBuilder { ConnectionString = connectionString };
        builder.JsonReadMode = JsonReadMode.None;
        builder.JsonWriteMode = JsonWriteMode.None;
        if (!builder.ContainsKey("Compression"))
        {
            // Answers are small aggregates; gzip costs more than it saves (measured ~27 ms per query on loopback).
            builder.Compression = false;
        }

        Database = string.IsNullOrWhiteSpace(builder.Database) ? "default" : builder.Database;
        builder.Database = Database;
        Client = new ClickHouseClient(new ClickHouseClientSettings(builder));

        // CREATE DATABASE must not name the database it creates as the session's default.
        _serverSettings = new ClickHouseClientSettings(builder) { Database = "default" };
        Time = time ?? TimeProvider.System;
        Rollups = new ClickHouseRollups(this);
    }

    /// <summary>The one HTTP client every port queries through.</summary>
    public ClickHouseClient Client { get; }

    /// <summary>The database the connection string names ("default" when it names none).</summary>
    public string Database { get; }

    public TimeProvider Time { get; }

    /// <summary>The hourly rollups' upkeep, which every write of facts and every retention delete runs.</summary>
    public ClickHouseRollups Rollups { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            using (var server = new ClickHouseClient(_serverSettings))
            {
                await server.ExecuteNonQueryAsync($"CREATE DATABASE IF NOT EXISTS `{Database.Replace("`", string.Empty, StringComparison.Ordinal)}`",
                    cancellationToken: cancellationToken);
            }

            foreach (var ddl in Tables.Concat(ClickHouseRollups.Tables))
            {
                await Client.ExecuteNonQueryAsync(ddl, cancellationToken: cancellationToken);
            }

            foreach (var (table, column, type) in AddedColumns)
            {
                if (await HasColumnAsync(table, column, cancellationToken))
                {
                    continue;
                }

                try
                {
                    await Client.ExecuteNonQueryAsync($"ALTER TABLE {table} ADD COLUMN {column} {type}", cancellationToken: cancellationToken);
                }
                catch (ClickHouseServerException)
                {
                    // Another node may have added it between the check and the ALTER; anything else is a real failure.
                    if (!await HasColumnAsync(table, column, cancellationToken))
                    {
                        throw;
                    }
                }
            }

            // A database written before the rollups (or under an older rollup version) rebuilds them from its facts once,
            // and one written before the daily product rows (or whose hourly rows were just rebuilt) fills those from the hourly.
            var rebuilt = false;
            if (!await Rollups.CurrentAsync(cancellationToken))
            {
                await Rollups.RebuildAsync(cancellationToken);
                rebuilt = true;
            }

            if (rebuilt || !await Rollups.DaysCurrentAsync(cancellationToken))
            {
                await Rollups.RebuildDaysAsync(cancellationToken);
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>Inserts TabSeparated rows; nothing when there are none.</summary>
    public async Task InsertAsync(string table, StringBuilder tsv, CancellationToken cancellationToken)
    {
        if (tsv.Length == 0)
        {
            return;
        }

        using var body = new MemoryStream(Encoding.UTF8.GetBytes(tsv.ToString()));
        using var response = await Client.InsertRawStreamAsync(table, body, "TabSeparated", cancellationToken: cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task<bool> HasColumnAsync(string table, string column, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = {Literal(table)} AND name = {Literal(column)}",
            cancellationToken)) is [[var count, ..], ..] && Long(count) > 0;

    /// <summary>The rows of a query, as TabSeparated fields.</summary>
    public async Task<IReadOnlyList<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var result = await Client.ExecuteRawResultAsync(sql + "\nFORMAT TabSeparated", cancellationToken: cancellationToken);
        return [.. Rows(await result.ReadAsStringAsync())];
    }

    public void Dispose()
    {
        Client.Dispose();
        _initGate.Dispose();
    }
}
