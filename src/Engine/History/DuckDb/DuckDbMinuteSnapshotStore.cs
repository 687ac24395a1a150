using DuckDB.NET.Data;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History.Snapshots;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// The embedded snapshot store: per-minute rows in a DuckDB file, upserted on (tenant, store, minute).
/// One connection serves the process; DuckDB connections are not thread-safe, so every use is serialised.
/// </summary>
public sealed class DuckDbMinuteSnapshotStore : IMinuteSnapshotStore, IDisposable
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS minute_kpi (
            tenant_id VARCHAR NOT NULL,
            store_id VARCHAR NOT NULL,
            minute TIMESTAMP NOT NULL,
            currency VARCHAR NOT NULL,
            gross DECIMAL(18,2) NOT NULL,
            refunds DECIMAL(18,2) NOT NULL,
            orders INTEGER NOT NULL,
            units INTEGER NOT NULL,
            new_customer_orders INTEGER NOT NULL,
            returning_customer_orders INTEGER NOT NULL,
            cancelled_orders INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, store_id, minute)
        )
        """;

    private const string Upsert = """
        INSERT OR REPLACE INTO minute_kpi VALUES
            ($tenant, $store, $minute, $currency, $gross, $refunds, $orders, $units, $new_orders, $returning_orders, $cancelled_orders)
        """;

    private const string Select = """
        SELECT tenant_id, store_id, minute, currency, gross, refunds, orders, units,
               new_customer_orders, returning_customer_orders, cancelled_orders
        FROM minute_kpi
        WHERE tenant_id = $tenant AND store_id = $store AND minute >= $from AND minute < $to
        ORDER BY minute
        """;

    private readonly DuckDbConnectionGate _db;

    /// <param name="connectionString">A DuckDB connection string, e.g. "Data Source=/data/snapshots.duckdb".</param>
    public DuckDbMinuteSnapshotStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _db = new DuckDbConnectionGate(connectionString, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = CreateTable;
            command.ExecuteNonQuery();
        });
    }

    /// <summary>The default file, snapshots.duckdb, inside a data folder.</summary>
    public static string ConnectionStringFor(string dataDirectory) => $"Data Source={Path.Combine(dataDirectory, "snapshots.duckdb")}";

    public async Task WriteAsync(IReadOnlyCollection<MinuteKpiRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        // Within a batch the last row for a key wins, and DuckDB never sees one key twice in a transaction.
        var latest = new Dictionary<(string, string, DateTimeOffset), MinuteKpiRow>();
        foreach (var row in rows)
        {
            latest[(row.TenantId, row.StoreId, row.Minute)] = row;
        }

        await _db.RunAsync(connection =>
        {
            DuckDbConnectionGate.ExecuteEach(connection, Upsert, latest.Values, row =>
            [
                new DuckDBParameter("tenant", row.TenantId),
                new DuckDBParameter("store", row.StoreId),
                new DuckDBParameter("minute", row.Minute.UtcDateTime),
                new DuckDBParameter("currency", row.Currency),
                new DuckDBParameter("gross", row.GrossRevenue),
                new DuckDBParameter("refunds", row.Refunds),
                new DuckDBParameter("orders", row.Orders),
                new DuckDBParameter("units", row.Units),
                new DuckDBParameter("new_orders", row.NewCustomerOrders),
                new DuckDBParameter("returning_orders", row.ReturningCustomerOrders),
                new DuckDBParameter("cancelled_orders", row.CancelledOrders),
            ], cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<MinuteKpiRow>> ReadAsync(StoreRef store, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _db.RunAsync<IReadOnlyList<MinuteKpiRow>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = Select;
            command.Parameters.Add(new DuckDBParameter("tenant", store.TenantId));
            command.Parameters.Add(new DuckDBParameter("store", store.StoreId));
            command.Parameters.Add(new DuckDBParameter("from", fromUtc.UtcDateTime));
            command.Parameters.Add(new DuckDBParameter("to", toUtc.UtcDateTime));
            using var reader = command.ExecuteReader();
            var rows = new List<MinuteKpiRow>();
            while (reader.Read())
            {
                rows.Add(new MinuteKpiRow(
                    reader.GetString(0),
                    reader.GetString(1),
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)),
                    reader.GetString(3),
                    reader.GetDecimal(4),
                    reader.GetDecimal(5),
                    reader.GetInt32(6),
                    reader.GetInt32(7),
                    reader.GetInt32(8),
                    reader.GetInt32(9),
                    reader.GetInt32(10)));
            }

            return rows;
        }, cancellationToken);
    }

    public void Dispose() => _db.Dispose();
}
