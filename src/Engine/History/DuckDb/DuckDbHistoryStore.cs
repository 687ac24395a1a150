using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// The embedded history store: order, line, refund and session facts in the same DuckDB file as the per-minute
/// rows (snapshots.duckdb). A write stages the batch with the appender and merges it set-wise in one transaction:
/// an order replaces the held one only when its version is newer, and its lines are replaced with it, so replaying
/// a batch changes nothing. One connection, serialised, as DuckDB connections are not thread-safe.
/// </summary>
public sealed partial class DuckDbHistoryStore : IHistoryStore, IHistoryFactExport, IChannelInsightStore, IShipmentHistory, IDisposable
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
        "CREATE TABLE IF NOT EXISTS stage_orders AS SELECT * FROM history_orders WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_touches AS SELECT * FROM history_order_touches WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_ad_spend AS SELECT * FROM history_ad_spend WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_shipments AS SELECT * FROM history_shipments WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_traffic AS SELECT * FROM history_traffic WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_order_lines AS SELECT * FROM history_order_lines WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_refunds AS SELECT * FROM history_refunds WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_refund_lines AS SELECT * FROM history_refund_lines WITH NO DATA",
        "CREATE TABLE IF NOT EXISTS stage_sessions AS SELECT * FROM history_sessions WITH NO DATA",
        // Databases made before spend kept its campaign get the columns (NULL in old rows), last in both tables so the
        // staged rows still line up with "INSERT ... SELECT s.*".
        "ALTER TABLE history_ad_spend ADD COLUMN IF NOT EXISTS campaign_id VARCHAR",
        "ALTER TABLE history_ad_spend ADD COLUMN IF NOT EXISTS campaign_name VARCHAR",
        "ALTER TABLE stage_ad_spend ADD COLUMN IF NOT EXISTS campaign_id VARCHAR",
        "ALTER TABLE stage_ad_spend ADD COLUMN IF NOT EXISTS campaign_name VARCHAR",
        // The buyer (HistoryFacts.CustomerKey), last for the same reason; orders written before it read '' (unidentified).
        "ALTER TABLE history_orders ADD COLUMN IF NOT EXISTS customer_key VARCHAR DEFAULT ''",
        "ALTER TABLE stage_orders ADD COLUMN IF NOT EXISTS customer_key VARCHAR DEFAULT ''",
        // The visit's utm_campaign (OrderTouch.Campaign), last for the same reason; touches written before it read NULL (untagged).
        "ALTER TABLE history_order_touches ADD COLUMN IF NOT EXISTS campaign VARCHAR",
        "ALTER TABLE stage_touches ADD COLUMN IF NOT EXISTS campaign VARCHAR",
        .. DuckDbRollups.Schema,
    ];

    private const string OrderKey = "t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.order_id = s.order_id";

    /// <summary>
    /// What the batch holds that is new: orders whose staged version is newer than the held one (or not held at all)
    /// win, and the rest change nothing; refunds and sessions never change once known, so only new ids count. The held
    /// rows are looked up with a semi join on the (small) batch, so a write scans each table once instead of hashing
    /// all of it. Nothing is changed yet: the rollups' delta is taken between this and <see cref="Merge"/>.
    /// </summary>
    private static readonly string[] FindNew =
    [
        $"""
        CREATE OR REPLACE TEMP TABLE stage_held AS
        SELECT t.* FROM history_orders t SEMI JOIN stage_orders s ON {OrderKey}
        """,
        $"""
        CREATE OR REPLACE TEMP TABLE stage_winners AS
        SELECT s.tenant_id, s.store_id, s.order_id FROM stage_orders s
        WHERE NOT EXISTS (SELECT 1 FROM stage_held t WHERE {OrderKey} AND t.version >= s.version)
        """,
        $"CREATE OR REPLACE TEMP TABLE stage_replaced AS SELECT t.* FROM stage_held t SEMI JOIN stage_winners s ON {OrderKey}",
        """
        CREATE OR REPLACE TEMP TABLE stage_known_refunds AS
        SELECT t.tenant_id, t.store_id, t.refund_id FROM history_refunds t
        SEMI JOIN stage_refunds s ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.refund_id = s.refund_id
        """,
        """
        CREATE OR REPLACE TEMP TABLE stage_known_sessions AS
        SELECT t.tenant_id, t.store_id, t.session_id FROM history_sessions t
        SEMI JOIN stage_sessions s ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.session_id = s.session_id
        """,
    ];

    private static readonly string[] Merge =
    [
        $"DELETE FROM history_order_lines t USING stage_winners s WHERE {OrderKey}",
        $"DELETE FROM history_orders t USING stage_winners s WHERE {OrderKey}",
        $"INSERT INTO history_orders SELECT t.* FROM stage_orders t SEMI JOIN stage_winners s ON {OrderKey}",
        $"INSERT INTO history_order_lines SELECT t.* FROM stage_order_lines t SEMI JOIN stage_winners s ON {OrderKey}",
        """
        INSERT INTO history_refund_lines SELECT s.* FROM stage_refund_lines s
        ANTI JOIN stage_known_refunds t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.refund_id = s.refund_id
        """,
        """
        INSERT INTO history_refunds SELECT s.* FROM stage_refunds s
        ANTI JOIN stage_known_refunds t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.refund_id = s.refund_id
        """,
        """
        INSERT INTO history_sessions SELECT s.* FROM stage_sessions s
        ANTI JOIN stage_known_sessions t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.session_id = s.session_id
        """,
        // Every version of an order's touch is kept once; reads collapse them (see TouchesCollapsed).
        """
        INSERT INTO history_order_touches SELECT s.* FROM stage_touches s
        ANTI JOIN history_order_touches t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.order_id = s.order_id
            AND t.version = s.version
        """,
        """
        INSERT INTO history_ad_spend SELECT s.* FROM stage_ad_spend s
        ANTI JOIN history_ad_spend t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.spend_id = s.spend_id
        """,
        """
        INSERT INTO history_shipments SELECT s.* FROM stage_shipments s
        ANTI JOIN history_shipments t ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.carrier = s.carrier
            AND t.tracking_code = s.tracking_code AND t.event_id = s.event_id
        """,
        // A day's traffic is replaced by a newer reading of the same day, source and medium; an older one changes nothing.
        """
        CREATE OR REPLACE TEMP TABLE stage_traffic_winners AS
        SELECT s.* FROM stage_traffic s
        WHERE NOT EXISTS (SELECT 1 FROM history_traffic t WHERE t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.day = s.day
            AND t.source = s.source AND t.medium = s.medium AND t.version >= s.version)
        """,
        """
        DELETE FROM history_traffic t USING stage_traffic_winners s WHERE t.tenant_id = s.tenant_id AND t.store_id = s.store_id
            AND t.day = s.day AND t.source = s.source AND t.medium = s.medium
        """,
        "INSERT INTO history_traffic SELECT * FROM stage_traffic_winners",
    ];

    private static readonly string[] ClearStage =
    [
        "DELETE FROM stage_orders",
        "DELETE FROM stage_touches",
        "DELETE FROM stage_ad_spend",
        "DELETE FROM stage_shipments",
        "DELETE FROM stage_traffic",
        "DELETE FROM stage_order_lines",
        "DELETE FROM stage_refunds",
        "DELETE FROM stage_refund_lines",
        "DELETE FROM stage_sessions",
    ];

    private readonly DuckDbConnectionGate _db;
    private readonly DuckDbMinuteSnapshotStore _minutes;

    /// <param name="connectionString">A DuckDB connection string, e.g. "Data Source=/data/snapshots.duckdb".</param>
    public DuckDbHistoryStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _db = new DuckDbConnectionGate(connectionString, Open);

        // Minute rows keep their own store and table; DuckDB shares one database per file within the process.
        _minutes = new DuckDbMinuteSnapshotStore(connectionString);
    }

    /// <summary>False answers every query from the facts alone, as before the rollups: the bench's baseline, never production.</summary>
    public bool ReadRollups { get; init; } = true;

    public Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken) =>
        _minutes.WriteAsync(rows, cancellationToken);

    public Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken) =>
        _minutes.ReadAsync(store, fromUtc, toUtc, cancellationToken);

    /// <summary>
    /// True recomputes every hour a write touches from its facts instead of applying the write's delta, as before
    /// incremental upkeep: the bench's baseline, never production.
    /// </summary>
    public bool RecomputeTouchedHours { get; init; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await RunAsync(_ => true, cancellationToken);

        // The minute store creates its table on first use; an empty read is that use, so retention finds it.
        var epoch = DateTimeOffset.UnixEpoch;
        await _minutes.ReadAsync(new StoreRef(string.Empty, string.Empty), epoch, epoch, cancellationToken);
    }

    public Task WriteFactsAsync(HistoryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return Task.CompletedTask;
        }

        return RunAsync(connection =>
        {
            using var transaction = connection.BeginTransaction();
            Stage(connection, batch, cancellationToken);

            if (RecomputeTouchedHours)
            {
                foreach (var statement in DuckDbRollups.TouchedHours.Concat(FindNew).Concat(Merge).Concat(DuckDbRollups.Recompute))
                {
                    Execute(connection, statement);
                }
            }
            else
            {
                // The rollups' delta is taken before the merge replaces held versions and applied after it, in the same
                // transaction as the facts.
                ExecuteAll(connection, FindNew);
                var replaced = Range(connection, "SELECT min(placed_at), max(placed_at) FROM stage_replaced");
                ExecuteAll(connection, DuckDbRollups.Delta(replaced));
                ExecuteAll(connection, Merge);
                if (Range(connection, DuckDbRollups.DeltaHours) is { } hours)
                {
                    ExecuteAll(connection, DuckDbRollups.Apply(hours, replaced is not null));
                }
            }

            ExecuteAll(connection, ClearStage);

            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is DuckDBException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Count == 0)
        {
            return Task.CompletedTask;
        }

        return RunAsync(connection =>
        {
            DuckDbConnectionGate.ExecuteEach(connection, "INSERT OR REPLACE INTO history_dead_letters VALUES ($tenant, $store, $kind, $key, $reason, $payload, $at)",
                letters, l =>
                [
                    new DuckDBParameter("tenant", l.TenantId),
                    new DuckDBParameter("store", l.StoreId),
                    new DuckDBParameter("kind", l.Kind),
                    new DuckDBParameter("key", l.Key),
                    new DuckDBParameter("reason", l.Reason),
                    new DuckDBParameter("payload", l.Payload),
                    new DuckDBParameter("at", l.At.UtcDateTime),
                ], cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<HistoryDeadLetter>> DeadLettersAsync(string tenantId, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return RunAsync<IReadOnlyList<HistoryDeadLetter>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT tenant_id, store_id, kind, item_key, reason, payload, refused_at FROM history_dead_letters
                WHERE tenant_id = $tenant ORDER BY refused_at DESC, store_id, kind, item_key LIMIT $limit
                """;
            command.Parameters.Add(new DuckDBParameter("tenant", tenantId));
            command.Parameters.Add(new DuckDBParameter("limit", limit));
            using var reader = command.ExecuteReader();
            var letters = new List<HistoryDeadLetter>();
            while (reader.Read())
            {
                letters.Add(new HistoryDeadLetter(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc))));
            }

            return letters;
        }, cancellationToken);
    }

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
                    FROM history_hourly_products WHERE {Where(scope, "hour")} GROUP BY sku
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

    public Task<IReadOnlyList<OrderFact>> OrdersAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        return RunAsync<IReadOnlyList<OrderFact>>(connection =>
        {
            var heads = new List<OrderFact>();
            using (var command = PageCommand(connection, $"""
                SELECT order_id, version, channel, placed_at, currency, total, units, returning_customer, cancelled, source, country,
                       coalesce(customer_key, '')
                FROM history_orders WHERE tenant_id = $tenant AND store_id = $store {After("placed_at", "order_id", after)}
                ORDER BY placed_at, order_id LIMIT {pageSize.ToString(CultureInfo.InvariantCulture)}
                """, store, after))
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    heads.Add(new OrderFact(store.TenantId, store.StoreId, Enum.Parse<SalesChannel>(r.GetString(2)), r.GetString(0), Long(r, 1),
                        Utc(r.GetDateTime(3)), r.GetString(4), Dec(r, 5), (int)Long(r, 6), r.GetBoolean(7), r.GetBoolean(8), r.GetString(9),
                        r.GetString(10), []) { CustomerKey = r.GetString(11) });
                }
            }

            if (heads.Count == 0)
            {
                return heads;
            }

            // Lines carry their order's placed_at, so the page's time span finds them without a join on the ids.
            var lines = new Dictionary<string, List<OrderLineFact>>(StringComparer.Ordinal);
            using (var command = SpanCommand(connection, """
                SELECT order_id, line_no, sku, title, quantity, unit_price, line_revenue FROM history_order_lines
                WHERE tenant_id = $tenant AND store_id = $store AND placed_at >= $first AND placed_at <= $last ORDER BY order_id, line_no
                """, store, heads[0].PlacedAt, heads[^1].PlacedAt))
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    var id = r.GetString(0);
                    (lines.TryGetValue(id, out var list) ? list : lines[id] = []).Add(
                        new OrderLineFact((int)Long(r, 1), r.GetString(2), r.GetString(3), (int)Long(r, 4), Dec(r, 5), Dec(r, 6)));
                }
            }

            return [.. heads.Select(o => o with { Lines = lines.TryGetValue(o.OrderId, out var l) ? l : [] })];
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RefundFact>> RefundsAfterAsync(StoreRef store, FactCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        return RunAsync<IReadOnlyList<RefundFact>>(connection =>
        {
            var heads = new List<RefundFact>();
            using (var command = PageCommand(connection, $"""
                SELECT refund_id, order_id, channel, occurred_at, amount, units
                FROM history_refunds WHERE tenant_id = $tenant AND store_id = $store {After("occurred_at", "refund_id", after)}
                ORDER BY occurred_at, refund_id LIMIT {pageSize.ToString(CultureInfo.InvariantCulture)}
                """, store, after))
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    heads.Add(new RefundFact(store.TenantId, store.StoreId, Enum.Parse<SalesChannel>(r.GetString(2)), r.GetString(0), r.GetString(1),
                        Utc(r.GetDateTime(3)), Dec(r, 4), (int)Long(r, 5), []));
                }
            }

            if (heads.Count == 0)
            {
                return heads;
            }

            var lines = new Dictionary<string, List<RefundLineFact>>(StringComparer.Ordinal);
            using (var command = SpanCommand(connection, """
                SELECT refund_id, line_no, sku, quantity, amount FROM history_refund_lines
                WHERE tenant_id = $tenant AND store_id = $store AND occurred_at >= $first AND occurred_at <= $last ORDER BY refund_id, line_no
                """, store, heads[0].OccurredAt, heads[^1].OccurredAt))
            using (var r = command.ExecuteReader())
            {
                while (r.Read())
                {
                    var id = r.GetString(0);
                    (lines.TryGetValue(id, out var list) ? list : lines[id] = []).Add(
                        new RefundLineFact((int)Long(r, 1), r.GetString(2), (int)Long(r, 3), Dec(r, 4)));
                }
            }

            return [.. heads.Select(f => f with { Lines = lines.TryGetValue(f.RefundId, out var l) ? l : [] })];
        }, cancellationToken);
    }

    private static string After(string timeColumn, string idColumn, FactCursor? after) =>
        after is null ? string.Empty : $"AND ({timeColumn} > $at OR ({timeColumn} = $at AND {idColumn} > $id))";

    private static DuckDBCommand PageCommand(DuckDBConnection connection, string sql, StoreRef store, FactCursor? after)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("tenant", store.TenantId));
        command.Parameters.Add(new DuckDBParameter("store", store.StoreId));
        if (after is not null)
        {
            command.Parameters.Add(new DuckDBParameter("at", after.At.UtcDateTime));
            command.Parameters.Add(new DuckDBParameter("id", after.Id));
        }

        return command;
    }

    private static DuckDBCommand SpanCommand(DuckDBConnection connection, string sql, StoreRef store, DateTimeOffset first, DateTimeOffset last)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("tenant", store.TenantId));
        command.Parameters.Add(new DuckDBParameter("store", store.StoreId));
        command.Parameters.Add(new DuckDBParameter("first", first.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("last", last.UtcDateTime));
        return command;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(range);
        var scope = HistoryScope.Tenant(tenantId);
        return RunAsync(connection =>
        {
            var orders = new List<OrderTouch>();
            Query(connection, $"""
                SELECT tenant_id, store_id, channel, order_id, version, placed_at, revenue, currency, cancelled, touch, email_hash, campaign
                FROM ({TouchesCollapsed(Where(scope, "placed_at"))})
                """, scope, range, r =>
                {
                    if (Enum.TryParse<SalesChannel>(r.GetString(2), out var channel))
                    {
                        orders.Add(new OrderTouch(r.GetString(0), r.GetString(1), channel, r.GetString(3), Long(r, 4), Utc(r, 5), Dec(r, 6),
                            r.GetString(7), r.GetBoolean(8), r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10))
                        {
                            Campaign = Text(r, 11),
                        });
                    }
                });

            // Every order, up to the range's end, of the buyers among the range's orders: their first touch and channels.
            var customerOrders = new List<CustomerOrder>();
            Query(connection, $"""
                SELECT email_hash, channel, touch, placed_at, store_id, order_id
                FROM ({TouchesCollapsed("tenant_id = $tenant AND placed_at < $to")})
                WHERE email_hash IN (SELECT email_hash FROM ({TouchesCollapsed(Where(scope, "placed_at"))}) WHERE email_hash IS NOT NULL)
                """, scope, range, r =>
                {
                    if (Enum.TryParse<SalesChannel>(r.GetString(1), out var channel))
                    {
                        customerOrders.Add(new CustomerOrder(r.GetString(0), channel, r.IsDBNull(2) ? null : r.GetString(2), Utc(r, 3), r.GetString(4), r.GetString(5)));
                    }
                });

            var spend = new List<SpendFact>();
            Query(connection, $"""
                SELECT tenant_id, store_id, channel, spend_id, occurred_at, spend, currency, campaign_id, campaign_name FROM history_ad_spend WHERE {Where(scope, "occurred_at")}
                """, scope, range, r =>
                {
                    if (Enum.TryParse<SalesChannel>(r.GetString(2), out var channel))
                    {
                        spend.Add(new SpendFact(r.GetString(0), r.GetString(1), channel, r.GetString(3), Utc(r, 4), Dec(r, 5), r.GetString(6),
                            r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
                    }
                });

            var traffic = new List<TrafficFact>();
            Query(connection, $"""
                SELECT tenant_id, store_id, day, day_start, source, medium, touch, users, active_users, sessions, conversions, version
                FROM history_traffic WHERE {Where(scope, "day_start")}
                """, scope, range, r => traffic.Add(new TrafficFact(r.GetString(0), r.GetString(1), DateOnly.FromDateTime(r.GetDateTime(2)), Utc(r, 3),
                    r.GetString(4), r.GetString(5), r.GetString(6), Long(r, 7), Long(r, 8), Long(r, 9), Dec(r, 10), Long(r, 11))));

            return new InsightData(orders, CustomerHistories.From(customerOrders), spend) { Traffic = traffic };
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ParcelState>> ParcelsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        var storeFilter = scope.StoreId is null ? string.Empty : " AND store_id = $store";
        var sql = $"""
            SELECT store_id, carrier, tracking_code, arg_max(status, updated_at), arg_max(status_detail, updated_at),
                   arg_max(order_id, updated_at) FILTER (WHERE order_id <> ''), min(updated_at), max(updated_at),
                   arg_max(est_delivery, updated_at) FILTER (WHERE est_delivery IS NOT NULL), min(shipped_at),
                   coalesce(min(delivered_at), min(updated_at) FILTER (WHERE status = 'delivered')),
                   arg_max(public_url, updated_at) FILTER (WHERE public_url <> '')
            FROM history_shipments WHERE tenant_id = $tenant{storeFilter}
            GROUP BY store_id, carrier, tracking_code
            HAVING max(updated_at) >= $from AND max(updated_at) < $to
            ORDER BY max(updated_at) DESC, tracking_code
            """;
        return RunAsync<IReadOnlyList<ParcelState>>(connection =>
        {
            var parcels = new List<ParcelState>();
            Query(connection, sql, scope, range, r => parcels.Add(new ParcelState(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Text(r, 4), Text(r, 5), Utc(r, 6), Utc(r, 7),
                r.IsDBNull(8) ? null : Utc(r, 8), r.IsDBNull(9) ? null : Utc(r, 9), r.IsDBNull(10) ? null : Utc(r, 10), Text(r, 11))));
            return parcels;
        }, cancellationToken);
    }

    public async Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        await InitializeAsync(cancellationToken);
        await RunAsync(connection =>
        {
            using var transaction = connection.BeginTransaction();
            foreach (var (table, column) in HistorySql.TimedTables)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"DELETE FROM {table} WHERE tenant_id = $tenant AND {column} < $cutoff";
                command.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                command.Parameters.Add(new DuckDBParameter("cutoff", cutoffUtc.UtcDateTime));
                command.ExecuteNonQuery();
            }

            if (!HistoryRollups.IsWholeHour(cutoffUtc))
            {
                using (var hours = connection.CreateCommand())
                {
                    hours.Transaction = transaction;
                    hours.CommandText = """
                        CREATE OR REPLACE TEMP TABLE stage_hours AS
                        SELECT DISTINCT tenant_id, store_id, date_trunc('hour', placed_at) AS hour FROM history_orders
                            WHERE tenant_id = $tenant AND date_trunc('hour', placed_at) = $hour
                        UNION SELECT tenant_id, store_id, date_trunc('hour', occurred_at) FROM history_refunds
                            WHERE tenant_id = $tenant AND date_trunc('hour', occurred_at) = $hour
                        UNION SELECT tenant_id, store_id, date_trunc('hour', started_at) FROM history_sessions
                            WHERE tenant_id = $tenant AND date_trunc('hour', started_at) = $hour
                        """;
                    hours.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                    hours.Parameters.Add(new DuckDBParameter("hour", DateTimeOffset.FromUnixTimeSeconds(HistoryRollups.HourOf(cutoffUtc)).UtcDateTime));
                    hours.ExecuteNonQuery();
                }

                foreach (var statement in DuckDbRollups.Recompute)
                {
                    Execute(connection, statement);
                }
            }

            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public void Dispose()
    {
        _db.Dispose();
        _minutes.Dispose();
    }

    private static string Where(HistoryScope scope, string timeColumn, string prefix = "") =>
        $"{prefix}tenant_id = $tenant" + (scope.StoreId is null ? string.Empty : $" AND {prefix}store_id = $store")
        + $" AND {timeColumn} >= $from AND {timeColumn} < $to";

    private static void Query(DuckDBConnection connection, string sql, HistoryScope scope, HistoryRange range, Action<DbDataReader> row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDBParameter("tenant", scope.TenantId));
        if (scope.StoreId is not null)
        {
            command.Parameters.Add(new DuckDBParameter("store", scope.StoreId));
        }

        command.Parameters.Add(new DuckDBParameter("from", range.FromUtc.UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", range.ToUtc.UtcDateTime));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            row(reader);
        }
    }

    /// <summary>
    /// One row per order from its versions: the newest version's figures, the visit of the earliest version that names
    /// one, the buyer of the newest that names one. Every version shares tenant, store and placed_at, so
    /// <paramref name="where"/> may filter on them before grouping.
    /// </summary>
    private static string TouchesCollapsed(string where) => $"""
        SELECT tenant_id, store_id, order_id, max(version) AS version, arg_max(channel, version) AS channel, arg_max(placed_at, version) AS placed_at,
               arg_max(revenue, version) AS revenue, arg_max(currency, version) AS currency, arg_max(cancelled, version) AS cancelled,
               arg_min(touch, version) FILTER (WHERE touch IS NOT NULL) AS touch,
               arg_min(coalesce(campaign, ''), version) FILTER (WHERE touch IS NOT NULL) AS campaign,
               arg_max(email_hash, version) FILTER (WHERE email_hash IS NOT NULL) AS email_hash
        FROM history_order_touches WHERE {where} GROUP BY tenant_id, store_id, order_id
        """;

    private static DateTimeOffset Utc(DbDataReader reader, int ordinal) => new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) || reader.GetString(ordinal).Length == 0 ? null : reader.GetString(ordinal);

    private static decimal Dec(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0m : reader.GetDecimal(ordinal);

    /// <summary>DuckDB sums integers as HUGEINT (a BigInteger here); counts are BIGINT.</summary>
    private static long Long(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetValue(ordinal) switch
    {
        BigInteger big => (long)big,
        var value => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private static void Stage(DuckDBConnection connection, HistoryBatch batch, CancellationToken cancellationToken)
    {
        using (var orders = connection.CreateAppender("stage_orders"))
        using (var lines = connection.CreateAppender("stage_order_lines"))
        {
            foreach (var o in batch.Orders)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var placed = o.PlacedAt.UtcDateTime;
                var channel = o.Channel.ToString();
                orders.CreateRow()
                    .AppendValue(o.TenantId).AppendValue(o.StoreId).AppendValue(o.OrderId).AppendValue(o.Version)
                    .AppendValue(channel).AppendValue(placed).AppendValue(o.Currency).AppendValue(HistoryFacts.Cents(o.Total))
                    .AppendValue(o.Units).AppendValue(o.ReturningCustomer).AppendValue(o.Cancelled).AppendValue(o.Source)
                    .AppendValue(o.Country).AppendValue(o.CustomerKey)
                    .EndRow();
                foreach (var l in o.Lines)
                {
                    lines.CreateRow()
                        .AppendValue(o.TenantId).AppendValue(o.StoreId).AppendValue(o.OrderId).AppendValue(o.Version)
                        .AppendValue(l.LineNo).AppendValue(placed).AppendValue(channel).AppendValue(l.Sku)
                        .AppendValue(l.Title).AppendValue(l.Quantity).AppendValue(Math.Round(l.UnitPrice, 4, MidpointRounding.AwayFromZero))
                        .AppendValue(HistoryFacts.Cents(l.LineRevenue))
                        .EndRow();
                }
            }
        }

        using (var refunds = connection.CreateAppender("stage_refunds"))
        using (var refundLines = connection.CreateAppender("stage_refund_lines"))
        {
            foreach (var r in batch.Refunds)
            {
                var at = r.OccurredAt.UtcDateTime;
                refunds.CreateRow()
                    .AppendValue(r.TenantId).AppendValue(r.StoreId).AppendValue(r.RefundId).AppendValue(r.OrderId)
                    .AppendValue(r.Channel.ToString()).AppendValue(at).AppendValue(HistoryFacts.Cents(r.Amount)).AppendValue(r.Units)
                    .EndRow();
                foreach (var l in r.Lines)
                {
                    refundLines.CreateRow()
                        .AppendValue(r.TenantId).AppendValue(r.StoreId).AppendValue(r.RefundId).AppendValue(l.LineNo)
                        .AppendValue(at).AppendValue(l.Sku).AppendValue(l.Quantity).AppendValue(HistoryFacts.Cents(l.Amount))
                        .EndRow();
                }
            }
        }

        using (var sessions = connection.CreateAppender("stage_sessions"))
        {
            foreach (var s in batch.Sessions)
            {
                sessions.CreateRow()
                    .AppendValue(s.TenantId).AppendValue(s.StoreId).AppendValue(s.SessionId).AppendValue(s.Channel.ToString())
                    .AppendValue(s.StartedAt.UtcDateTime).AppendValue(s.Source)
                    .EndRow();
            }
        }

        using (var touches = connection.CreateAppender("stage_touches"))
        {
            foreach (var t in batch.Touches)
            {
                touches.CreateRow()
                    .AppendValue(t.TenantId).AppendValue(t.StoreId).AppendValue(t.OrderId).AppendValue(t.Version).AppendValue(t.Channel.ToString())
                    .AppendValue(t.PlacedAt.UtcDateTime).AppendValue(HistoryFacts.Cents(t.Revenue)).AppendValue(t.Currency).AppendValue(t.Cancelled)
                    .AppendValue(t.Touch).AppendValue(t.EmailHash).AppendValue(t.Campaign)
                    .EndRow();
            }
        }

        using (var spend = connection.CreateAppender("stage_ad_spend"))
        {
            foreach (var f in batch.Spend)
            {
                spend.CreateRow()
                    .AppendValue(f.TenantId).AppendValue(f.StoreId).AppendValue(f.SpendId).AppendValue(f.Channel.ToString())
                    .AppendValue(f.OccurredAt.UtcDateTime).AppendValue(HistoryFacts.Cents(f.Spend)).AppendValue(f.Currency)
                    .AppendValue(f.CampaignId).AppendValue(f.CampaignName)
                    .EndRow();
            }
        }

        using (var shipments = connection.CreateAppender("stage_shipments"))
        {
            foreach (var p in batch.Shipments)
            {
                shipments.CreateRow()
                    .AppendValue(p.TenantId).AppendValue(p.StoreId).AppendValue(p.Carrier).AppendValue(p.TrackingCode).AppendValue(p.EventId)
                    .AppendValue(p.Status).AppendValue(p.StatusDetail).AppendValue(p.OrderId).AppendValue(p.UpdatedAt.UtcDateTime)
                    .AppendValue(p.EstimatedDelivery?.UtcDateTime).AppendValue(p.ShippedAt?.UtcDateTime).AppendValue(p.DeliveredAt?.UtcDateTime)
                    .AppendValue(p.PublicUrl)
                    .EndRow();
            }
        }

        using (var traffic = connection.CreateAppender("stage_traffic"))
        {
            foreach (var t in batch.Traffic)
            {
                traffic.CreateRow()
                    .AppendValue(t.TenantId).AppendValue(t.StoreId).AppendValue(t.Day).AppendValue(t.DayStartUtc.UtcDateTime).AppendValue(t.Source)
                    .AppendValue(t.Medium).AppendValue(t.Touch).AppendValue(t.Users).AppendValue(t.ActiveUsers).AppendValue(t.Sessions)
                    .AppendValue(t.Conversions).AppendValue(t.Version)
                    .EndRow();
            }
        }
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void ExecuteAll(DuckDBConnection connection, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            Execute(connection, statement);
        }
    }

    /// <summary>The two timestamps a min/max query answers; null when it found no row.</summary>
    private static (DateTime From, DateTime To)? Range(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(0) ? (reader.GetDateTime(0), reader.GetDateTime(1)) : null;
    }

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => _db.RunAsync(work, cancellationToken);

    private static void Open(DuckDBConnection connection)
    {
        foreach (var statement in Schema)
        {
            Execute(connection, statement);
        }

        // Staged rows left by a write that died mid-way are not facts yet; the writer retries them.
        foreach (var table in new[]
                 {
                     "stage_orders", "stage_order_lines", "stage_refunds", "stage_refund_lines", "stage_sessions", "stage_touches", "stage_ad_spend",
                     "stage_shipments", "stage_traffic",
                 })
        {
            Execute(connection, $"DELETE FROM {table}");
        }

        EnsureRollups(connection);
    }

    /// <summary>
    /// A database written before the rollups existed (or under an older rollup version) has facts but no matching
    /// rollups: they are rebuilt from the facts once, in one transaction, before the store answers anything.
    /// </summary>
    private static void EnsureRollups(DuckDBConnection connection)
    {
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT count(*) FROM history_rollup_state WHERE name = 'hourly' AND version = $version";
            check.Parameters.Add(new DuckDBParameter("version", DuckDbRollups.Version));
            if (Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
            {
                return;
            }
        }

        using var transaction = connection.BeginTransaction();
        foreach (var statement in DuckDbRollups.AllHours.Concat(DuckDbRollups.Recompute))
        {
            Execute(connection, statement);
        }

        using (var mark = connection.CreateCommand())
        {
            mark.CommandText = "INSERT OR REPLACE INTO history_rollup_state VALUES ('hourly', $version)";
            mark.Parameters.Add(new DuckDBParameter("version", DuckDbRollups.Version));
            mark.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
