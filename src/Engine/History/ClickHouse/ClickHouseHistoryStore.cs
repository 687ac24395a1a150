using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// The production history store on ClickHouse (18.16 and later) through ClickHouse.Driver over HTTP. Tables are
/// ReplacingMergeTree, partitioned by month: writes only ever insert, and every query reads with FINAL, so duplicates
/// collapse at read time — the newest version of an order and of each of its lines wins, lines an edit removed are
/// dropped by matching the order's current version, a refund or session counts once — and the answer is right before
/// and after background merges; replaying a batch changes nothing. FINAL is exact here because every version of a
/// row shares its partition and the filtered columns (tenant, store, and the time an order was placed or a refund or
/// session happened, which do not change between versions).
/// </summary>
/// <remarks>
/// The driver is told <c>JsonReadMode=None;JsonWriteMode=None</c> whatever the connection string says: otherwise
/// it sends output_format_binary_write_json_as_string / input_format_binary_read_json_as_string with every query,
/// and servers older than 24.10 reject those settings. See deploy/clickhouse/README.md.
/// </remarks>
public sealed partial class ClickHouseHistoryStore : IHistoryStore, IHistoryFactExport, IChannelInsightStore, IShipmentHistory, IDisposable
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

    /// <summary>How long retention waits for ClickHouse's asynchronous DELETE mutations to finish.</summary>
    private static readonly TimeSpan MutationTimeout = TimeSpan.FromMinutes(2);

    private readonly ClickHouseClient _client;
    private readonly ClickHouseClientSettings _serverSettings;
    private readonly string _database;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    /// <param name="connectionString">e.g. "Host=127.0.0.1;Port=8123;Database=salesdash"; the database is created if missing.</param>
    /// <param name="time">Stamps minute rows so the latest write of a minute wins.</param>
    public ClickHouseHistoryStore(string connectionString, TimeProvider? time = null)
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

        _database = string.IsNullOrWhiteSpace(builder.Database) ? "default" : builder.Database;
        builder.Database = _database;
        _client = new ClickHouseClient(new ClickHouseClientSettings(builder));

        // CREATE DATABASE must not name the database it creates as the session's default.
        _serverSettings = new ClickHouseClientSettings(builder) { Database = "default" };
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Parses an http(s) URL such as the test service prints ("http://127.0.0.1:8123") into a connection string.</summary>
    public static string ConnectionStringFor(Uri url, string database)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return $"Host={url.Host};Port={url.Port};Protocol={url.Scheme};Database={database}";
    }

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
                await server.ExecuteNonQueryAsync($"CREATE DATABASE IF NOT EXISTS `{_database.Replace("`", string.Empty, StringComparison.Ordinal)}`",
                    cancellationToken: cancellationToken);
            }

            foreach (var ddl in Tables.Concat(RollupTables))
            {
                await _client.ExecuteNonQueryAsync(ddl, cancellationToken: cancellationToken);
            }

            foreach (var (table, column, type) in AddedColumns)
            {
                if (await HasColumnAsync(table, column, cancellationToken))
                {
                    continue;
                }

                try
                {
                    await _client.ExecuteNonQueryAsync($"ALTER TABLE {table} ADD COLUMN {column} {type}", cancellationToken: cancellationToken);
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

            // A database written before the rollups (or under an older rollup version) rebuilds them from its facts once.
            if (!await RollupsCurrentAsync(cancellationToken))
            {
                await RebuildRollupsAsync(cancellationToken);
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public async Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        var written = _time.GetUtcNow().UtcTicks;
        var tsv = new StringBuilder();
        foreach (var row in rows)
        {
            tsv.Field(row.TenantId).Field(row.StoreId).Field(row.Minute).Field(row.Currency).Field(HistoryFacts.Cents(row.GrossRevenue))
                .Field(HistoryFacts.Cents(row.Refunds)).Field(row.Orders).Field(row.Units).Field(row.NewCustomerOrders)
                .Field(row.ReturningCustomerOrders).Field(row.CancelledOrders).Field(written).EndRow();
        }

        await InsertAsync("minute_kpi", tsv, cancellationToken);
    }

    public async Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await InitializeAsync(cancellationToken);
        var sql = $"""
            SELECT toUInt32(minute), argMax(currency, written), argMax(gross, written), argMax(refunds, written), argMax(orders, written),
                   argMax(units, written), argMax(new_customer_orders, written), argMax(returning_customer_orders, written),
                   argMax(cancelled_orders, written)
            FROM minute_kpi
            WHERE tenant_id = {Literal(store.TenantId)} AND store_id = {Literal(store.StoreId)}
              AND minute >= {Instant(fromUtc)} AND minute < {Instant(toUtc)}
            GROUP BY minute ORDER BY minute
            """;
        return [.. (await QueryAsync(sql, cancellationToken)).Select(f => new MinuteKpiRow(
            store.TenantId, store.StoreId, DateTimeOffset.FromUnixTimeSeconds(Long(f[0])), f[1], Decimal(f[2]), Decimal(f[3]),
            (int)Long(f[4]), (int)Long(f[5]), (int)Long(f[6]), (int)Long(f[7]), (int)Long(f[8])))];
    }

    public async Task WriteFactsAsync(HistoryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        var orders = new StringBuilder();
        var lines = new StringBuilder();
        foreach (var o in batch.Orders)
        {
            var channel = o.Channel.ToString();
            orders.Field(o.TenantId).Field(o.StoreId).Field(o.OrderId).Field(o.Version).Field(channel).Field(o.PlacedAt).Field(o.Currency)
                .Field(HistoryFacts.Cents(o.Total)).Field(o.Units).Field(o.ReturningCustomer).Field(o.Cancelled).Field(o.Source).Field(o.Country)
                .Field(o.CustomerKey).EndRow();
            foreach (var l in o.Lines)
            {
                lines.Field(o.TenantId).Field(o.StoreId).Field(o.OrderId).Field(o.Version).Field(l.LineNo).Field(o.PlacedAt).Field(channel)
                    .Field(l.Sku).Field(l.Title).Field(l.Quantity).Field(Math.Round(l.UnitPrice, 4, MidpointRounding.AwayFromZero))
                    .Field(HistoryFacts.Cents(l.LineRevenue)).EndRow();
            }
        }

        var refunds = new StringBuilder();
        var refundLines = new StringBuilder();
        foreach (var r in batch.Refunds)
        {
            refunds.Field(r.TenantId).Field(r.StoreId).Field(r.RefundId).Field(r.OrderId).Field(r.Channel.ToString()).Field(r.OccurredAt)
                .Field(HistoryFacts.Cents(r.Amount)).Field(r.Units).EndRow();
            foreach (var l in r.Lines)
            {
                refundLines.Field(r.TenantId).Field(r.StoreId).Field(r.RefundId).Field(l.LineNo).Field(r.OccurredAt).Field(l.Sku)
                    .Field(l.Quantity).Field(HistoryFacts.Cents(l.Amount)).EndRow();
            }
        }

        var sessions = new StringBuilder();
        foreach (var s in batch.Sessions)
        {
            sessions.Field(s.TenantId).Field(s.StoreId).Field(s.SessionId).Field(s.Channel.ToString()).Field(s.StartedAt).Field(s.Source).EndRow();
        }

        var touches = new StringBuilder();
        foreach (var t in batch.Touches)
        {
            touches.Field(t.TenantId).Field(t.StoreId).Field(t.OrderId).Field(t.Version).Field(t.Channel.ToString()).Field(t.PlacedAt)
                .Field(HistoryFacts.Cents(t.Revenue)).Field(t.Currency).Field(t.Cancelled).Field(t.Touch ?? string.Empty).Field(t.EmailHash ?? string.Empty)
                .Field(t.Campaign ?? string.Empty).EndRow();
        }

        var spend = new StringBuilder();
        foreach (var f in batch.Spend)
        {
            spend.Field(f.TenantId).Field(f.StoreId).Field(f.SpendId).Field(f.Channel.ToString()).Field(f.OccurredAt).Field(HistoryFacts.Cents(f.Spend))
                .Field(f.Currency).Field(f.CampaignId ?? string.Empty).Field(f.CampaignName ?? string.Empty).EndRow();
        }

        var shipments = new StringBuilder();
        foreach (var p in batch.Shipments)
        {
            shipments.Field(p.TenantId).Field(p.StoreId).Field(p.Carrier).Field(p.TrackingCode).Field(p.EventId).Field(p.Status).Field(p.StatusDetail)
                .Field(p.OrderId).Field(p.UpdatedAt).Field(p.EstimatedDelivery ?? DateTimeOffset.UnixEpoch).Field(p.ShippedAt ?? DateTimeOffset.UnixEpoch)
                .Field(p.DeliveredAt ?? DateTimeOffset.UnixEpoch).Field(p.PublicUrl).EndRow();
        }

        var traffic = new StringBuilder();
        foreach (var t in batch.Traffic)
        {
            traffic.Field(t.TenantId).Field(t.StoreId).Field(t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Field(t.DayStartUtc).Field(t.Source)
                .Field(t.Medium).Field(t.Touch).Field(t.Users).Field(t.ActiveUsers).Field(t.Sessions).Field(t.Conversions).Field(t.Version).EndRow();
        }

        await InsertAsync("history_order_touches", touches, cancellationToken);
        await InsertAsync("history_ad_spend", spend, cancellationToken);
        await InsertAsync("history_shipments", shipments, cancellationToken);
        await InsertAsync("history_traffic", traffic, cancellationToken);

        // Lines before their orders: a reader that sees an order's new version also finds its lines.
        await InsertAsync("history_order_lines", lines, cancellationToken);
        await InsertAsync("history_orders", orders, cancellationToken);
        await InsertAsync("history_refund_lines", refundLines, cancellationToken);
        await InsertAsync("history_refunds", refunds, cancellationToken);
        await InsertAsync("history_sessions", sessions, cancellationToken);

        // After the facts, so the recomputation sees them; a failure here fails the write and the writer retries the batch.
        await RecomputeHoursAsync(HoursOf(batch), cancellationToken);
    }

    public async Task<IReadOnlyList<HistorySlot>> SlotsAsync(HistoryScope scope, HistoryRange range, TimeSpan slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        await InitializeAsync(cancellationToken);
        var seconds = HistorySql.SlotSeconds(slot);
        if (ReadRollups && HistoryRollups.Covers(range, seconds))
        {
            return await RolledSlotsAsync(scope, range, seconds, cancellationToken);
        }

        var from = range.FromUtc.ToUnixTimeSeconds();
        string SlotOf(string column) => $"intDiv(toInt64(toUInt32({column})) - {from}, {seconds})";

        var slots = new SortedDictionary<long, HistorySlotBuilder>();
        HistorySlotBuilder At(long index) => slots.TryGetValue(index, out var b) ? b : slots[index] = new HistorySlotBuilder();

        foreach (var f in await QueryAsync($"""
            SELECT {SlotOf("placed_at")} AS slot, sum(total), count(), sum(units), sum(1 - returning_customer), sum(returning_customer), sum(cancelled)
            FROM history_orders FINAL WHERE {Where(scope, "placed_at", range)} GROUP BY slot
            """, cancellationToken))
        {
            At(Long(f[0])).AddOrders(Decimal(f[1]), Long(f[2]), Long(f[3]), Long(f[4]), Long(f[5]), Long(f[6]));
        }

        foreach (var f in await QueryAsync($"""
            SELECT {SlotOf("occurred_at")} AS slot, sum(amount), count(), sum(units)
            FROM history_refunds FINAL WHERE {Where(scope, "occurred_at", range)} GROUP BY slot
            """, cancellationToken))
        {
            At(Long(f[0])).AddRefunds(Decimal(f[1]), Long(f[2]), Long(f[3]));
        }

        foreach (var f in await QueryAsync($"""
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
        await InitializeAsync(cancellationToken);
        if (ReadRollups && HistoryRollups.Covers(range) && by is BreakdownDimension.Product or BreakdownDimension.Channel or BreakdownDimension.Store)
        {
            return await RolledBreakdownAsync(scope, range, by, cancellationToken);
        }

        var groups = new Dictionary<string, BreakdownBuilder>(StringComparer.Ordinal);
        BreakdownBuilder At(string key) => groups.TryGetValue(key, out var b) ? b : groups[key] = new BreakdownBuilder(key);

        if (by == BreakdownDimension.Product)
        {
            foreach (var f in await QueryAsync($"""
                SELECT sku, min(title), sum(line_revenue), uniqExact(store_id, order_id), sum(quantity)
                FROM history_order_lines FINAL
                WHERE {Where(scope, "placed_at", range)} AND (store_id, order_id, version) IN (
                    SELECT store_id, order_id, version FROM history_orders FINAL WHERE {Where(scope, "placed_at", range)})
                GROUP BY sku
                """, cancellationToken))
            {
                At(f[0]).AddSales(f[1], Decimal(f[2]), Long(f[3]), Long(f[4]));
            }

            foreach (var f in await QueryAsync($"""
                SELECT sku, sum(amount), sum(quantity)
                FROM history_refund_lines FINAL WHERE {Where(scope, "occurred_at", range)} GROUP BY sku
                """, cancellationToken))
            {
                At(f[0]).AddRefunds(Decimal(f[1]), Long(f[2]));
            }

            return [.. groups.Values.Select(g => g.Build())];
        }

        var key = HistorySql.Column(by);

        foreach (var f in await QueryAsync($"""
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
        foreach (var f in await QueryAsync(refundsSql, cancellationToken))
        {
            At(f[0]).AddRefunds(Decimal(f[1]), Long(f[2]));
        }

        if (by is not BreakdownDimension.Country)
        {
            foreach (var f in await QueryAsync($"""
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
        await InitializeAsync(cancellationToken);
        var rows = await QueryAsync($"""
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

    public async Task<IReadOnlyList<OrderFact>> OrdersAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        await InitializeAsync(cancellationToken);
        var scope = Where(HistoryScope.Store(store.TenantId, store.StoreId));

        // Rows of older versions may not be merged away yet: argMax by version picks each order's newest.
        var heads = await QueryAsync($"""
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
        var lines = (await QueryAsync($"""
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
        await InitializeAsync(cancellationToken);
        var scope = Where(HistoryScope.Store(store.TenantId, store.StoreId));
        var heads = await QueryAsync($"""
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
        var lines = (await QueryAsync($"""
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

    public async Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(range);
        await InitializeAsync(cancellationToken);
        var tenant = $"tenant_id = {Literal(tenantId)}";
        var rangeFilter = $"placed_at >= {Instant(range.FromUtc)} AND placed_at < {Instant(range.ToUtc)}";

        // One row per order at its newest version; every version of an order shares tenant, store and placed_at, so
        // filtering on them before grouping is exact.
        string Collapsed(string where) => $"""
            SELECT store_id AS t_store, order_id AS t_order, argMax(channel, version) AS t_channel, argMax(placed_at, version) AS t_placed,
                   max(version) AS t_version, argMax(revenue, version) AS t_revenue, argMax(currency, version) AS t_currency,
                   argMax(cancelled, version) AS t_cancelled, argMinIf(touch, version, touch != '') AS t_touch,
                   argMaxIf(email_hash, version, email_hash != '') AS t_email, argMinIf(campaign, version, touch != '') AS t_campaign
            FROM history_order_touches WHERE {where} GROUP BY store_id, order_id
            """;

        var orders = new List<OrderTouch>();
        foreach (var f in await QueryAsync($"""
            SELECT t_store, t_channel, t_order, t_version, toInt64(toUInt32(t_placed)), t_revenue, t_currency, t_cancelled, t_touch, t_email, t_campaign
            FROM ({Collapsed($"{tenant} AND {rangeFilter}")})
            """, cancellationToken))
        {
            if (Enum.TryParse<SalesChannel>(f[1], out var channel))
            {
                orders.Add(new OrderTouch(tenantId, f[0], channel, f[2], Long(f[3]), DateTimeOffset.FromUnixTimeSeconds(Long(f[4])), Decimal(f[5]), f[6],
                    Long(f[7]) != 0, Empty(f[8]), Empty(f[9]))
                {
                    Campaign = Empty(f[10]),
                });
            }
        }

        var customerOrders = new List<CustomerOrder>();
        foreach (var f in await QueryAsync($"""
            SELECT t_email, t_channel, t_touch, toInt64(toUInt32(t_placed)), t_store, t_order
            FROM ({Collapsed($"{tenant} AND placed_at < {Instant(range.ToUtc)}")})
            WHERE t_email != '' AND t_email IN (SELECT t_email FROM ({Collapsed($"{tenant} AND {rangeFilter}")}) WHERE t_email != '')
            """, cancellationToken))
        {
            if (Enum.TryParse<SalesChannel>(f[1], out var channel))
            {
                customerOrders.Add(new CustomerOrder(f[0], channel, Empty(f[2]), DateTimeOffset.FromUnixTimeSeconds(Long(f[3])), f[4], f[5]));
            }
        }

        var spend = new List<SpendFact>();
        foreach (var f in await QueryAsync($"""
            SELECT store_id, channel, spend_id, toInt64(toUInt32(occurred_at)), spend, currency, campaign_id, campaign_name FROM history_ad_spend FINAL
            WHERE {tenant} AND occurred_at >= {Instant(range.FromUtc)} AND occurred_at < {Instant(range.ToUtc)}
            """, cancellationToken))
        {
            if (Enum.TryParse<SalesChannel>(f[1], out var channel))
            {
                spend.Add(new SpendFact(tenantId, f[0], channel, f[2], DateTimeOffset.FromUnixTimeSeconds(Long(f[3])), Decimal(f[4]), f[5], Empty(f[6]), Empty(f[7])));
            }
        }

        var traffic = (await QueryAsync($"""
            SELECT store_id, toString(day), toInt64(toUInt32(argMax(day_start, version))), source, medium, argMax(touch, version),
                   argMax(users, version), argMax(active_users, version), argMax(sessions, version), argMax(conversions, version), max(version)
            FROM history_traffic
            WHERE {tenant} AND day_start >= {Instant(range.FromUtc)} AND day_start < {Instant(range.ToUtc)}
            GROUP BY store_id, day, source, medium
            """, cancellationToken))
            .Select(f => new TrafficFact(tenantId, f[0], DateOnly.ParseExact(f[1], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateTimeOffset.FromUnixTimeSeconds(Long(f[2])), f[3], f[4], f[5], Long(f[6]), Long(f[7]), Long(f[8]), Decimal(f[9]), Long(f[10])))
            .ToList();

        return new InsightData(orders, CustomerHistories.From(customerOrders), spend) { Traffic = traffic };
    }

    public async Task<IReadOnlyList<ParcelState>> ParcelsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        await InitializeAsync(cancellationToken);
        var rows = await QueryAsync($"""
            SELECT store_id, carrier, tracking_code, argMax(status, updated_at), argMax(status_detail, updated_at),
                   argMaxIf(order_id, updated_at, order_id != ''), toInt64(toUInt32(min(updated_at))), toInt64(toUInt32(max(updated_at))) AS last,
                   toInt64(toUInt32(argMaxIf(est_delivery, updated_at, est_delivery > toDateTime(0)))),
                   toInt64(toUInt32(minIf(shipped_at, shipped_at > toDateTime(0)))),
                   toInt64(toUInt32(minIf(delivered_at, delivered_at > toDateTime(0)))),
                   toInt64(toUInt32(minIf(updated_at, status = 'delivered'))),
                   argMaxIf(public_url, updated_at, public_url != '')
            FROM history_shipments WHERE {Where(scope)}
            GROUP BY store_id, carrier, tracking_code
            HAVING max(updated_at) >= {Instant(range.FromUtc)} AND max(updated_at) < {Instant(range.ToUtc)}
            ORDER BY last DESC, tracking_code
            """, cancellationToken);
        static DateTimeOffset? At(string field) => Long(field) is > 0 and var seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        return [.. rows.Select(f => new ParcelState(f[0], f[1], f[2], f[3], Empty(f[4]), Empty(f[5]), DateTimeOffset.FromUnixTimeSeconds(Long(f[6])),
            DateTimeOffset.FromUnixTimeSeconds(Long(f[7])), At(f[8]), At(f[9]), At(f[10]) ?? At(f[11]), Empty(f[12])))];
    }

    public async Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        await InitializeAsync(cancellationToken);
        foreach (var (table, column) in HistorySql.TimedTables)
        {
            await _client.ExecuteNonQueryAsync(
                $"ALTER TABLE {table} DELETE WHERE tenant_id = {Literal(tenantId)} AND {column} < {Instant(cutoffUtc)}",
                cancellationToken: cancellationToken);
        }

        // Mutations run in the background; retention is done when they are, so callers can rely on it.
        var deadline = _time.GetUtcNow() + MutationTimeout;
        while (true)
        {
            var pending = await QueryAsync(
                $"SELECT count() FROM system.mutations WHERE database = {Literal(_database)} AND is_done = 0", cancellationToken);
            if (Long(pending[0][0]) == 0)
            {
                break;
            }

            if (_time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"ClickHouse retention mutations in '{_database}' were still running after {MutationTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
        }

        // The rollup hour holding the cutoff went with the older rows; what is left of it is recomputed.
        if (!HistoryRollups.IsWholeHour(cutoffUtc))
        {
            var hour = HistoryRollups.HourOf(cutoffUtc);
            var within = $"tenant_id = {Literal(tenantId)} AND {{0}} >= toDateTime({hour}) AND {{0}} < toDateTime({hour + HistoryRollups.HourSeconds})";
            var stores = await QueryAsync($"""
                SELECT DISTINCT store_id FROM (
                    SELECT store_id FROM history_orders WHERE {string.Format(CultureInfo.InvariantCulture, within, "placed_at")}
                    UNION ALL SELECT store_id FROM history_refunds WHERE {string.Format(CultureInfo.InvariantCulture, within, "occurred_at")}
                    UNION ALL SELECT store_id FROM history_sessions WHERE {string.Format(CultureInfo.InvariantCulture, within, "started_at")})
                """, cancellationToken);
            await RecomputeHoursAsync(stores.Select(f => (tenantId, f[0], hour)), cancellationToken);
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await QueryAsync("SELECT 1", cancellationToken) is [["1", ..], ..];
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException or ClickHouseServerException
                                   || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public async Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Count == 0)
        {
            return;
        }

        await InitializeAsync(cancellationToken);
        var tsv = new StringBuilder();
        foreach (var l in letters)
        {
            tsv.Field(l.TenantId).Field(l.StoreId).Field(l.Kind).Field(l.Key).Field(l.Reason).Field(l.Payload).Field(l.At).EndRow();
        }

        await InsertAsync("history_dead_letters", tsv, cancellationToken);
    }

    public async Task<IReadOnlyList<HistoryDeadLetter>> DeadLettersAsync(string tenantId, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await InitializeAsync(cancellationToken);

        // FINAL collapses a letter written twice (a retried cycle); the table is small and read only by Admins.
        var rows = await QueryAsync($"""
            SELECT tenant_id, store_id, kind, item_key, reason, payload, toUInt32(refused_at)
            FROM history_dead_letters FINAL
            WHERE tenant_id = {Literal(tenantId)}
            ORDER BY refused_at DESC, store_id, kind, item_key
            LIMIT {limit.ToString(CultureInfo.InvariantCulture)}
            """, cancellationToken);
        return [.. rows.Select(f => new HistoryDeadLetter(f[0], f[1], f[2], f[3], f[4], f[5], DateTimeOffset.FromUnixTimeSeconds(Long(f[6]))))];
    }

    public void Dispose()
    {
        _client.Dispose();
        _initGate.Dispose();
    }

    private static string? Empty(string field) => field.Length == 0 ? null : field;

    private static string Where(HistoryScope scope) =>
        $"tenant_id = {Literal(scope.TenantId)}" + (scope.StoreId is null ? string.Empty : $" AND store_id = {Literal(scope.StoreId)}");

    private static string Where(HistoryScope scope, string timeColumn, HistoryRange range) =>
        $"{Where(scope)} AND {timeColumn} >= {Instant(range.FromUtc)} AND {timeColumn} < {Instant(range.ToUtc)}";

    private async Task InsertAsync(string table, StringBuilder tsv, CancellationToken cancellationToken)
    {
        if (tsv.Length == 0)
        {
            return;
        }

        using var body = new MemoryStream(Encoding.UTF8.GetBytes(tsv.ToString()));
        using var response = await _client.InsertRawStreamAsync(table, body, "TabSeparated", cancellationToken: cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task<bool> HasColumnAsync(string table, string column, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = {Literal(table)} AND name = {Literal(column)}",
            cancellationToken)) is [[var count, ..], ..] && Long(count) > 0;

    private async Task<IReadOnlyList<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var result = await _client.ExecuteRawResultAsync(sql + "\nFORMAT TabSeparated", cancellationToken: cancellationToken);
        return [.. Rows(await result.ReadAsStringAsync())];
    }
}
