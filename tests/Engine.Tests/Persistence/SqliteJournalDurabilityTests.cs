using Akka.Actor;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Persistence;

/// <summary>
/// What an accepted event means on the embedded SQLite journal: it is committed in the journal file before the answer,
/// however the journal batches the rows of concurrent deliveries into one write.
/// </summary>
public sealed class SqliteJournalDurabilityTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    [Fact]
    public async Task Every_accepted_event_is_in_the_committed_journal_when_it_is_answered_and_a_node_started_on_that_file_has_it()
    {
        using var live = new TempDirectory();
        using var crashed = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;

        // Concurrent deliveries, so the entity and the journal write many rows at once (the multi-row insert), with
        // amounts in cents that only add up if every row's bytes are stored as they were sent.
        var orders = Enumerable.Range(0, 300)
            .Select(i => Placed($"o-{i}", Now.AddMinutes(-(i % 120)), 10.01m + i))
            .ToArray();
        var host = await EngineHost.StartAsync(live.Path, time);
        try
        {
            var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
            var outcomes = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, ct)));
            Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));

            // The process "dies" now: what survives is what SQLite has committed at this moment, read with a
            // consistent online backup of the live file while the node is still running (no stop, no flush).
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(live.Path, "journal.db") }.ToString());
            using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(crashed.Path, "journal.db") }.ToString());
            source.Open();
            copy.Open();
            source.BackupDatabase(copy);
        }
        finally
        {
            await host.Services.GetRequiredService<ActorSystem>().Terminate();
            host.Dispose();
        }

        SqliteConnection.ClearAllPools();
        using (var restarted = await EngineHost.StartAsync(crashed.Path, time))
        {
            var ingest = restarted.Services.GetRequiredService<ICommerceEventIngest>();
            var tiles = await restarted.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, ct);

            Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
            Assert.Equal(orders.Length, tiles.Orders.Value);
            Assert.Equal(orders.Length, tiles.EventsApplied);
            var again = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, ct)));
            Assert.All(again, o => Assert.Equal(IngestOutcome.Duplicate, o));
            await restarted.StopAsync(ct);
        }
    }

    [Fact]
    public async Task The_sqlite_journal_binds_event_bytes_as_parameters_and_writes_with_one_writer()
    {
        using var data = new TempDirectory();
        using var host = await EngineHost.StartAsync(data.Path, new FakeTimeProvider(Now));
        var config = host.Services.GetRequiredService<ActorSystem>().Settings.Config.GetConfig("akka.persistence.journal.sql");

        // Literal multi-row inserts turned each event's bytes into hex text for SQLite to parse back; several writers
        // only queued on SQLite's one write lock instead of batching (EngineHosting.SqliteJournalWrites).
        Assert.True(config.GetBoolean("prefer-parameters-on-multirow-insert"));
        Assert.Equal(1, config.GetInt("parallelism"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
