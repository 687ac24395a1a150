using Microsoft.Data.Sqlite;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Polling;

/// <summary>Where pollers keep how far they got, per store and stream, so a restart resumes rather than starts over.</summary>
public interface ICursorStore
{
    /// <summary>The saved cursor (the poller's own JSON), or null before the first poll.</summary>
    Task<string?> LoadAsync(StoreRef store, string stream, CancellationToken cancellationToken);

    Task SaveAsync(StoreRef store, string stream, string cursor, CancellationToken cancellationToken);

    /// <summary>Forgets the cursor, e.g. when a channel is reconnected to another account.</summary>
    Task DeleteAsync(StoreRef store, string stream, CancellationToken cancellationToken);
}

/// <summary>Cursors in a SQLite table, one row per store and stream.</summary>
public sealed class SqliteCursorStore : ICursorStore
{
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS poll_cursors (
            tenant_id TEXT NOT NULL,
            store_id TEXT NOT NULL,
            stream TEXT NOT NULL,
            cursor TEXT NOT NULL,
            PRIMARY KEY (tenant_id, store_id, stream)
        )
        """;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public SqliteCursorStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
    }

    public async Task<string?> LoadAsync(StoreRef store, string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT cursor FROM poll_cursors WHERE tenant_id = $tenant AND store_id = $store AND stream = $stream";
        Bind(command, store, stream);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SaveAsync(StoreRef store, string stream, string cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cursor);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO poll_cursors (tenant_id, store_id, stream, cursor) VALUES ($tenant, $store, $stream, $cursor)
            ON CONFLICT (tenant_id, store_id, stream) DO UPDATE SET cursor = excluded.cursor
            """;
        Bind(command, store, stream);
        command.Parameters.AddWithValue("$cursor", cursor);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(StoreRef store, string stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM poll_cursors WHERE tenant_id = $tenant AND store_id = $store AND stream = $stream";
        Bind(command, store, stream);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Bind(SqliteCommand command, StoreRef store, string stream)
    {
        command.Parameters.AddWithValue("$tenant", store.TenantId);
        command.Parameters.AddWithValue("$store", store.StoreId);
        command.Parameters.AddWithValue("$stream", stream);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (!_schemaReady)
        {
            await _schemaGate.WaitAsync(cancellationToken);
            try
            {
                if (!_schemaReady)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = CreateTable;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaGate.Release();
            }
        }

        return connection;
    }
}
