using System.Data.Common;
using System.Globalization;
using System.Numerics;
using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.MultiChannel;
using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>A store's facts read back in keyset pages for a full export (<see cref="IHistoryFactExport"/>).</summary>
internal sealed class DuckDbFactExport(DuckDbConnectionGate db) : IHistoryFactExport
{
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

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
