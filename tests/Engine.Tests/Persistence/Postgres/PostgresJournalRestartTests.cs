using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Clustering;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Persistence.Postgres;

/// <summary>
/// The restart guarantees of the embedded journal, on PostgreSQL (Engine:Journal=PostgreSql), the production
/// journal: figures and dedupe survive a clean restart and a crash of the whole process mid-stream.
/// </summary>
public sealed class PostgresJournalRestartTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    [Fact]
    public async Task Figures_survive_a_restart_and_deliveries_seen_before_stay_duplicates()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using var journal = await PostgresTestDatabase.CreateAsync(ct);
        var time = new FakeTimeProvider(Now);
        var settings = new Dictionary<string, string?>
        {
            ["Engine:Journal"] = "PostgreSql",
            ["Engine:JournalConnectionString"] = journal.ConnectionString,
        };

        var placed = Placed("o1", Now.AddHours(-2), 100m, units: 2);
        var update = Updated(placed, Now.AddHours(-1), 80m);
        var refund = Refund("r1", "o2", Now.AddMinutes(-30), 15m);
        // More than SnapshotEvery small orders, so recovery goes through a snapshot as well as the journal.
        var bulk = Enumerable.Range(0, TenantStoreActor.SnapshotEvery + 20)
            .Select(i => Placed($"bulk-{i}", Now.AddMinutes(-180 + (i % 170)), 1m, returning: i % 2 == 0))
            .ToArray();

        DashboardTiles before;
        using (var host = EngineHost.Build(data.Path, time, settings))
        {
            await host.StartAsync(ct);
            var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(placed, ct));
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(update, ct));
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(refund, ct));
            var outcomes = await Task.WhenAll(bulk.Select(e => ingest.IngestAsync(e, ct)));
            Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
            Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(placed, ct));

            before = await host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, ct);
            await host.StopAsync(ct);
        }

        Assert.Equal(80m + bulk.Length, before.GrossRevenue.Value);
        Assert.Equal(80m + bulk.Length - 15m, before.NetRevenue.Value);
        Assert.Equal(1 + bulk.Length, before.Orders.Value);
        Assert.Equal(3 + bulk.Length, before.EventsApplied);
        // The events are in PostgreSQL, not in a SQLite file: read back without Akka.
        Assert.Equal(3 + bulk.Length, await journal.CountJournalRowsAsync(TenantStoreIds.PersistenceIdFor(Store), ct));
        Assert.False(File.Exists(Path.Combine(data.Path, "journal.db")), "the embedded SQLite journal was used");

        using (var host = EngineHost.Build(data.Path, time, settings))
        {
            await host.StartAsync(ct);
            var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
            var tiles = host.Services.GetRequiredService<ITileQuery>();

            var after = await tiles.GetTilesAsync(Profile, ct);
            Assert.Equivalent(before, after, strict: true);

            Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(placed, ct));
            Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(update, ct));
            Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(Refund("r1", "o2", Now.AddMinutes(-30), 15m, eventId: "retry"), ct));
            Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(bulk[^1], ct));
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(Placed("o3", Now.AddMinutes(-1), 20m), ct));

            var later = await tiles.GetTilesAsync(Profile, ct);
            Assert.Equal(before.GrossRevenue.Value + 20m, later.GrossRevenue.Value);
            Assert.Equal(before.EventsApplied + 1, later.EventsApplied);
            await host.StopAsync(ct);
        }
    }

    [Fact]
    public async Task A_process_crashed_mid_stream_and_restarted_ends_with_the_oracle_figures()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using var journal = await PostgresTestDatabase.CreateAsync(ct);
        var time = new FakeTimeProvider(Now);
        var traffic = WebhookTraffic.Generate(storeCount: 4, ordersPerStore: 40, Now, seed: 23);
        var log = new NodeLog();
        var giveUpAfter = TimeSpan.FromSeconds(40);

        try
        {
            await using var crashed = await ClusterTestNode.StartAsync("process-1", data.Path, time, journal.ConnectionString, seed: null, log, ct);
            var sender = new WebhookSender([crashed], giveUpAfter);
            var sending = sender.SendAsync(traffic.Chains, concurrency: 8, pace: TimeSpan.FromMilliseconds(20), ct);

            while (sender.CompletedChains < traffic.Chains.Count / 3 && !sending.IsCompleted)
            {
                await Task.Delay(20, ct);
            }

            Assert.False(sending.IsCompleted, "the traffic finished before the crash; the test would prove nothing");
            // No leave, no hand-off, no final snapshot: what a killed process leaves behind is the journal alone.
            await crashed.CrashAsync();
            await Task.Delay(500, ct);
            await using var restarted = await ClusterTestNode.StartAsync("process-2", data.Path, time, journal.ConnectionString, seed: null, log, ct);
            sender.Add(restarted);
            await sending;

            Assert.True(sender.FailedAttempts > 0, "no delivery failed, so the crash hit nothing in flight");
            Assert.Equal(traffic.Deliveries, sender.Accepted + sender.Duplicates);
            foreach (var store in traffic.Stores)
            {
                var expected = traffic.ExpectedFor(store);
                var profile = new StoreProfile(store, store.StoreId, SalesChannel.Shopify, $"{store.StoreId}.myshopify.com", "GBP", "Europe/London", "s");
                var tiles = await sender.UntilAnsweredAsync(n => n.Tiles.GetTilesAsync(profile, ct), $"tiles of {store}", ct);
                Assert.Equal(expected.Gross, tiles.GrossRevenue.Value);
                Assert.Equal(expected.Refunds, tiles.Refunds.Value);
                Assert.Equal(expected.Net, tiles.NetRevenue.Value);
                Assert.Equal(expected.Orders, tiles.Orders.Value);
                Assert.Equal(expected.Units, tiles.UnitsSold.Value);
                Assert.Equal(expected.NewCustomers, tiles.NewCustomers.Value);
                Assert.Equal(expected.ReturningCustomers, tiles.ReturningCustomers.Value);
                Assert.Equal(expected.EventsApplied, tiles.EventsApplied);
                Assert.Equal(expected.EventsApplied, await journal.CountJournalRowsAsync(TenantStoreIds.PersistenceIdFor(store), ct));
            }
        }
        catch
        {
            log.WriteTo(TestContext.Current.TestOutputHelper);
            throw;
        }
    }
}
