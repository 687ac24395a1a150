using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>The live path's minute rows (<see cref="IMinuteSnapshotStore"/>): each write stamped, the latest write of a minute read.</summary>
internal sealed class ClickHouseMinuteRows(ClickHouseHistoryDatabase db)
{
    public async Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        await db.InitializeAsync(cancellationToken);
        var written = db.Time.GetUtcNow().UtcTicks;
        var tsv = new StringBuilder();
        foreach (var row in rows)
        {
            tsv.Field(row.TenantId).Field(row.StoreId).Field(row.Minute).Field(row.Currency).Field(HistoryFacts.Cents(row.GrossRevenue))
                .Field(HistoryFacts.Cents(row.Refunds)).Field(row.Orders).Field(row.Units).Field(row.NewCustomerOrders)
                .Field(row.ReturningCustomerOrders).Field(row.CancelledOrders).Field(written).EndRow();
        }

        await db.InsertAsync("minute_kpi", tsv, cancellationToken);
    }

    public async Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await db.InitializeAsync(cancellationToken);
        var sql = $"""
            SELECT toUInt32(minute), argMax(currency, written), argMax(gross, written), argMax(refunds, written), argMax(orders, written),
                   argMax(units, written), argMax(new_customer_orders, written), argMax(returning_customer_orders, written),
                   argMax(cancelled_orders, written)
            FROM minute_kpi
            WHERE tenant_id = {Literal(store.TenantId)} AND store_id = {Literal(store.StoreId)}
              AND minute >= {Instant(fromUtc)} AND minute < {Instant(toUtc)}
            GROUP BY minute ORDER BY minute
            """;
        return [.. (await db.QueryAsync(sql, cancellationToken)).Select(f => new MinuteKpiRow(
            store.TenantId, store.StoreId, DateTimeOffset.FromUnixTimeSeconds(Long(f[0])), f[1], Decimal(f[2]), Decimal(f[3]),
            (int)Long(f[4]), (int)Long(f[5]), (int)Long(f[6]), (int)Long(f[7]), (int)Long(f[8])))];
    }
}
