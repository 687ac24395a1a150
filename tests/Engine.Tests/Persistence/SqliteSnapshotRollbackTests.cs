using Akka.Actor;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Support.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Persistence;

/// <summary>
/// A data folder taken back to a binary from before the snapshot file (a rollback after a bad deploy) and forward again,
/// on the product's SQLite files. The older binary is played by this one with its snapshot file made from the journal
/// file's snapshot table, which is all an older binary reads, and its saves put back into that table afterwards.
/// </summary>
public sealed class SqliteSnapshotRollbackTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    /// <summary>A bound, never what the test measures: each wait ends with an answer already on its way.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rollback_and_the_upgrade_after_it_each_recover_from_the_newest_snapshot_in_journal_mode()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        // Past 500 events a store snapshots (TenantStoreActor's interval); the older binary's run makes the next one due
        // (a state of ~1,100 orders and as many event ids waits max(500, entries / 4) = 560 events).
        var before = Orders("a", SnapshotPolicy.MinEventsBetween + 20);
        var during = Orders("b", SnapshotPolicy.MinEventsBetween + 100);
        OrderPlaced[] all = [.. before, .. during];
        await RunAsync(data.Path, time, before, snapshotAfter: 0);

        var stash = AsOlderBinary(data.Path);
        // The events the snapshot covers are gone from the journal, as in a folder whose snapshot is the only copy of that
        // state (a Kafka-mode store's checkpoint is): without the snapshot the older binary would recover nothing.
        var recoveredFrom = DeleteEventsUpToNewestSnapshot(data.Path, Path.Combine(data.Path, "journal-snapshots.db"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(before.Sum(o => o.TotalPrice), (await TilesAfterRestartAsync(data.Path, time, before)).GrossRevenue.Value);
        await RunAsync(data.Path, time, during, snapshotAfter: recoveredFrom);

        // Upgraded again: the snapshot file is as this binary left it, and the journal's file has the older binary's newer
        // snapshot, with the events it covers deleted again.
        BackToThisBinary(data.Path, stash);
        Assert.True(DeleteEventsUpToNewestSnapshot(data.Path, Path.Combine(data.Path, "journal.db")) > recoveredFrom);
        time.Advance(TimeSpan.FromMinutes(1));
        var tiles = await TilesAfterRestartAsync(data.Path, time, all);
        Assert.Equal(all.Length, tiles.EventsApplied);
    }

    [Fact]
    public async Task Kafka_mode_offsets_and_dedupe_memory_are_exact_across_a_rollback_and_the_upgrade_after_it()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        using var cluster = MockKafkaCluster.Start();
        var options = KafkaTestKit.OptionsFor(cluster, $"snapshot-rollback-{Guid.NewGuid():N}", partitions: 1);
        cluster.CreateTopic(options.Topic, options.Partitions);
        var before = Orders("ka", 40);
        var during = Orders("kb", 40);
        var after = Orders("kc", 40);

        // This binary folds the first records; the group commits them once the store's checkpoint holds them.
        await ProduceAsync(options, before);
        await FoldAsync(data.Path, time, options, committed: 40, shows: before);

        // The older binary resumes at the group's commit, so it must find the checkpoint that commit relied on.
        var stash = AsOlderBinary(data.Path);
        time.Advance(TimeSpan.FromMinutes(1));
        await ProduceAsync(options, during);
        await FoldAsync(data.Path, time, options, committed: 80, shows: [.. before, .. during]);

        // Upgraded again: the older binary's checkpoint (the same sequence number, saved later) is the one to resume from.
        // The first records come again, as a producer's retry would send them: the store still knows them.
        BackToThisBinary(data.Path, stash);
        time.Advance(TimeSpan.FromMinutes(1));
        await ProduceAsync(options, [.. after, .. before]);
        await FoldAsync(data.Path, time, options, committed: 160, shows: [.. before, .. during, .. after]);
    }

    /// <summary>Orders with their own prices, cents included, over the last hour, so one lost or counted twice shows.</summary>
    private static OrderPlaced[] Orders(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Placed($"{prefix}{i}", Now.AddMinutes(-(i % 50)), 3.07m + (i % 97) * 1.13m))];

    /// <summary>Ingests the orders and stops cleanly once the snapshot file holds a snapshot past <paramref name="snapshotAfter"/>.</summary>
    private static async Task RunAsync(string folder, TimeProvider time, IReadOnlyList<OrderEvent> orders, long snapshotAfter)
    {
        using var host = await EngineHost.StartAsync(folder, time);
        var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        var outcomes = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, Ct)));
        Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
        // A snapshot is saved once the writers hold what it covers, after the answers: wait for it (no time limit but the
        // test's). Not the stop's final one: on a loaded box sharding's stop phase can run out before it is saved.
        while (NewestSnapshot(Path.Combine(folder, "journal-snapshots.db")) <= snapshotAfter)
        {
            await Task.Delay(50, Ct);
        }

        await host.StopAsync(Ct);
        SqliteConnection.ClearAllPools();
    }

    private static async Task<DashboardTiles> TilesAfterRestartAsync(string folder, TimeProvider time, IReadOnlyList<OrderEvent> orders)
    {
        using var host = await EngineHost.StartAsync(folder, time);
        var tiles = await host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, Ct);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Count, tiles.Orders.Value);
        // Nothing is counted twice: every order is already known to the recovered store.
        var again = await Task.WhenAll(orders.Select(o => host.Services.GetRequiredService<ICommerceEventIngest>().IngestAsync(o, Ct)));
        Assert.All(again, o => Assert.Equal(IngestOutcome.Duplicate, o));
        await host.StopAsync(Ct);
        SqliteConnection.ClearAllPools();
        return tiles;
    }

    /// <summary>Starts a node, consumes until the group has committed <paramref name="committed"/> records, checks the figures, stops cleanly.</summary>
    private static async Task FoldAsync(string folder, TimeProvider time, KafkaOptions options, long committed, IReadOnlyList<OrderEvent> shows)
    {
        using var host = await EngineHost.StartAsync(folder, time);
        var region = await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);
        using (var stop = new CancellationTokenSource())
        {
            var run = new KafkaIngestionPipeline(options, region, TimeSpan.FromSeconds(30), host.Services.GetRequiredService<ActorSystem>(), NullLogger.Instance)
                .RunAsync(stop.Token);
            await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == committed, Wait, $"{committed} records are committed");
            await stop.CancelAsync();
            await run.WaitAsync(Wait, Ct);
        }

        var tiles = await host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, Ct);
        Assert.Equal(shows.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(shows.Count, tiles.Orders.Value);
        await host.StopAsync(Ct);
        SqliteConnection.ClearAllPools();
    }

    private static async Task ProduceAsync(KafkaOptions options, IEnumerable<OrderPlaced> orders)
    {
        using var ingest = new KafkaCommerceEventIngest(Options.Create(options));
        Assert.All(await KafkaTestKit.ProduceAllAsync(ingest, orders), o => Assert.Equal(IngestOutcome.Accepted, o));
    }

    /// <summary>
    /// The folder as a binary from before the snapshot file sees it: the snapshot store reads the journal file's table
    /// and nothing else. This binary's snapshot file is put aside (returned) and replaced by a copy of that table, which
    /// leaves the journal's file, so this binary's start has nothing there to take.
    /// </summary>
    private static string AsOlderBinary(string folder)
    {
        var file = Path.Combine(folder, "journal-snapshots.db");
        var stash = Path.Combine(folder, "this-binary-snapshots.db");
        using (var connection = Open(file))
        {
            Execute(connection, $"VACUUM INTO '{stash}'");
        }

        DeleteFile(file);
        // Without a table there (as stop 23's upgrade left the folder) an older binary makes an empty one: no snapshot.
        if (HasSnapshotTable(Path.Combine(folder, "journal.db")))
        {
            MoveTable(Path.Combine(folder, "journal.db"), file);
        }

        return stash;
    }

    /// <summary>What the older binary saved goes back into the journal file's table; this binary's snapshot file comes back as it left it.</summary>
    private static void BackToThisBinary(string folder, string stash)
    {
        var file = Path.Combine(folder, "journal-snapshots.db");
        var journal = Path.Combine(folder, "journal.db");
        using (var connection = Open(journal))
        {
            // The stand-in's own clean stop wrote there; an older binary's table holds only what it saved itself.
            Execute(connection, "DROP TABLE IF EXISTS snapshot");
        }

        SqliteConnection.ClearAllPools();
        MoveTable(file, journal);
        DeleteFile(file);
        File.Move(stash, file);
    }

    /// <summary>Moves the snapshot table with its indexes from one file to another that has none.</summary>
    private static void MoveTable(string fromFile, string toFile)
    {
        using (var to = Open(toFile))
        {
            Execute(to, $"ATTACH DATABASE '{fromFile}' AS source");
            foreach (var definition in Scalar(to, "SELECT group_concat(sql, ';') FROM source.sqlite_schema WHERE tbl_name = 'snapshot' AND sql IS NOT NULL").Split(';'))
            {
                Execute(to, definition);
            }

            Execute(to, "INSERT INTO main.snapshot SELECT * FROM source.snapshot");
            Execute(to, "DROP TABLE source.snapshot");
            Execute(to, "DETACH DATABASE source");
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>Deletes the journal's events up to the newest snapshot in <paramref name="snapshotsIn"/>; returns its sequence number.</summary>
    private static long DeleteEventsUpToNewestSnapshot(string folder, string snapshotsIn)
    {
        var newest = NewestSnapshot(snapshotsIn);
        Assert.True(newest > 0, "no snapshot to recover from");
        using (var journal = Open(Path.Combine(folder, "journal.db")))
        {
            Execute(journal, $"DELETE FROM journal WHERE sequence_number <= {newest}");
        }

        SqliteConnection.ClearAllPools();
        return newest;
    }

    private static long NewestSnapshot(string file)
    {
        using var snapshots = Open(file);
        return long.Parse(Scalar(snapshots, "SELECT coalesce(max(sequence_number), 0) FROM snapshot"), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void DeleteFile(string file)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(file + suffix);
        }
    }

    private static bool HasSnapshotTable(string file)
    {
        using var connection = Open(file);
        return Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'snapshot'") == "1";
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file }.ToString());
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
