using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.History.DuckDb;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class TenantStoreRestartTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    [Fact]
    public async Task Figures_survive_a_restart_and_deliveries_seen_before_stay_duplicates()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;

        var placed = Placed("o1", Now.AddHours(-2), 100m, units: 2);
        var update = Updated(placed, Now.AddHours(-1), 80m);
        var refund = Refund("r1", "o2", Now.AddMinutes(-30), 15m);
        // More than SnapshotEvery small orders, so recovery goes through a snapshot as well as the journal.
        var bulk = Enumerable.Range(0, TenantStoreActor.SnapshotEvery + 20)
            .Select(i => Placed($"bulk-{i}", Now.AddMinutes(-180 + (i % 170)), 1m, returning: i % 2 == 0))
            .ToArray();

        DashboardTiles before;
        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
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

        // The per-node writer flushed every changed minute before the node stopped.
        using (var snapshots = new DuckDbMinuteSnapshotStore(DuckDbMinuteSnapshotStore.ConnectionStringFor(data.Path)))
        {
            var rows = await snapshots.ReadAsync(Store, Now.AddDays(-1), Now.AddMinutes(1), ct);
            Assert.Equal(before.GrossRevenue.Value, rows.Sum(r => r.GrossRevenue));
            Assert.Equal(15m, rows.Sum(r => r.Refunds));
            Assert.Equal(1 + bulk.Length, rows.Sum(r => r.Orders));
        }

        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
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
}
