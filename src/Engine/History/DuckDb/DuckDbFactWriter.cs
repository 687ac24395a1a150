using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// Writes the facts: a batch is staged with the appender and merged set-wise in one transaction, in which the
/// rollups take the batch's delta; an order replaces the held one only when its version is newer, and its lines are
/// replaced with it, so replaying a batch changes nothing. Also keeps the dead letters.
/// </summary>
internal sealed class DuckDbFactWriter(DuckDbConnectionGate db)
{

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


    /// <summary>
    /// True recomputes every hour a write touches from its facts instead of applying the write's delta, as before
    /// incremental upkeep: the bench's baseline, never production.
    /// </summary>
    public bool RecomputeTouchedHours { get; set; }

    private long _statements;

    /// <summary>SQL statements this writer has run (appends not counted): what a write costs beyond its rows.</summary>
    public long Statements => Interlocked.Read(ref _statements);

    /// <summary>
    /// Removes the versions the winners replace, and their lines, before the winners go in. Only replaced versions are
    /// looked for (a new order has nothing held: its lines are written only with it), and only among the rows placed
    /// within the replaced versions' instants (<paramref name="replaced"/>, null when none is): lines carry their order's
    /// placed_at, so a literal range prunes by DuckDB's zone maps and the delete reads the row groups of those instants,
    /// not the table.
    /// </summary>
    private IEnumerable<string> DeleteReplaced((DateTime From, DateTime To)? replaced)
    {
        if (replaced is not { } range)
        {
            return [];
        }

        var within = $"t.placed_at BETWEEN {DuckDbRollups.Literal(range.From)} AND {DuckDbRollups.Literal(range.To)}";
        return
        [
            $"DELETE FROM history_order_lines t USING stage_replaced s WHERE {OrderKey} AND t.version = s.version AND {within}",
            $"DELETE FROM history_orders t USING stage_replaced s WHERE {OrderKey} AND t.version = s.version AND {within}",
        ];
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
            var kinds = Stage(connection, batch, cancellationToken);
            if (RecomputeTouchedHours)
            {
                Run(connection, DuckDbRollups.TouchedHours.Concat(FindNew));
                Run(connection, DeleteReplaced(RangeOf(connection, "SELECT min(placed_at), max(placed_at) FROM stage_replaced")));
                Run(connection, Merge.Concat(DuckDbRollups.Recompute));
                Run(connection, ClearStage);
            }
            else
            {
                WriteStaged(connection, batch, kinds);
            }

            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// The objects <see cref="WriteStaged"/> reads besides the staging tables, made once per connection: the held
    /// versions of the staged orders (each beside the staged version it meets), and two views over them. An order
    /// appears once in a batch (the batch keeps its newest version), and once in history_orders.
    /// </summary>
    internal static readonly string[] Staging =
    [
        "CREATE TEMP TABLE staged_held AS SELECT *, version AS staged_version FROM history_orders WITH NO DATA",
        // Staged orders whose version is newer than the held one, or not held at all: what the write changes.
        $"CREATE TEMP VIEW staged_winners AS SELECT s.* FROM stage_orders s ANTI JOIN staged_held t ON {OrderKey} AND t.version >= s.version",
        // Held versions a staged order replaces, with their lines still in history_order_lines until the write deletes them.
        "CREATE TEMP VIEW staged_replaced AS SELECT * EXCLUDE (staged_version) FROM staged_held WHERE version < staged_version",
    ];

    /// <summary>What a batch staged, so a write runs only the statements of the kinds it holds.</summary>
    internal readonly record struct StagedKinds(
        bool Orders, bool OrderLines, bool Refunds, bool RefundLines, bool Sessions, bool Touches, bool Spend, bool Shipments, bool Traffic)
    {
        public bool Rollups => Orders || Refunds || Sessions;
    }

    /// <summary>
    /// The write in a handful of statements, whatever the batch's size and however many hours, days, channels and SKUs
    /// it spans: one lookup of the held versions, one upsert (MERGE) per rollup table with the write's delta computed
    /// inside it, one insert per fact table the batch holds, then the staging cleared. A batch that replaces versions
    /// adds the lookup of the lines they take away, their deletion and the titles read again. Every statement sees
    /// the facts as they were before the write.
    /// </summary>
    private void WriteStaged(DuckDBConnection connection, HistoryBatch batch, StagedKinds kinds)
    {
        (DateTime From, DateTime To)? replaced = null;
        if (kinds.Orders)
        {
            Run(connection, [HeldLookup(batch)]);
            replaced = RangeOf(connection, "SELECT min(placed_at), max(placed_at) FROM staged_replaced");
        }

        // Refunds and sessions never change once known: only ids not held yet count. Looked up once, before any insert.
        if (kinds.Refunds)
        {
            Run(connection, [FindNew[3]]);
        }

        if (kinds.Sessions)
        {
            Run(connection, [FindNew[4]]);
        }

        if (kinds.Rollups)
        {
            Run(connection, DuckDbRollups.Upsert(kinds, replaced, DeltaHours(batch, replaced)));
        }

        if (replaced is { } range)
        {
            var within = $"t.placed_at BETWEEN {DuckDbRollups.Literal(range.From)} AND {DuckDbRollups.Literal(range.To)}";
            Run(connection,
            [
                $"DELETE FROM history_order_lines t USING staged_replaced s WHERE {OrderKey} AND t.version = s.version AND {within}",
                $"DELETE FROM history_orders t USING staged_replaced s WHERE {OrderKey} AND t.version = s.version AND {within}",
            ]);
        }

        Run(connection, FactInserts(batch, kinds));
        if (replaced is not null)
        {
            Run(connection, DuckDbRollups.Titles(DeltaHours(batch, replaced)));
        }

        Run(connection, Clear(kinds));
    }

    /// <summary>
    /// Up to this many orders a write finds their held versions through the ART index on history_orders.order_id; a
    /// larger batch joins the order keys of the whole table once. DuckDB takes the index only for a literal IN list on
    /// that one column and leaves it for a scan once the list grows to a few hundred ids (measured at 4M orders: 100
    /// ids by the index, 500 by a scan); 64 covers a quiet store's writes, whose lookups were most of their cost.
    /// </summary>
    internal const int IndexedLookupMaxOrders = 64;

    /// <summary>
    /// Fills staged_held with the held versions of the staged orders. An order's newer version may move to another
    /// instant, so the lookup cannot be bounded by time: a small batch looks its ids up in the index (any store's order
    /// with the same id comes too, and the join with the staging drops it), a large one pays one scan of the keys.
    /// </summary>
    private static string HeldLookup(HistoryBatch batch)
    {
        var ids = batch.Orders.Select(o => o.OrderId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > IndexedLookupMaxOrders)
        {
            return $"INSERT INTO staged_held SELECT t.*, s.version FROM history_orders t JOIN stage_orders s ON {OrderKey}";
        }

        // MATERIALIZED keeps the join's filters out of the scan: with any filter besides the IN list DuckDB scans instead.
        var list = string.Join(", ", ids.Select(id => "'" + id.Replace("'", "''", StringComparison.Ordinal) + "'"));
        return $"""
            INSERT INTO staged_held
            WITH held AS MATERIALIZED (SELECT * FROM history_orders WHERE order_id IN ({list}))
            SELECT t.*, s.version FROM held t JOIN stage_orders s ON {OrderKey}
            """;
    }

    /// <summary>
    /// Bounds every hour the write's delta can touch: its orders', refunds' and sessions' instants and the replaced
    /// versions'. A superset is harmless (it only prunes less); the bounds are literals, so DuckDB prunes the rollups'
    /// row groups by them.
    /// </summary>
    private static (DateTime From, DateTime To) DeltaHours(HistoryBatch batch, (DateTime From, DateTime To)? replaced)
    {
        var from = DateTime.MaxValue;
        var to = DateTime.MinValue;
        void Cover(DateTime at)
        {
            from = at < from ? at : from;
            to = at > to ? at : to;
        }

        foreach (var o in batch.Orders)
        {
            Cover(o.PlacedAt.UtcDateTime);
        }

        foreach (var r in batch.Refunds)
        {
            Cover(r.OccurredAt.UtcDateTime);
        }

        foreach (var s in batch.Sessions)
        {
            Cover(s.StartedAt.UtcDateTime);
        }

        if (replaced is { } range)
        {
            Cover(range.From);
            Cover(range.To);
        }

        return (new DateTime(from.Ticks - (from.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc), to.AddHours(1));
    }

    private static IEnumerable<string> FactInserts(HistoryBatch batch, StagedKinds kinds)
    {
        if (kinds.Orders)
        {
            yield return "INSERT INTO history_orders SELECT * FROM staged_winners";
        }

        if (kinds.OrderLines)
        {
            yield return $"INSERT INTO history_order_lines SELECT t.* FROM stage_order_lines t SEMI JOIN staged_winners s ON {OrderKey}";
        }

        if (kinds.RefundLines)
        {
            yield return Merge[2];
        }

        if (kinds.Refunds)
        {
            yield return Merge[3];
        }

        if (kinds.Sessions)
        {
            yield return Merge[4];
        }

        if (kinds.Touches)
        {
            // A touch is one version of an order, and an order's version has one placed_at: a touch already held lies
            // within the staged touches' instants (a second either side covers DuckDB's microseconds), so only those row
            // groups are read instead of every touch ever written.
            var from = batch.Touches.Min(t => t.PlacedAt.UtcDateTime).AddSeconds(-1);
            var to = batch.Touches.Max(t => t.PlacedAt.UtcDateTime).AddSeconds(1);
            yield return $"""
                INSERT INTO history_order_touches SELECT s.* FROM stage_touches s
                ANTI JOIN (SELECT tenant_id, store_id, order_id, version FROM history_order_touches
                           WHERE placed_at BETWEEN {DuckDbRollups.Literal(from)} AND {DuckDbRollups.Literal(to)}) t
                    ON t.tenant_id = s.tenant_id AND t.store_id = s.store_id AND t.order_id = s.order_id AND t.version = s.version
                """;
        }

        if (kinds.Spend)
        {
            yield return Merge[6];
        }

        if (kinds.Shipments)
        {
            yield return Merge[7];
        }

        if (kinds.Traffic)
        {
            yield return Merge[8];
            yield return Merge[9];
            yield return Merge[10];
        }
    }

    private static IEnumerable<string> Clear(StagedKinds kinds)
    {
        (bool Staged, string Table)[] tables =
        [
            (kinds.Orders, "stage_orders"), (kinds.Orders, "staged_held"), (kinds.OrderLines, "stage_order_lines"), (kinds.Refunds, "stage_refunds"),
            (kinds.RefundLines, "stage_refund_lines"), (kinds.Sessions, "stage_sessions"), (kinds.Touches, "stage_touches"),
            (kinds.Spend, "stage_ad_spend"), (kinds.Shipments, "stage_shipments"), (kinds.Traffic, "stage_traffic"),
        ];
        return tables.Where(t => t.Staged).Select(t => $"DELETE FROM {t.Table}");
    }

    private void Run(DuckDBConnection connection, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            Interlocked.Increment(ref _statements);
            Execute(connection, statement);
        }
    }

    private (DateTime From, DateTime To)? RangeOf(DuckDBConnection connection, string sql)
    {
        Interlocked.Increment(ref _statements);
        return Range(connection, sql);
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

    /// <summary>Appends the batch to the staging tables of the kinds it holds (an appender per table is a statement's worth of work).</summary>
    private static StagedKinds Stage(DuckDBConnection connection, HistoryBatch batch, CancellationToken cancellationToken)
    {
        var kinds = new StagedKinds(batch.Orders.Count > 0, batch.Orders.Any(o => o.Lines.Count > 0), batch.Refunds.Count > 0,
            batch.Refunds.Any(r => r.Lines.Count > 0), batch.Sessions.Count > 0, batch.Touches.Count > 0, batch.Spend.Count > 0,
            batch.Shipments.Count > 0, batch.Traffic.Count > 0);
        if (kinds.Orders)
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
        }

        if (kinds.Refunds)
        {
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
        }

        if (kinds.Sessions)
        {
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
        }

        if (kinds.Touches)
        {
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
        }

        if (kinds.Spend)
        {
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
        }

        if (kinds.Shipments)
        {
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
        }

        if (kinds.Traffic)
        {
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

        return kinds;
    }

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
