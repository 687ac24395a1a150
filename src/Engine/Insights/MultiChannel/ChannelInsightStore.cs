using System.Globalization;
using Microsoft.Data.Sqlite;
using SalesDash.Engine.Persistence;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>Where insight facts are kept: idempotent writes (newest order version wins, a spend id counts once) and the reads a report needs.</summary>
public interface IChannelInsightStore
{
    Task WriteAsync(IReadOnlyCollection<OrderTouch> orders, IReadOnlyCollection<SpendFact> spend, CancellationToken cancellationToken);

    /// <summary>The orders and spend of a tenant's range, and the history of every customer among those orders.</summary>
    Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken);
}

/// <summary>
/// Insight facts in a SQLite file next to the other embedded stores. A separate file, because history's tables
/// (DuckDB or ClickHouse) belong to history and keep neither ad spend nor the visit an order came from.
/// </summary>
public sealed class SqliteChannelInsightStore : IChannelInsightStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS order_touches (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            version INTEGER NOT NULL,
            placed_at_ms INTEGER NOT NULL,
            revenue TEXT NOT NULL,
            currency TEXT NOT NULL,
            cancelled INTEGER NOT NULL,
            touch TEXT NULL,
            email_hash TEXT NULL,
            PRIMARY KEY (tenant_id, store_id, order_id)
        );
        CREATE INDEX IF NOT EXISTS order_touches_placed ON order_touches (tenant_id, placed_at_ms);
        CREATE INDEX IF NOT EXISTS order_touches_email ON order_touches (tenant_id, email_hash);
        CREATE TABLE IF NOT EXISTS ad_spend (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            spend_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            occurred_at_ms INTEGER NOT NULL,
            spend TEXT NOT NULL,
            currency TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id, spend_id)
        );
        CREATE INDEX IF NOT EXISTS ad_spend_occurred ON ad_spend (tenant_id, occurred_at_ms);
        """;

    // An older version changes nothing; a newer one that says nothing about its visit or buyer keeps what an earlier one said
    // (Shopify's updates and the Admin backfill do not always repeat landing_site or the e-mail).
    private const string UpsertOrder = """
        INSERT INTO order_touches (tenant_id, store_id, order_id, channel, version, placed_at_ms, revenue, currency, cancelled, touch, email_hash)
        VALUES ($tenant, $store, $order, $channel, $version, $placed, $revenue, $currency, $cancelled, $touch, $email)
        ON CONFLICT (tenant_id, store_id, order_id) DO UPDATE SET
            channel = excluded.channel, version = excluded.version, placed_at_ms = excluded.placed_at_ms, revenue = excluded.revenue,
            currency = excluded.currency, cancelled = excluded.cancelled,
            touch = COALESCE(excluded.touch, order_touches.touch), email_hash = COALESCE(excluded.email_hash, order_touches.email_hash)
        WHERE excluded.version >= order_touches.version
        """;

    private readonly SqliteSchemaConnections _connections;

    public SqliteChannelInsightStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        // Every accepted order is one small write on the ingest path: in WAL mode NORMAL skips the fsync per commit
        // and can lose only the last moments on power loss, never corrupt the file.
        _connections = new SqliteSchemaConnections(connectionString, "PRAGMA journal_mode=WAL;" + Schema, everyOpen: "PRAGMA synchronous=NORMAL;");
    }

    /// <summary>The store's file in the engine's data folder.</summary>
    public static string ConnectionStringFor(string dataDirectory) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "insights.db"), DefaultTimeout = 30 }.ToString();

    public async Task WriteAsync(IReadOnlyCollection<OrderTouch> orders, IReadOnlyCollection<SpendFact> spend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(spend);
        await using var db = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        foreach (var order in orders)
        {
            await using var command = db.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = UpsertOrder;
            command.Parameters.AddWithValue("$tenant", order.TenantId);
            command.Parameters.AddWithValue("$store", order.StoreId);
            command.Parameters.AddWithValue("$order", order.OrderId);
            command.Parameters.AddWithValue("$channel", order.Channel.ToString());
            command.Parameters.AddWithValue("$version", order.Version);
            command.Parameters.AddWithValue("$placed", order.PlacedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$revenue", order.Revenue.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$currency", order.Currency);
            command.Parameters.AddWithValue("$cancelled", order.Cancelled ? 1 : 0);
            command.Parameters.AddWithValue("$touch", (object?)order.Touch ?? DBNull.Value);
            command.Parameters.AddWithValue("$email", (object?)order.EmailHash ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var fact in spend)
        {
            await using var command = db.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO ad_spend (tenant_id, store_id, spend_id, channel, occurred_at_ms, spend, currency)
                VALUES ($tenant, $store, $id, $channel, $at, $spend, $currency)
                ON CONFLICT (tenant_id, store_id, spend_id) DO NOTHING
                """;
            command.Parameters.AddWithValue("$tenant", fact.TenantId);
            command.Parameters.AddWithValue("$store", fact.StoreId);
            command.Parameters.AddWithValue("$id", fact.SpendId);
            command.Parameters.AddWithValue("$channel", fact.Channel.ToString());
            command.Parameters.AddWithValue("$at", fact.OccurredAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$spend", fact.Spend.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$currency", fact.Currency);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<InsightData> ReadAsync(string tenantId, HistoryRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(range);
        await using var db = await OpenAsync(cancellationToken);
        var from = range.FromUtc.ToUnixTimeMilliseconds();
        var to = range.ToUtc.ToUnixTimeMilliseconds();

        var orders = new List<OrderTouch>();
        await using (var command = db.CreateCommand())
        {
            command.CommandText = """
                SELECT tenant_id, store_id, channel, order_id, version, placed_at_ms, revenue, currency, cancelled, touch, email_hash
                FROM order_touches WHERE tenant_id = $tenant AND placed_at_ms >= $from AND placed_at_ms < $to
                """;
            Bind(command, tenantId, from, to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!Enum.TryParse<SalesChannel>(reader.GetString(2), out var channel))
                {
                    continue;
                }

                orders.Add(new OrderTouch(reader.GetString(0), reader.GetString(1), channel, reader.GetString(3), reader.GetInt64(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), decimal.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
                    reader.GetString(7), reader.GetInt64(8) != 0, reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
            }
        }

        var wanted = orders.Where(o => o.EmailHash is not null).Select(o => o.EmailHash!).ToHashSet(StringComparer.Ordinal);
        var customers = new Dictionary<string, CustomerHistory>(StringComparer.Ordinal);
        if (wanted.Count > 0)
        {
            // Every order of these customers up to the range's end, earliest first: the first row per customer is the first touch.
            var channels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var firstTouch = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var command = db.CreateCommand();
            command.CommandText = """
                SELECT email_hash, channel, touch FROM order_touches
                WHERE tenant_id = $tenant AND email_hash IS NOT NULL AND placed_at_ms < $to
                ORDER BY placed_at_ms, store_id, order_id
                """;
            Bind(command, tenantId, from, to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var hash = reader.GetString(0);
                if (!wanted.Contains(hash))
                {
                    continue;
                }

                firstTouch.TryAdd(hash, reader.IsDBNull(2) ? Touches.Direct : reader.GetString(2));
                if (!channels.TryGetValue(hash, out var seen))
                {
                    channels[hash] = seen = new HashSet<string>(StringComparer.Ordinal);
                }

                seen.Add(reader.GetString(1));
            }

            foreach (var (hash, touch) in firstTouch)
            {
                customers[hash] = new CustomerHistory(hash, touch, channels[hash].Count);
            }
        }

        var spend = new List<SpendFact>();
        await using (var command = db.CreateCommand())
        {
            command.CommandText = """
                SELECT tenant_id, store_id, channel, spend_id, occurred_at_ms, spend, currency
                FROM ad_spend WHERE tenant_id = $tenant AND occurred_at_ms >= $from AND occurred_at_ms < $to
                """;
            Bind(command, tenantId, from, to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (Enum.TryParse<SalesChannel>(reader.GetString(2), out var channel))
                {
                    spend.Add(new SpendFact(reader.GetString(0), reader.GetString(1), channel, reader.GetString(3),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), decimal.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
                        reader.GetString(6)));
                }
            }
        }

        return new InsightData(orders, customers, spend);
    }

    private static void Bind(SqliteCommand command, string tenantId, long from, long to)
    {
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _connections.OpenAsync(cancellationToken);
}
