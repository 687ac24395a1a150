using Npgsql;

namespace SalesDash.Engine.Tests.Persistence.Postgres;

/// <summary>
/// A database of its own on the PostgreSQL server named by SALESDASH_POSTGRES (scripts/services/postgres.sh
/// starts one), dropped afterwards, so tests and runs never read each other's journal. Without the variable the
/// test fails: the production journal is never silently left untested.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "SALESDASH_POSTGRES";

    private readonly string _server;

    private PostgresTestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string to the new database, for Engine:JournalConnectionString.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync(CancellationToken ct)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.False(string.IsNullOrWhiteSpace(server),
            $"{Variable} is not set: run scripts/services/postgres.sh and export {Variable}=\"$(scripts/services/postgres.sh | tail -n1)\".");

        var database = new PostgresTestDatabase(server!, $"salesdash_test_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
        return database;
    }

    /// <summary>Rows in the journal table: what the production journal really holds, read without Akka.</summary>
    public async Task<long> CountJournalRowsAsync(string persistenceId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @id AND deleted = false", connection);
        command.Parameters.AddWithValue("id", persistenceId);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        // FORCE ends sessions a stopping node may still hold, so the drop cannot wait on them.
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
