using DuckDB.NET.Data;

namespace SalesDash.Engine.History.DuckDb;

/// <summary>
/// A DuckDB store's one connection: opened, and its schema made, on first use; every use serialised, as DuckDB
/// connections are not thread-safe.
/// </summary>
/// <param name="connectionString">A DuckDB connection string, e.g. "Data Source=/data/snapshots.duckdb".</param>
/// <param name="open">Runs once on the newly opened connection (schema, clean-up) before any work sees it.</param>
internal sealed class DuckDbConnectionGate(string connectionString, Action<DuckDBConnection> open) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DuckDBConnection? _connection;
    private bool _disposed;

    public async Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // DuckDB's client API is synchronous; keep its work off the caller's (actor or request) thread.
            return await Task.Run(() => work(Connection()), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _gate.Wait();
        try
        {
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }

    private DuckDBConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = new DuckDBConnection(connectionString);
        connection.Open();
        try
        {
            open(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _connection = connection;
        return connection;
    }

    /// <summary>Runs <paramref name="sql"/> once per item, in one transaction, with the item's parameters.</summary>
    public static void ExecuteEach<T>(DuckDBConnection connection, string sql, IEnumerable<T> items, Func<T, DuckDBParameter[]> parameters,
        CancellationToken cancellationToken)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            command.Parameters.Clear();
            foreach (var parameter in parameters(item))
            {
                command.Parameters.Add(parameter);
            }

            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
