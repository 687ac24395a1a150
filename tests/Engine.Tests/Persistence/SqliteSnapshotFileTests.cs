using Akka.Actor;
using Akka.Persistence.Sql.Config;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Persistence;

/// <summary>
/// The embedded snapshot store writes a SQLite file of its own, so a snapshot never holds the journal's write lock; a
/// data folder from before keeps its snapshots through the upgrade.
/// </summary>
public sealed class SqliteSnapshotFileTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    [Fact]
    public void The_snapshot_file_sits_beside_the_journal_with_the_journals_settings()
    {
        var folder = Path.Combine(Path.GetTempPath(), "data");
        var engine = new EngineOptions { DataDirectory = folder };

        var snapshots = new SqliteConnectionStringBuilder(SqliteJournalConnections.SnapshotConnectionString(engine));

        Assert.Equal(Path.Combine(folder, "journal-snapshots.db"), snapshots.DataSource);
        Assert.Equal(30, snapshots.DefaultTimeout);
        // A configured journal (two nodes on one file in the cluster tests) gets one snapshot file beside it too.
        var configured = new SqliteConnectionStringBuilder(SqliteJournalConnections.SnapshotConnectionString(
            new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "shared.sqlite"), DefaultTimeout = 7 }.ToString()));
        Assert.Equal(Path.Combine(folder, "shared-snapshots.sqlite"), configured.DataSource);
        Assert.Equal(7, configured.DefaultTimeout);
    }

    [Fact]
    public async Task The_journal_commits_while_a_large_snapshot_write_holds_the_snapshot_stores_file()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;
        using var host = await EngineHost.StartAsync(data.Path, time);
        var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        var first = Placed("o-first", Now.AddMinutes(-5), 1.01m);
        // The store's entity is up and has read its (absent) snapshot, so both plugins have made their tables.
        Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(first, ct));

        // A snapshot of 1 MiB being written, not yet committed: opened with the snapshot store's own options, so this
        // is the write lock a busy store's snapshot takes. Before the snapshot store had its own file this was the
        // journal's lock, and every delivery below waited behind it until the journal's write timed out.
        var setup = host.Services.GetRequiredService<ActorSystem>().Settings.Setup.Get<MultiDataOptionsSetup>();
        Assert.True(setup.Value.TryGetDataOptionsFor("akka.persistence.snapshot-store.sql", out var options));
        Assert.NotNull(options);
        using var snapshot = new DataConnection(options);
        using (var writing = await snapshot.BeginTransactionAsync(ct))
        {
            await snapshot.ExecuteAsync(
                "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES ('held', 1, 0, zeroblob(1048576), '', 0)",
                ct);

            var orders = Enumerable.Range(0, 60).Select(i => Placed($"o-{i}", Now.AddMinutes(-(i % 30)), 20.02m + i)).ToArray();
            var outcomes = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, ct)));

            Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
            var tiles = await host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, ct);
            Assert.Equal(first.TotalPrice + orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
            Assert.Equal(orders.Length + 1, tiles.Orders.Value);
            await writing.RollbackAsync(ct);
        }

        await host.StopAsync(ct);
    }

    [Fact]
    public async Task A_restarted_node_recovers_from_its_snapshot_file_and_the_journal()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;
        // Past 500 events a store snapshots (TenantStoreActor's interval), so the first run leaves one.
        var before = Enumerable.Range(0, 520).Select(i => Placed($"a-{i}", Now.AddMinutes(-(i % 50)), 10.05m + i)).ToArray();
        var after = Enumerable.Range(0, 25).Select(i => Placed($"b-{i}", Now.AddMinutes(-(i % 20)), 3.33m + i)).ToArray();

        await RunAsync(data.Path, time, before, ct);
        var snapshotAt = OnlySnapshotsUpTo(data.Path, long.MaxValue);
        await RunAsync(data.Path, time, after, ct);

        // The snapshot went to the snapshot store's file, and the clean stop left its newest in the journal's file too,
        // byte for byte, for a binary from before the snapshot file.
        Assert.True(OnlySnapshotsUpTo(data.Path, long.MaxValue) >= snapshotAt);
        Assert.Equal(Newest(Path.Combine(data.Path, "journal-snapshots.db")), Newest(Path.Combine(data.Path, "journal.db")));
        var tiles = await TilesAfterRestartAsync(data.Path, time, before.Concat(after).ToArray(), ct);
        Assert.Equal(before.Length + after.Length, tiles.EventsApplied);
    }

    [Fact]
    public async Task A_data_folder_with_its_snapshots_in_the_journal_file_recovers_exact_figures_after_the_upgrade()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;
        // Past 500 events a store snapshots (TenantStoreActor's interval), so the first run leaves one.
        var before = Enumerable.Range(0, 520).Select(i => Placed($"a-{i}", Now.AddMinutes(-(i % 50)), 10.05m + i)).ToArray();
        var after = Enumerable.Range(0, 25).Select(i => Placed($"b-{i}", Now.AddMinutes(-(i % 20)), 3.33m + i)).ToArray();
        await RunAsync(data.Path, time, before, ct);
        var snapshotAt = OnlySnapshotsUpTo(data.Path, long.MaxValue);
        await RunAsync(data.Path, time, after, ct);

        // The old layout: the snapshot taken in the first 520 orders, inside journal.db, and no snapshot file. The
        // events it covers are gone from the journal, as in a folder whose snapshot is the only copy of that state (a
        // Kafka-mode store's checkpoint is): without the snapshot the store would recover what came after it only.
        OnlySnapshotsUpTo(data.Path, snapshotAt);
        IntoJournalFile(data.Path);
        var journal = Path.Combine(data.Path, "journal.db");
        using (var connection = Open(journal))
        {
            Execute(connection, $"DELETE FROM journal WHERE sequence_number <= {snapshotAt}");
        }

        SqliteConnection.ClearAllPools();
        Assert.True(HasSnapshotTable(journal));
        Assert.False(File.Exists(Path.Combine(data.Path, "journal-snapshots.db")));

        var all = before.Concat(after).ToArray();
        var upgraded = await TilesAfterRestartAsync(data.Path, time, all, ct);
        Assert.Equal(all.Length, upgraded.EventsApplied);
        // The journal's file keeps its table for a rollback, with the newest snapshot the upgraded node saved.
        Assert.True(HasSnapshotTable(journal));
        Assert.Equal(Newest(Path.Combine(data.Path, "journal-snapshots.db")), Newest(journal));

        // And again: the move happened once, the next start finds nothing to move and the same figures.
        var again = await TilesAfterRestartAsync(data.Path, time, all, ct);
        Assert.Equal(all.Length, again.EventsApplied);
    }

    [Fact]
    public void A_start_takes_the_journal_files_newer_snapshots_keeps_the_snapshot_files_newer_ones_and_leaves_the_journals()
    {
        using var data = new TempDirectory();
        var journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "journal.db"), DefaultTimeout = 30 }.ToString();
        var snapshots = SqliteJournalConnections.SnapshotConnectionString(journal);
        // What an older binary left after a rollback: store-a's Kafka checkpoint (sequence number 0, replaced in place)
        // saved again later than the snapshot file's; store-b a snapshot at a higher sequence number; store-c a store the
        // snapshot file never saw. Against it the snapshot file's store-d is the later checkpoint, store-e the higher number.
        using (var old = Open(journal))
        {
            Execute(old, SnapshotTable);
            Execute(old, "CREATE INDEX snapshot_created ON snapshot (created)");
            Execute(old, "INSERT INTO snapshot VALUES ('store-a', 0, 5, x'A5', 'm', 9), ('store-b', 9, 1, x'B9', 'm', 9), ('store-c', 3, 1, x'C3', 'm', 9), ('store-d', 0, 1, x'D1', 'm', 9), ('store-e', 4, 9, x'E4', 'm', 9)");
        }

        using (var file = Open(snapshots))
        {
            Execute(file, SnapshotTable);
            Execute(file, "INSERT INTO snapshot VALUES ('store-a', 0, 2, x'A2', 'm', 9), ('store-b', 7, 2, x'B7', 'm', 9), ('store-d', 0, 6, x'D6', 'm', 9), ('store-e', 8, 1, x'E8', 'm', 9)");
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(3, SqliteSnapshotFile.FromJournal(journal, snapshots));

        SqliteConnection.ClearAllPools();
        Assert.Equal("store-a:0:A5,store-b:9:B9,store-c:3:C3,store-d:0:D6,store-e:8:E8", Newest(Path.Combine(data.Path, "journal-snapshots.db")));
        // The journal's rows stay as they were: a rollback straight after this start finds what the older binary left.
        Assert.Equal("store-a:0:A5,store-b:9:B9,store-c:3:C3,store-d:0:D1,store-e:4:E4", Newest(Path.Combine(data.Path, "journal.db")));
        Assert.Equal(0, SqliteSnapshotFile.FromJournal(journal, snapshots));
    }

    [Fact]
    public void A_clean_stop_leaves_each_stores_newest_snapshot_in_the_journal_file_and_only_that()
    {
        using var data = new TempDirectory();
        var journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "journal.db"), DefaultTimeout = 30 }.ToString();
        var snapshots = SqliteJournalConnections.SnapshotConnectionString(journal);
        using (var file = Open(snapshots))
        {
            Execute(file, SnapshotTable);
            Execute(file, "CREATE INDEX snapshot_created ON snapshot (created)");
            Execute(file, "INSERT INTO snapshot VALUES ('store-a', 0, 7, x'A7', 'm', 9), ('store-b', 5, 1, x'B5', 'm', 9), ('store-b', 12, 3, x'BC', 'm', 9)");
        }

        // A data folder made by the snapshot file's binary (or upgraded by stop 23's, which dropped the journal's table):
        // the table is made as the snapshot file's is, and each store's newest goes in.
        using (var empty = Open(journal))
        {
            Execute(empty, "CREATE TABLE journal (ordering INTEGER PRIMARY KEY)");
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(2, SqliteSnapshotFile.ToJournal(journal, snapshots));
        SqliteConnection.ClearAllPools();
        var journalFile = Path.Combine(data.Path, "journal.db");
        Assert.Equal("store-a:0:A7,store-b:12:BC", Newest(journalFile));
        using (var written = Open(journal))
        {
            Assert.Equal("snapshot_created", Scalar(written, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"));
        }

        // Nothing newer: nothing written. Then store-a checkpoints again, store-b snapshots higher, and an older binary
        // had saved store-c meanwhile (kept: the snapshot file has none of it).
        SqliteConnection.ClearAllPools();
        Assert.Equal(0, SqliteSnapshotFile.ToJournal(journal, snapshots));
        using (var file = Open(snapshots))
        {
            Execute(file, "UPDATE snapshot SET created = 8, snapshot = x'A8' WHERE persistence_id = 'store-a'");
            Execute(file, "INSERT INTO snapshot VALUES ('store-b', 20, 4, x'B0', 'm', 9)");
        }

        using (var old = Open(journal))
        {
            Execute(old, "INSERT INTO snapshot VALUES ('store-c', 2, 1, x'C2', 'm', 9)");
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(2, SqliteSnapshotFile.ToJournal(journal, snapshots));
        SqliteConnection.ClearAllPools();
        Assert.Equal("store-a:0:A8,store-b:20:B0,store-c:2:C2", Newest(journalFile));
        using var after = Open(journal);
        // One row per store: the journal's file holds what a rollback reads, not the snapshot file's history.
        Assert.Equal("3", Scalar(after, "SELECT count(*) FROM snapshot"));
    }

    [Fact]
    public void A_first_start_copies_every_snapshot_with_its_bytes_and_leaves_the_journals()
    {
        using var data = new TempDirectory();
        var journal = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "journal.db"), DefaultTimeout = 30 }.ToString();
        var snapshots = SqliteJournalConnections.SnapshotConnectionString(journal);
        using (var old = Open(journal))
        {
            Execute(old, "CREATE TABLE \"snapshot\" (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, snapshot BLOB NOT NULL, manifest TEXT NOT NULL, serializer_id INTEGER, PRIMARY KEY (persistence_id, sequence_number))");
            Execute(old, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) INSERT INTO snapshot SELECT 'store-' || i, i, i, randomblob(300000), 'm', 9 FROM n");
            Assert.Equal("5", Scalar(old, "SELECT count(*) FROM snapshot"));
        }

        string expected;
        using (var old = Open(journal))
        {
            expected = Scalar(old, "SELECT group_concat(persistence_id || ':' || sequence_number || ':' || length(snapshot) || ':' || hex(substr(snapshot, 299990)), ',') FROM (SELECT * FROM snapshot ORDER BY 1)");
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(5, SqliteSnapshotFile.FromJournal(journal, snapshots));

        SqliteConnection.ClearAllPools();
        using var moved = Open(snapshots);
        Assert.Equal(expected, Scalar(moved, "SELECT group_concat(persistence_id || ':' || sequence_number || ':' || length(snapshot) || ':' || hex(substr(snapshot, 299990)), ',') FROM (SELECT * FROM snapshot ORDER BY 1)"));
        using var kept = Open(journal);
        Assert.Equal(expected, Scalar(kept, "SELECT group_concat(persistence_id || ':' || sequence_number || ':' || length(snapshot) || ':' || hex(substr(snapshot, 299990)), ',') FROM (SELECT * FROM snapshot ORDER BY 1)"));
    }

    private static async Task RunAsync(string folder, TimeProvider time, IReadOnlyList<OrderEvent> orders, CancellationToken ct)
    {
        using var host = await EngineHost.StartAsync(folder, time);
        var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        var outcomes = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, ct)));
        Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
        // A snapshot is saved once the writers hold what it covers, after the answers: wait for it (no time limit but the test's).
        while (orders.Count >= 500 && !HasSnapshot(folder))
        {
            await Task.Delay(50, ct);
        }

        await host.StopAsync(ct);
        SqliteConnection.ClearAllPools();
    }

    private static async Task<SalesDash.Contracts.Tiles.DashboardTiles> TilesAfterRestartAsync(string folder, TimeProvider time, IReadOnlyList<OrderEvent> orders, CancellationToken ct)
    {
        using var host = await EngineHost.StartAsync(folder, time);
        var tiles = await host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, ct);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Count, tiles.Orders.Value);
        // Nothing is counted twice: every order is already known to the recovered store.
        var again = await Task.WhenAll(orders.Select(o => host.Services.GetRequiredService<ICommerceEventIngest>().IngestAsync(o, ct)));
        Assert.All(again, o => Assert.Equal(IngestOutcome.Duplicate, o));
        await host.StopAsync(ct);
        SqliteConnection.ClearAllPools();
        return tiles;
    }

    /// <summary>Deletes the snapshot file's snapshots above <paramref name="sequenceNr"/>; returns the highest left (there must be one).</summary>
    private static long OnlySnapshotsUpTo(string folder, long sequenceNr)
    {
        using var connection = Open(Path.Combine(folder, "journal-snapshots.db"));
        Execute(connection, $"DELETE FROM snapshot WHERE sequence_number > {sequenceNr}");
        var highest = long.Parse(Scalar(connection, "SELECT coalesce(max(sequence_number), 0) FROM snapshot"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(highest > 0, "the store's stop saved no snapshot");
        return highest;
    }

    /// <summary>Puts the snapshot file's table, as it is, into the journal's file and removes the snapshot file.</summary>
    private static void IntoJournalFile(string folder)
    {
        var file = Path.Combine(folder, "journal-snapshots.db");
        using (var journal = Open(Path.Combine(folder, "journal.db")))
        {
            // The clean stops left a copy there (for a rollback); the old layout has the snapshot file's table instead.
            Execute(journal, "DROP TABLE IF EXISTS main.snapshot");
            Execute(journal, $"ATTACH DATABASE '{file}' AS snapshots");
            foreach (var definition in Scalar(journal, "SELECT group_concat(sql, ';') FROM snapshots.sqlite_schema WHERE tbl_name = 'snapshot' AND sql IS NOT NULL").Split(';'))
            {
                Execute(journal, definition);
            }

            Execute(journal, "INSERT INTO main.snapshot SELECT * FROM snapshots.snapshot");
            Execute(journal, "DETACH DATABASE snapshots");
        }

        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(file + suffix);
        }
    }

    private const string SnapshotTable = """
        CREATE TABLE snapshot (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL,
          snapshot BLOB NOT NULL, manifest TEXT NOT NULL, serializer_id INTEGER, PRIMARY KEY (persistence_id, sequence_number))
        """;

    /// <summary>Each store's newest snapshot in <paramref name="file"/>'s table: "id:sequence number:bytes in hex", by id.</summary>
    internal static string Newest(string file)
    {
        using var connection = Open(file);
        return Scalar(connection, """
            SELECT group_concat(persistence_id || ':' || sequence_number || ':' || hex(snapshot), ',') FROM (SELECT * FROM snapshot s
            WHERE NOT EXISTS (SELECT 1 FROM snapshot n WHERE n.persistence_id = s.persistence_id AND n.sequence_number > s.sequence_number) ORDER BY 1)
            """);
    }

    private static bool HasSnapshot(string folder)
    {
        using var connection = Open(Path.Combine(folder, "journal-snapshots.db"));
        return Scalar(connection, "SELECT count(*) FROM snapshot") != "0";
    }

    private static bool HasSnapshotTable(string file)
    {
        using var connection = Open(file);
        return Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'snapshot'") == "1";
    }

    private static SqliteConnection Open(string fileOrConnectionString)
    {
        var connection = new SqliteConnection(fileOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? fileOrConnectionString
            : new SqliteConnectionStringBuilder { DataSource = fileOrConnectionString }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
