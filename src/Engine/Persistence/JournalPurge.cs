using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// Removes every row of one persistence id from the journal database (SQLite or PostgreSQL, as
/// <see cref="EngineOptions.Journal"/> says). Akka's DeleteMessagesTo keeps the highest event as a row marked deleted,
/// payload and all, so the sequence number survives; a store deleted with its data must not leave that row (or its
/// tags) behind. The tables are found by their persistence_id column, so the plugin's journal, snapshot, tag and
/// metadata tables are all covered whatever the table mapping calls them. On SQLite the snapshot store has a file of its
/// own (<see cref="SqliteJournalConnections.SnapshotConnectionString(string)"/>): both files are purged, the journal's
/// first, each in a transaction of its own.
/// </summary>
public sealed class JournalPurge(EngineOptions options)
{
    /// <summary>Deletes the persistence id's rows from every journal table; returns how many rows went.</summary>
    public async Task<int> DeleteAsync(string persistenceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        var deleted = 0;
        foreach (var database in Databases())
        {
            await using var connection = database;
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var table in await TablesAsync(connection, transaction, cancellationToken))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"DELETE FROM {table} WHERE persistence_id = @id";
                Add(command, "@id", persistenceId);
                deleted += await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return deleted;
    }

    /// <summary>Rows of the persistence id per journal table (quoted table name → count), for checks and tests.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(string persistenceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var database in Databases())
        {
            await using var connection = database;
            await connection.OpenAsync(cancellationToken);
            foreach (var table in await TablesAsync(connection, null, cancellationToken))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE persistence_id = @id";
                Add(command, "@id", persistenceId);
                var count = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                counts[table] = counts.GetValueOrDefault(table) + count;
            }
        }

        return counts;
    }

    /// <summary>One new connection per database, made as the caller reaches it (the caller disposes each).</summary>
    private IEnumerable<DbConnection> Databases()
    {
        if (options.Journal == JournalProvider.PostgreSql)
        {
            yield return new NpgsqlConnection(options.JournalConnectionString);
            yield break;
        }

        var journal = SqliteJournalConnections.ConnectionString(options);
        yield return new SqliteConnection(journal);
        yield return new SqliteConnection(SqliteJournalConnections.SnapshotConnectionString(journal));
    }

    private async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = options.Journal == JournalProvider.PostgreSql
            ? """
              SELECT '"' || replace(table_schema, '"', '""') || '"."' || replace(table_name, '"', '""') || '"' FROM information_schema.columns
              WHERE column_name = 'persistence_id' AND table_schema NOT IN ('pg_catalog', 'information_schema')
              AND (table_schema, table_name) IN (SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')
              ORDER BY 1
              """
            : """
              SELECT '"' || replace(m.name, '"', '""') || '"' FROM sqlite_master m JOIN pragma_table_info(m.name) c
              WHERE m.type = 'table' AND c.name = 'persistence_id' ORDER BY 1
              """;
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
