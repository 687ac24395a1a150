using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>Each parcel at its newest tracking event (<see cref="IShipmentHistory"/>).</summary>
internal sealed class ClickHouseShipments(ClickHouseHistoryDatabase db) : IShipmentHistory
{
    public async Task<IReadOnlyList<ParcelState>> ParcelsAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        await db.InitializeAsync(cancellationToken);
        var rows = await db.QueryAsync($"""
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
}
