using System.Data.Common;
using LinqToDB;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// How the journal's and the snapshot store's connections to their SQLite files behave, set on each one as it opens.
/// <para>
/// They wait for the write lock inside SQLite. The journal and the snapshot store have a file each
/// (<see cref="SnapshotConnectionString(string)"/>), but SQLite still lets one connection write to a
/// file at a time (a second node on the same journal, a store's purge, a snapshot and its deletion of older ones).
/// Without a busy timeout SQLite answers the second writer "busy" at once and Microsoft.Data.Sqlite retries after
/// sleeping its thread for 150 ms, however briefly the lock was held: measured on this box, a writer that met a lock
/// held for 5 to 120 ms waited 151 to 322 ms (one or two sleeps), the shape of the 303 ms journal write in the bench's
/// POST split. With <c>busy_timeout</c> SQLite's own handler polls in steps of 1 to
/// 100 ms, so the wait follows the holder (12 to 193 ms). The timeout is the connection's <c>Default Timeout</c>, the
/// time Microsoft.Data.Sqlite would have kept retrying anyway, so nothing that waited before fails now.
/// </para>
/// <para>
/// They never checkpoint the write-ahead log. SQLite's automatic checkpoint runs inside the commit that takes the log
/// past 1,000 pages: that commit copies every page into the database file and fsyncs it before it returns, and the
/// events it carries wait. Measured on this box (commits of 20 rows, load 68): max 601 ms and p99.9 150 ms with it,
/// 44 ms and 36 ms without. <see cref="SqliteWalCheckpointer"/> checkpoints on a connection and a thread of its own.
/// Every commit is still in the log and fsync'd before it returns; a checkpoint only moves pages already durable.
/// </para>
/// </summary>
public sealed class SqliteJournalConnections : IConnectionInterceptor
{
    /// <summary>The one instance: it holds no state, the timeout is read from each connection.</summary>
    public static readonly SqliteJournalConnections Instance = new();

    private SqliteJournalConnections()
    {
    }

    /// <summary>The embedded journal's connection string: the configured one, or journal.db in the data folder.</summary>
    public static string ConnectionString(EngineOptions engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return string.IsNullOrWhiteSpace(engine.JournalConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(engine.DataDirectory, "journal.db"), DefaultTimeout = 30 }.ToString()
            : engine.JournalConnectionString;
    }

    /// <summary>The embedded snapshot store's connection string, from the journal's: <see cref="SnapshotConnectionString(string)"/>.</summary>
    public static string SnapshotConnectionString(EngineOptions engine) => SnapshotConnectionString(ConnectionString(engine));

    /// <summary>
    /// The snapshot store's file beside the journal's, named after it (journal.db → journal-snapshots.db), with the rest of
    /// the journal's connection string. A file of its own because SQLite has one write lock per file: a busy store's
    /// snapshot (hundreds of KB) written into the journal's file held that lock while every group commit waited behind
    /// it. Derived rather than configured, so nodes given one journal file share one snapshot file too.
    /// </summary>
    public static string SnapshotConnectionString(string journalConnectionString)
    {
        var builder = new SqliteConnectionStringBuilder(journalConnectionString);
        var journal = builder.DataSource;
        if (string.IsNullOrWhiteSpace(journal) || journal.StartsWith(':') || journal.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The SQLite journal needs a file name as its Data Source to put the snapshot file beside it, not '{journal}'.", nameof(journalConnectionString));
        }

        builder.DataSource = Path.Combine(
            Path.GetDirectoryName(journal) ?? string.Empty,
            Path.GetFileNameWithoutExtension(journal) + "-snapshots" + Path.GetExtension(journal));
        return builder.ToString();
    }

    /// <summary>linq2db's options for the journal and the snapshot store: the SQLite provider, through these connections.</summary>
    public static DataOptions DataOptions(string connectionString) => new DataOptions()
        .UseConnectionString(ProviderName.SQLiteMS, connectionString)
        .UseInterceptor(Instance);

    /// <summary>Sets the busy timeout and turns the automatic checkpoint off on an open SQLite connection (others are left as they are).</summary>
    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle } sqlite)
        {
            // Pooled connections come back through Open too; setting these again is two calls into SQLite, no statement.
            SQLitePCL.raw.sqlite3_busy_timeout(handle, checked(sqlite.DefaultTimeout * 1000));
            SQLitePCL.raw.sqlite3_wal_autocheckpoint(handle, 0);
        }
    }

    /// <inheritdoc />
    public void ConnectionOpened(ConnectionEventData eventData, DbConnection connection) => Apply(connection);

    /// <inheritdoc />
    public Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void ConnectionOpening(ConnectionEventData eventData, DbConnection connection)
    {
    }

    /// <inheritdoc />
    public Task ConnectionOpeningAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
