using System.Globalization;
using DuckDB.NET.Data;

using static SalesDash.Engine.History.DuckDb.DuckDbSql;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>Deleting rows: a tenant's facts older than retention, or every row of one store (a store deleted with its data).</summary>
/// <param name="initialize">Makes every table, the minute rows' included, so a delete finds them all.</param>
internal sealed class DuckDbHistoryDeletion(DuckDbConnectionGate db, Func<CancellationToken, Task> initialize)
{
    // Every base table of the main schema with both a tenant_id and a store_id column: facts, rollups, minutes, dead
    // letters and staging. Found in the catalogue, so a table added later is covered without being listed here.
    private const string StoreTablesSql = """
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' AND c.column_name IN ('tenant_id', 'store_id')
        GROUP BY c.table_name HAVING count(DISTINCT c.column_name) = 2 ORDER BY c.table_name
        """;

    public async Task DeleteStoreAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        await initialize(cancellationToken);
        await RunAsync(connection =>
        {
            // One transaction: a failure leaves the store whole rather than half deleted.
            using var transaction = connection.BeginTransaction();
            foreach (var table in StoreTables(connection, transaction))
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"DELETE FROM \"{table}\" WHERE tenant_id = $tenant AND store_id = $store";
                command.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                command.Parameters.Add(new DuckDBParameter("store", storeId));
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, long>> CountStoreRowsAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        await initialize(cancellationToken);
        return await RunAsync<IReadOnlyDictionary<string, long>>(connection =>
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var table in StoreTables(connection, null))
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT count(*) FROM \"{table}\" WHERE tenant_id = $tenant AND store_id = $store";
                command.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                command.Parameters.Add(new DuckDBParameter("store", storeId));
                counts[table] = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            return counts;
        }, cancellationToken);
    }

    private static List<string> StoreTables(DuckDBConnection connection, DuckDBTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = StoreTablesSql;
        var tables = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public async Task DeleteOlderThanAsync(string tenantId, DateTimeOffset cutoffUtc, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        await initialize(cancellationToken);
        await RunAsync(connection =>
        {
            using var transaction = connection.BeginTransaction();
            foreach (var (table, column) in HistorySql.TimedTables)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"DELETE FROM {table} WHERE tenant_id = $tenant AND {column} < $cutoff";
                command.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                command.Parameters.Add(new DuckDBParameter("cutoff", cutoffUtc.UtcDateTime));
                command.ExecuteNonQuery();
            }

            if (!HistoryRollups.IsWholeHour(cutoffUtc))
            {
                using (var hours = connection.CreateCommand())
                {
                    hours.Transaction = transaction;
                    hours.CommandText = """
                        CREATE OR REPLACE TEMP TABLE stage_hours AS
                        SELECT DISTINCT tenant_id, store_id, date_trunc('hour', placed_at) AS hour FROM history_orders
                            WHERE tenant_id = $tenant AND date_trunc('hour', placed_at) = $hour
                        UNION SELECT tenant_id, store_id, date_trunc('hour', occurred_at) FROM history_refunds
                            WHERE tenant_id = $tenant AND date_trunc('hour', occurred_at) = $hour
                        UNION SELECT tenant_id, store_id, date_trunc('hour', started_at) FROM history_sessions
                            WHERE tenant_id = $tenant AND date_trunc('hour', started_at) = $hour
                        """;
                    hours.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                    hours.Parameters.Add(new DuckDBParameter("hour", DateTimeOffset.FromUnixTimeSeconds(HistoryRollups.HourOf(cutoffUtc)).UtcDateTime));
                    hours.ExecuteNonQuery();
                }

                foreach (var statement in DuckDbRollups.Recompute)
                {
                    Execute(connection, statement);
                }
            }

            // A daily product row that straddles the cutoff goes too (its day starts before it); what is left of that
            // day is summed again from the hourly rows kept, which the recompute above has just made exact.
            var day = DateTimeOffset.FromUnixTimeSeconds(cutoffUtc.ToUnixTimeSeconds() - (((cutoffUtc.ToUnixTimeSeconds() % DuckDbRollups.DaySeconds)
                + DuckDbRollups.DaySeconds) % DuckDbRollups.DaySeconds)).UtcDateTime;
            foreach (var sql in new[]
            {
                "DELETE FROM history_daily_products WHERE tenant_id = $tenant AND day < $cutoff",
                """
                CREATE OR REPLACE TEMP TABLE stage_days AS
                SELECT DISTINCT tenant_id, store_id, CAST($day AS TIMESTAMP) AS day FROM history_hourly_products
                WHERE tenant_id = $tenant AND hour >= $day AND hour < $day + INTERVAL 1 DAY AND $day < $cutoff
                """,
            })
            {
                using var days = connection.CreateCommand();
                days.Transaction = transaction;
                days.CommandText = sql;
                days.Parameters.Add(new DuckDBParameter("tenant", tenantId));
                days.Parameters.Add(new DuckDBParameter("cutoff", cutoffUtc.UtcDateTime));
                if (sql.Contains("$day", StringComparison.Ordinal))
                {
                    days.Parameters.Add(new DuckDBParameter("day", day));
                }

                days.ExecuteNonQuery();
            }

            ExecuteAll(connection, DuckDbRollups.RecomputeDays);
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) => db.RunAsync(work, cancellationToken);
}
