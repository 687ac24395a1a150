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

    /// <summary>
    /// The old merge's removal of held versions: every winner's key looked up in the whole order and line tables, so a
    /// write cost grew with everything the store held. The bench's baseline (<see cref="DeleteHeldByScan"/>), never production.
    /// </summary>
    private static readonly string[] DeleteByScan =
    [
        $"DELETE FROM history_order_lines t USING stage_winners s WHERE {OrderKey}",
        $"DELETE FROM history_orders t USING stage_winners s WHERE {OrderKey}",
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

    /// <summary>True removes replaced versions by looking every winner up in the whole tables, as before: the bench's baseline, never production.</summary>
    public bool DeleteHeldByScan { get; set; }

    /// <summary>
    /// Removes the versions the winners replace, and their lines, before the winners go in. Only replaced versions are
    /// looked for (a new order has nothing held: its lines are written only with it), and only among the rows placed
    /// within the replaced versions' instants (<paramref name="replaced"/>, null when none is): lines carry their order's
    /// placed_at, so a literal range prunes by DuckDB's zone maps and the delete reads the row groups of those instants,
    /// not the table.
    /// </summary>
    private IEnumerable<string> DeleteReplaced((DateTime From, DateTime To)? replaced)
    {
        if (DeleteHeldByScan)
        {
            return DeleteByScan;
        }

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
            Stage(connection, batch, cancellationToken);

            if (RecomputeTouchedHours)
            {
                ExecuteAll(connection, DuckDbRollups.TouchedHours.Concat(FindNew));
                ExecuteAll(connection, DeleteReplaced(Range(connection, "SELECT min(placed_at), max(placed_at) FROM stage_replaced")));
                ExecuteAll(connection, Merge.Concat(DuckDbRollups.Recompute));
            }
            else
            {
                // The rollups' delta is taken before the merge replaces held versions and applied after it, in the same
                // transaction as the facts.
                ExecuteAll(connection, FindNew);
                var replaced = Range(connection, "SELECT min(placed_at), max(placed_at) FROM stage_replaced");
                ExecuteAll(connection, DuckDbRollups.Delta(replaced));
                ExecuteAll(connection, DeleteReplaced(replaced));
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

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
