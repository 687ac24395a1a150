using Microsoft.Data.Sqlite;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// Opens connections to one SQLite file for a small store, creating the store's tables on the first open only, so
/// no store needs a separate start-up step. A connection that fails while opening is disposed, never handed out.
/// </summary>
public sealed class SqliteSchemaConnections
{
    private readonly string _connectionString;
    private readonly string _schema;
    private readonly string? _everyOpen;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <param name="connectionString">The SQLite file.</param>
    /// <param name="schema">Idempotent DDL (CREATE ... IF NOT EXISTS), run once per instance.</param>
    /// <param name="everyOpen">SQL run on every new connection before use, e.g. a per-connection PRAGMA.</param>
    public SqliteSchemaConnections(string connectionString, string schema, string? everyOpen = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        _connectionString = connectionString;
        _schema = schema;
        _everyOpen = everyOpen;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (_everyOpen is not null)
            {
                await ExecuteAsync(connection, _everyOpen, cancellationToken);
            }

            if (!_schemaReady)
            {
                await _schemaGate.WaitAsync(cancellationToken);
                try
                {
                    if (!_schemaReady)
                    {
                        await ExecuteAsync(connection, _schema, cancellationToken);
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
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
