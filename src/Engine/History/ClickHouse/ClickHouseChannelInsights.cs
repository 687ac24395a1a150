using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.ClickHouse.ClickHouseSql;
using static SalesDash.Engine.History.ClickHouse.ClickHouseTsv;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>The reads a channel insight report needs (<see cref="IChannelInsightStore"/>): touches, buyers, spend and traffic.</summary>
internal sealed class ClickHouseChannelInsights(ClickHouseHistoryDatabase db) : IChannelInsightStore
{
    public async Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(range);
        await db.InitializeAsync(cancellationToken);
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
        foreach (var f in await db.QueryAsync($"""
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
        foreach (var f in await db.QueryAsync($"""
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
        foreach (var f in await db.QueryAsync($"""
            SELECT store_id, channel, spend_id, toInt64(toUInt32(occurred_at)), spend, currency, campaign_id, campaign_name FROM history_ad_spend FINAL
            WHERE {tenant} AND occurred_at >= {Instant(range.FromUtc)} AND occurred_at < {Instant(range.ToUtc)}
            """, cancellationToken))
        {
            if (Enum.TryParse<SalesChannel>(f[1], out var channel))
            {
                spend.Add(new SpendFact(tenantId, f[0], channel, f[2], DateTimeOffset.FromUnixTimeSeconds(Long(f[3])), Decimal(f[4]), f[5], Empty(f[6]), Empty(f[7])));
            }
        }

        var traffic = (await db.QueryAsync($"""
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
}
