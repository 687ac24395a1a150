using System.Globalization;
using DuckDB.NET.Data;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>Deleting one store's rows (a store deleted with its data).</summary>
public sealed partial class DuckDbHistoryStore
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
        await InitializeAsync(cancellationToken);
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
        await InitializeAsync(cancellationToken);
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
}
