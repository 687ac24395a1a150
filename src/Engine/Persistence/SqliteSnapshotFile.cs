using Microsoft.Data.Sqlite;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// Keeps the snapshot store's own file (<see cref="SqliteJournalConnections.SnapshotConnectionString(string)"/>) and the
/// snapshot table in the journal's file, where binaries from before that file read and write their snapshots, safe to go
/// back and forth between. In Kafka mode a store's snapshot is its only copy of the folded state and of the offsets it
/// has consumed, and the group's commit has moved past every record a saved checkpoint covers: a binary that starts
/// with an older checkpoint, or none, resumes at the group's commit and never folds the records in between.
/// <para>
/// The rule, both ways: a start takes from the journal's file every snapshot newer than the snapshot file's newest of
/// the same store (<see cref="FromJournal"/>), and a clean stop, once the entities' final snapshots are saved, leaves in the
/// journal's file the snapshot file's newest of each store (<see cref="ToJournal"/>). "Newer" is the higher sequence
/// number, and at the same sequence number (every Kafka-mode checkpoint of a store has the same one, and replaces the
/// last in place) the later <c>created</c> time. The journal's table is never dropped, and holds one row per store.
/// </para>
/// <para>
/// Each step is one transaction that writes one file: SQLite does not commit two files of a write-ahead log atomically,
/// and a crash before a commit leaves the last one in place, which the next start or stop compares again.
/// </para>
/// </summary>
public static class SqliteSnapshotFile
{
    /// <summary>The snapshot table's name in Akka.Persistence.Sql's default mapping, the one the engine uses.</summary>
    public const string Table = "snapshot";

    /// <summary>
    /// Before the snapshot store opens: copies into the snapshot file each row of the journal file's snapshot table (if it
    /// has one) that is newer than every row of its store there, the first start's upgrade as well as the return from an
    /// older binary that saved snapshots meanwhile. The journal's rows stay, for a rollback. Returns the rows copied.
    /// </summary>
    public static int FromJournal(string journalConnectionString, string snapshotConnectionString)
    {
        using var connection = OpenWithJournal(journalConnectionString, snapshotConnectionString);
        if (connection is null)
        {
            return 0;
        }

        return Copy(connection, from: "journal", to: "main", newestOnly: false);
    }

    /// <summary>
    /// After a clean stop's final snapshots: writes into the journal file's snapshot table (made as the snapshot file's
    /// is, if missing) the snapshot file's newest row of every store whose newest there is newer than the journal's, and
    /// deletes that store's older rows from the journal's table, so an older binary started next finds the snapshot (and
    /// in Kafka mode the offsets) the group's commit relies on. Returns the rows written.
    /// </summary>
    public static int ToJournal(string journalConnectionString, string snapshotConnectionString)
    {
        using var connection = OpenWithJournal(journalConnectionString, snapshotConnectionString);
        if (connection is null)
        {
            return 0;
        }

        return Copy(connection, from: "main", to: "journal", newestOnly: true);
    }

    /// <summary>The snapshot file, opened with the journal's file attached as "journal"; null when there is no journal file.</summary>
    private static SqliteConnection? OpenWithJournal(string journalConnectionString, string snapshotConnectionString)
    {
        var journalFile = new SqliteConnectionStringBuilder(journalConnectionString).DataSource;
        if (!File.Exists(journalFile))
        {
            return null;
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(snapshotConnectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            SqliteJournalConnections.Apply(connection);
            Execute(connection, "ATTACH DATABASE @file AS journal", ("@file", journalFile));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the rows of <paramref name="from"/>'s table newer than every row of their store in <paramref name="to"/>'s (only
    /// each store's newest, replacing the store's rows there, when <paramref name="newestOnly"/>), in one transaction that
    /// writes <paramref name="to"/> alone.
    /// </summary>
    private static int Copy(SqliteConnection connection, string from, string to, bool newestOnly)
    {
        var definitions = Definitions(connection, from, to);
        if (definitions.Count == 0)
        {
            return 0;
        }

        using var transaction = connection.BeginTransaction();
        foreach (var definition in definitions)
        {
            Execute(connection, definition);
        }

        var columns = string.Join(", ", Columns(connection, from).Intersect(Columns(connection, to), StringComparer.Ordinal)
            .Select(c => "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        // s: a row of the source; "nothing as new in the target" is what makes it worth copying. Per store the table's key
        // (persistence id, sequence number) is unique, so "newest" is the highest sequence number.
        var wanted = $"""
            NOT EXISTS (SELECT 1 FROM {to}."{Table}" t WHERE t.persistence_id = s.persistence_id
              AND (t.sequence_number > s.sequence_number OR (t.sequence_number = s.sequence_number AND t.created >= s.created)))
            """ + (newestOnly
            ? $" AND NOT EXISTS (SELECT 1 FROM {from}.\"{Table}\" n WHERE n.persistence_id = s.persistence_id AND n.sequence_number > s.sequence_number)"
            : string.Empty);
        if (newestOnly)
        {
            // Only the newest is read back, so the older rows of a store about to get a newer one go (the target's rows
            // of the store are all older than it, or it would not be wanted).
            Execute(connection, $"DELETE FROM {to}.\"{Table}\" WHERE persistence_id IN (SELECT s.persistence_id FROM {from}.\"{Table}\" s WHERE {wanted})");
        }

        var copied = Execute(connection, $"INSERT OR REPLACE INTO {to}.\"{Table}\" ({columns}) SELECT {columns} FROM {from}.\"{Table}\" s WHERE {wanted}");
        transaction.Commit();
        return copied;
    }

    /// <summary>
    /// The snapshot table and its indexes as <paramref name="from"/> defines them, rewritten to be created in
    /// <paramref name="to"/> if missing; empty when <paramref name="from"/> has no snapshot table.
    /// </summary>
    private static List<string> Definitions(SqliteConnection connection, string from, string to)
    {
        // sqlite_schema keeps each CREATE statement normalised to start "CREATE TABLE " / "CREATE [UNIQUE] INDEX ", without
        // a schema or IF NOT EXISTS; the primary key's own index has no statement and comes with the table.
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT type, sql FROM {from}.sqlite_schema WHERE tbl_name = @table AND sql IS NOT NULL ORDER BY type = 'index'";
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
                throw new InvalidOperationException($"Unexpected definition of the {from} file's snapshot table: {sql}");
            }

            definitions.Add(prefix + "IF NOT EXISTS " + to + "." + sql[prefix.Length..]);
        }

        return definitions;
    }

    private static List<string> Columns(SqliteConnection connection, string schema)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info(@table, @schema) ORDER BY cid";
        command.Parameters.AddWithValue("@table", Table);
        command.Parameters.AddWithValue("@schema", schema);
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
