using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Persistence.Sql.Config;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Engine.Persistence;

namespace SalesDash.Engine.Tests.Persistence;

/// <summary>
/// The embedded journal's connections wait for SQLite's write lock in SQLite and never checkpoint inside a commit; the
/// checkpointer copies the log on its own connection, and nothing committed is lost on the way.
/// </summary>
public sealed class SqliteJournalConnectionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_engines_journal_and_snapshot_store_open_connections_that_wait_in_sqlite_and_leave_checkpoints_alone()
    {
        using var data = new TempDirectory();
        using var host = await EngineHost.StartAsync(data.Path, new FakeTimeProvider(Now));
        var setup = host.Services.GetRequiredService<ActorSystem>().Settings.Setup.Get<MultiDataOptionsSetup>();
        Assert.True(setup.HasValue);

        // The options the plugins were given, opened as they open them: the 30 s Microsoft.Data.Sqlite retried for in
        // 150 ms sleeps is now SQLite's own busy timeout, and a commit never runs the checkpoint.
        foreach (var plugin in new[] { "akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql" })
        {
            Assert.True(setup.Value.TryGetDataOptionsFor(plugin, out var options), plugin);
            Assert.NotNull(options);
            using var connection = new DataConnection(options);
            Assert.Equal(30_000L, connection.Execute<long>("PRAGMA busy_timeout"));
            Assert.Equal(0L, connection.Execute<long>("PRAGMA wal_autocheckpoint"));
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Commits_on_a_journal_connection_keep_the_whole_log_until_a_checkpoint_copies_every_page()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "journal.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30 }.ToString();
        // Held open until the checkpoint: SQLite checkpoints and removes the log when a file's last connection closes.
        var journal = new DataConnection(SqliteJournalConnections.DataOptions(connectionString));
        journal.Execute("PRAGMA journal_mode=WAL");
        journal.Execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");

        // Twelve commits of about 100 pages each: SQLite's automatic checkpoint would have run in the commit that took
        // the log past 1,000 pages, and the next commit would have started the log again from the top.
        for (var commit = 0; commit < 12; commit++)
        {
            using var transaction = journal.BeginTransaction();
            for (var row = 0; row < 100; row++)
            {
                journal.Execute("INSERT INTO rows (payload) VALUES (zeroblob(3500))");
            }

            transaction.Commit();
        }

        using (var checkpointer = new SqliteConnection(connectionString))
        {
            checkpointer.Open();
            var outcome = SqliteWalCheckpointer.CheckpointOnce(checkpointer);
            Assert.True(outcome.LogFrames > 1_200, $"{outcome.LogFrames} pages in the log");
            Assert.Equal(outcome.LogFrames, outcome.CheckpointedFrames);
        }

        journal.Dispose();
        SqliteConnection.ClearAllPools();
        using var reopened = new SqliteConnection(connectionString);
        reopened.Open();
        using var count = reopened.CreateCommand();
        count.CommandText = "SELECT COUNT(*), SUM(length(payload)) FROM rows";
        using var reader = count.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(1_200L, reader.GetInt64(0));
        Assert.Equal(1_200L * 3_500, reader.GetInt64(1));
    }

    [Fact]
    public async Task The_checkpointer_copies_the_log_each_interval_on_its_own_connection()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;
        var engine = new EngineOptions { DataDirectory = data.Path };
        var connectionString = SqliteJournalConnections.ConnectionString(engine);
        // Held open for the whole test: SQLite checkpoints and removes the log when a file's last connection closes.
        using var journal = new DataConnection(SqliteJournalConnections.DataOptions(connectionString));
        journal.Execute("PRAGMA journal_mode=WAL");
        journal.Execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
        journal.Execute("INSERT INTO rows (payload) VALUES (zeroblob(100000))");

        var copied = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SqliteWalCheckpointer.MeterName && instrument.Name == "salesdash.journal.checkpoint.frames")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, frames, _, _) => copied.TrySetResult(frames));
        listener.Start();

        using var checkpointer = new SqliteWalCheckpointer(Options.Create(engine), time, NullLogger<SqliteWalCheckpointer>.Instance);
        await checkpointer.StartAsync(ct);
        try
        {
            // The clock is the checkpointer's only trigger: nothing is copied until an interval has passed.
            Assert.False(copied.Task.IsCompleted);
            while (!copied.Task.IsCompleted)
            {
                time.Advance(SqliteWalCheckpointer.Interval);
                await Task.WhenAny(copied.Task, Task.Delay(50, ct));
            }

            // 100,000 bytes of blob alone fill 25 pages of 4 KiB.
            Assert.True(await copied.Task > 25);
        }
        finally
        {
            await checkpointer.StopAsync(ct);
        }
    }

    [Fact]
    public async Task A_checkpointer_disposed_before_its_host_stops_it_stops_once_without_error()
    {
        // A host killed in a test is disposed first; the factory may still stop its services afterwards.
        using var data = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        var engine = new EngineOptions { DataDirectory = data.Path };
        var checkpointer = new SqliteWalCheckpointer(Options.Create(engine), new FakeTimeProvider(Now), NullLogger<SqliteWalCheckpointer>.Instance);
        await checkpointer.StartAsync(ct);

        checkpointer.Dispose();

        await checkpointer.StopAsync(ct);
        checkpointer.Dispose();
    }
}
