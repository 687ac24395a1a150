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
/// Writes the facts: every table only ever receives inserts (ReplacingMergeTree collapses versions), then the
/// rollups of every (store, hour) the batch touches are recomputed. Also keeps the dead letters.
/// </summary>
internal sealed class ClickHouseFactWriter(ClickHouseHistoryDatabase db)
{
    public async Task WriteFactsAsync(HistoryBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await db.InitializeAsync(cancellationToken);
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

        await db.InsertAsync("history_order_touches", touches, cancellationToken);
        await db.InsertAsync("history_ad_spend", spend, cancellationToken);
        await db.InsertAsync("history_shipments", shipments, cancellationToken);
        await db.InsertAsync("history_traffic", traffic, cancellationToken);

        // Lines before their orders: a reader that sees an order's new version also finds its lines.
        await db.InsertAsync("history_order_lines", lines, cancellationToken);
        await db.InsertAsync("history_orders", orders, cancellationToken);
        await db.InsertAsync("history_refund_lines", refundLines, cancellationToken);
        await db.InsertAsync("history_refunds", refunds, cancellationToken);
        await db.InsertAsync("history_sessions", sessions, cancellationToken);

        // After the facts, so the recomputation sees them; a failure here fails the write and the writer retries the batch.
        await db.Rollups.RecomputeHoursAsync(ClickHouseRollups.HoursOf(batch), cancellationToken);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await db.QueryAsync("SELECT 1", cancellationToken) is [["1", ..], ..];
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

        await db.InitializeAsync(cancellationToken);
        var tsv = new StringBuilder();
        foreach (var l in letters)
        {
            tsv.Field(l.TenantId).Field(l.StoreId).Field(l.Kind).Field(l.Key).Field(l.Reason).Field(l.Payload).Field(l.At).EndRow();
        }

        await db.InsertAsync("history_dead_letters", tsv, cancellationToken);
    }

    public async Task<IReadOnlyList<HistoryDeadLetter>> DeadLettersAsync(string tenantId, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await db.InitializeAsync(cancellationToken);

        // FINAL collapses a letter written twice (a retried cycle); the table is small and read only by Admins.
        var rows = await db.QueryAsync($"""
            SELECT tenant_id, store_id, kind, item_key, reason, payload, toUInt32(refused_at)
            FROM history_dead_letters FINAL
            WHERE tenant_id = {Literal(tenantId)}
            ORDER BY refused_at DESC, store_id, kind, item_key
            LIMIT {limit.ToString(CultureInfo.InvariantCulture)}
            """, cancellationToken);
        return [.. rows.Select(f => new HistoryDeadLetter(f[0], f[1], f[2], f[3], f[4], f[5], DateTimeOffset.FromUnixTimeSeconds(Long(f[6]))))];
    }
}
