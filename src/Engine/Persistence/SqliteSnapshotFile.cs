using Microsoft.Data.Sqlite;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// Moves the snapshots of a data folder written before the snapshot store had a file of its own
/// (<see cref="SqliteJournalConnections.SnapshotConnectionString(string)"/>) out of the journal's file, once, before the
/// actor system starts. In Kafka mode a store's snapshot is its only copy of the folded state and of the offsets it has
/// consumed, so leaving them behind would lose accepted events; in journal mode it would only cost a full replay.
/// <para>
/// Crash-safe in two commits: the rows are copied into the snapshot file (keeping any row of the same store and sequence
/// number already there, which is the same or newer), and only after that commit is the journal's table dropped. A
/// crash between the two leaves both copies and the next start copies nothing new and drops the table. SQLite does not
/// commit two files of a write-ahead log atomically, so the two steps are not one transaction.
/// </para>
/// </summary>
public static class SqliteSnapshotFile
{
    /// <summary>The snapshot table's name in Akka.Persistence.Sql's default mapping, the one the engine uses.</summary>
    public const string Table = "snapshot";

    /// <summary>
    /// Copies the journal file's snapshot table (if it has one) into the snapshot file and drops it from the journal file;
    /// returns how many rows were copied (0 when there was nothing to move or everything was already there).
    /// </summary>
    public static int MoveFromJournal(string journalConnectionString, string snapshotConnectionString)
    {
        var journalFile = new SqliteConnectionStringBuilder(journalConnectionString).DataSource;
        if (!File.Exists(journalFile))
        {
            return 0;
        }

        using var snapshots = new SqliteConnection(new SqliteConnectionStringBuilder(snapshotConnectionString) { Pooling = false }.ToString());
        snapshots.Open();
        SqliteJournalConnections.Apply(snapshots);
        Execute(snapshots, "ATTACH DATABASE @file AS journal", ("@file", journalFile));
        var definitions = Definitions(snapshots);
        if (definitions.Count == 0)
        {
            return 0;
        }

        var columns = string.Join(", ", Columns(snapshots).Select(c => "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        int copied;
        using (var transaction = snapshots.BeginTransaction())
        {
            foreach (var definition in definitions)
            {
                Execute(snapshots, definition);
            }

            copied = Execute(snapshots, $"INSERT OR IGNORE INTO main.\"{Table}\" ({columns}) SELECT {columns} FROM journal.\"{Table}\"");
            transaction.Commit();
        }

        Execute(snapshots, $"DROP TABLE journal.\"{Table}\"");
        return copied;
    }

    /// <summary>The journal file's snapshot table and its indexes, rewritten to be created in the snapshot file if missing.</summary>
    private static List<string> Definitions(SqliteConnection connection)
    {
        // sqlite_schema keeps each CREATE statement normalised to start "CREATE TABLE " / "CREATE [UNIQUE] INDEX ", without
        // a schema or IF NOT EXISTS; the primary key's own index has no statement and comes with the table.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, sql FROM journal.sqlite_schema WHERE tbl_name = @table AND sql IS NOT NULL ORDER BY type = 'index'";
        command.Parameters.AddWithValue("@table", Table);
        var definitions = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var sql = reader.GetString(1);
            var prefix = reader.GetString(0) == "table" ? "CREATE TABLE "
                : sql.StartsWith("CREATE UNIQUE INDEX ", StringComparison.Ordinal) ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
            if (!sql.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Unexpected definition of the journal file's snapshot table: {sql}");
            }

            definitions.Add(prefix + "IF NOT EXISTS main." + sql[prefix.Length..]);
        }

        return definitions;
    }

    private static List<string> Columns(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info(@table, 'journal') ORDER BY cid";
        command.Parameters.AddWithValue("@table", Table);
        var columns = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }
}
