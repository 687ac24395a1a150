using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>Each parcel at its newest tracking event (<see cref="IShipmentHistory"/>).</summary>
internal sealed class DuckDbShipments(DuckDbConnectionGate db) : IShipmentHistory
{
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

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
