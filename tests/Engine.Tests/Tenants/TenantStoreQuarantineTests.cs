using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>A store whose journal or door sees an event it cannot count keeps answering, accepting and recovering.</summary>
public sealed class TenantStoreQuarantineTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The order of issue 14: two lines of 2,000,000,000, whose unit sum overflows int.</summary>
    private static OrderPlaced Issue14Order(string orderId, DateTimeOffset at) => Placed(orderId, at, 10m) with
    {
        Lines = [new OrderLine("a", "A", 2_000_000_000, 0m), new OrderLine("b", "B", 2_000_000_000, 0m)],
    };

    [Fact]
    public async Task A_journal_holding_the_issue_14_order_recovers_quarantines_it_and_survives_restarts_until_discarded()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        CommerceEvent[] journal = [Placed("o1", Now.AddMinutes(-30), 40m), Issue14Order("o2", Now.AddMinutes(-20)), Placed("o3", Now.AddMinutes(-10), 25m)];

        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
            // What an earlier release journaled: it accepted the bad order, and then threw on it on every recovery.
            var system = host.Services.GetRequiredService<ActorSystem>();
            var planted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new JournalPlanter(TenantStoreIds.PersistenceIdFor(Store), journal, planted)));
            await planted.Task.WaitAsync(Bound, Ct);

            var tiles = await TilesAsync(host);
            Assert.Equal((65m, 2m, 2m), (tiles.GrossRevenue.Value, tiles.Orders.Value, tiles.UnitsSold.Value));
            var entry = Assert.Single(await ListAsync(host));
            Assert.Equal(("j2", "placed-o2", "lines[0].quantity"), (entry.Id, entry.Event.EventId, entry.Field));

            var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(Placed("o4", Now.AddMinutes(-5), 10m), Ct));
            Assert.Equal(75m, (await TilesAsync(host)).GrossRevenue.Value);
            await host.StopAsync(Ct);
        }

        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
            var tiles = await TilesAsync(host);
            Assert.Equal((75m, 3m), (tiles.GrossRevenue.Value, tiles.Orders.Value));
            Assert.Equal(["j2"], (await ListAsync(host)).Select(e => e.Id));

            var region = await RegionAsync(host);
            var retried = await region.Ask<StoreQuarantine.Retried>(new StoreQuarantine.Retry(Store, "j2"), Bound, Ct);
            Assert.Equal((RetryOutcome.StillInvalid, "lines[0].quantity"), (retried.Outcome, retried.Problem?.Field));
            Assert.True((await region.Ask<StoreQuarantine.Discarded>(new StoreQuarantine.Discard(Store, "j2"), Bound, Ct)).Found);
            Assert.False((await region.Ask<StoreQuarantine.Discarded>(new StoreQuarantine.Discard(Store, "j2"), Bound, Ct)).Found);
            Assert.Empty(await ListAsync(host));
            await host.StopAsync(Ct);
        }

        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
            Assert.Empty(await ListAsync(host));
            Assert.Equal(75m, (await TilesAsync(host)).GrossRevenue.Value);
            await host.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task An_event_refused_at_the_entitys_door_is_held_once_and_a_retry_after_the_fix_counts_it_durably()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);

        // A record that reached the entity without an ingest's guard (another Kafka producer): dated two hours ahead.
        var early = Placed("o9", Now.AddHours(2), 30m);
        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
            var region = await RegionAsync(host);
            var first = await region.Ask<TenantStore.Recorded>(new TenantStore.Record(early), Bound, Ct);
            var again = await region.Ask<TenantStore.Recorded>(new TenantStore.Record(early), Bound, Ct);
            Assert.Equal((IngestOutcome.Quarantined, IngestOutcome.Quarantined), (first.Outcome, again.Outcome));
            var entry = Assert.Single(await ListAsync(host));
            Assert.Equal("occurredAt", entry.Field);

            // The store goes on counting while the entry waits.
            var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(Placed("o1", Now.AddMinutes(-5), 10m), Ct));

            var tooSoon = await region.Ask<StoreQuarantine.Retried>(new StoreQuarantine.Retry(Store, entry.Id), Bound, Ct);
            Assert.Equal((RetryOutcome.StillInvalid, "occurredAt"), (tooSoon.Outcome, tooSoon.Problem?.Field));

            // The fix here is time itself: three hours on, the event is no longer ahead of the clock.
            time.Advance(TimeSpan.FromHours(3));
            var retried = await region.Ask<StoreQuarantine.Retried>(new StoreQuarantine.Retry(Store, entry.Id), Bound, Ct);
            Assert.Equal(RetryOutcome.Applied, retried.Outcome);
            Assert.Empty(await ListAsync(host));
            Assert.Equal((40m, 2m), ((await TilesAsync(host)).GrossRevenue.Value, (await TilesAsync(host)).Orders.Value));
            await host.StopAsync(Ct);
        }

        using (var host = await EngineHost.StartAsync(data.Path, time))
        {
            var tiles = await TilesAsync(host);
            Assert.Equal((40m, 2m), (tiles.GrossRevenue.Value, tiles.Orders.Value));
            Assert.Empty(await ListAsync(host));
            await host.StopAsync(Ct);
        }
    }

    private static async Task<IActorRef> RegionAsync(IHost host) =>
        await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);

    private static async Task<IReadOnlyList<QuarantinedEvent>> ListAsync(IHost host) =>
        (await (await RegionAsync(host)).Ask<StoreQuarantine.Listed>(new StoreQuarantine.List(Store), Bound, Ct)).Entries;

    private static Task<DashboardTiles> TilesAsync(IHost host) => host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(Profile, Ct);

    /// <summary>Writes events under a persistence id, as an earlier release's entity did.</summary>
    private sealed class JournalPlanter : ReceivePersistentActor
    {
        public JournalPlanter(string persistenceId, CommerceEvent[] events, TaskCompletionSource done)
        {
            PersistenceId = persistenceId;
            Recover<RecoveryCompleted>(_ =>
            {
                PersistAll(events, _ => { });
                DeferAsync(events.Length, _ =>
                {
                    done.TrySetResult();
                    Context.Stop(Self);
                });
            });
        }

        public override string PersistenceId { get; }
    }
}
