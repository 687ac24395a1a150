using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>The reads a channel insight report needs (<see cref="IChannelInsightStore"/>): touches, buyers, spend and traffic.</summary>
internal sealed class DuckDbChannelInsights(DuckDbConnectionGate db) : IChannelInsightStore
{
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

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
