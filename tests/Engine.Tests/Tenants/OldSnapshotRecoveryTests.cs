using System.Text;
using Akka.Actor;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>A store whose journal and snapshot were written by the release before channel series recovers whole.</summary>
public sealed class OldSnapshotRecoveryTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreProfile Profile = new(Store, "Acme EU", SalesChannel.Shopify, "acme-eu.myshopify.com", "GBP", "Europe/London", "secret");

    // What the previous release wrote after these two orders: no format, no channel buckets, no order channel.
    private const string FormatOneSnapshot = """
        {"EventsApplied":2,"Currency":"GBP","TimeZone":"Europe/London","Watermark":"2026-06-10T10:31:00+00:00",
         "Buckets":[{"Minute":"2026-06-10T10:30:00+00:00","GrossRevenue":65.0,"Refunds":0,"Orders":2,"Units":2,
                     "NewCustomerOrders":2,"ReturningCustomerOrders":0,"CancelledOrders":0,"Sessions":0,"AdSpend":0}],
         "Orders":[{"OrderId":"o1","Version":"2026-06-10T10:30:15+00:00","PlacedMinute":"2026-06-10T10:30:00+00:00",
                    "TotalPrice":40.0,"Units":1,"ReturningCustomer":false,"Cancelled":false},
                   {"OrderId":"o2","Version":"2026-06-10T10:30:40+00:00","PlacedMinute":"2026-06-10T10:30:00+00:00",
                    "TotalPrice":25.0,"Units":1,"ReturningCustomer":false,"Cancelled":false}],
         "Refunds":[],
         "SeenEvents":[{"EventId":"placed-o1","OccurredMinute":"2026-06-10T10:30:00+00:00"},
                       {"EventId":"placed-o2","OccurredMinute":"2026-06-10T10:30:00+00:00"}]}
        """;

    [Fact]
    public async Task An_entity_recovers_from_a_format_one_snapshot_with_its_figures_and_dedupe_and_goes_on_counting()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        var ct = TestContext.Current.CancellationToken;
        var o1 = Placed("o1", Utc(2026, 6, 10, 10, 30, 15), 40m);
        var o2 = Placed("o2", Utc(2026, 6, 10, 10, 30, 40), 25m);

        using var host = await EngineHost.StartAsync(data.Path, time);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var serializer = new SalesDashSerializer((ExtendedActorSystem)system);
        var snapshot = (KpiSnapshot)serializer.FromBinary(Encoding.UTF8.GetBytes(FormatOneSnapshot), "kpi-snapshot.v1");
        Assert.Equal(1, snapshot.Format);

        // The old release's journal (two events) and its snapshot after them, under the entity's persistence id.
        var planted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CommerceEvent[] journal = [o1, o2];
        var persistenceId = TenantStoreIds.PersistenceIdFor(Store);
        system.ActorOf(Props.Create(() => new Planter(persistenceId, journal, snapshot, planted)));
        await planted.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        var tiles = host.Services.GetRequiredService<ITileQuery>();
        var recovered = await tiles.GetTilesAsync(Profile, ct);
        Assert.Equal((65m, 2m, 2L), (recovered.GrossRevenue.Value, recovered.Orders.Value, recovered.EventsApplied));

        // Deliveries seen before the upgrade stay duplicates; new ones, on any channel, count.
        Assert.Equal(IngestOutcome.Duplicate, await ingest.IngestAsync(o1, ct));
        Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(Placed("o3", Utc(2026, 6, 10, 11, 0), 10m) with { Channel = SalesChannel.Amazon }, ct));
        Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(Updated(o2, Utc(2026, 6, 10, 11, 5), 30m), ct));
        var later = await tiles.GetTilesAsync(Profile, ct);
        Assert.Equal((75m + 30m - 25m, 3m), (later.GrossRevenue.Value, later.Orders.Value));
        await host.StopAsync(ct);
    }

    /// <summary>Writes events and then a snapshot under a persistence id, as an earlier release's entity did.</summary>
    private sealed class Planter : ReceivePersistentActor
    {
        public Planter(string persistenceId, CommerceEvent[] events, KpiSnapshot snapshot, TaskCompletionSource done)
        {
            PersistenceId = persistenceId;
            Recover<RecoveryCompleted>(_ =>
            {
                PersistAll(events, _ => { });
                DeferAsync(snapshot, s => SaveSnapshot(s));
            });
            Command<SaveSnapshotSuccess>(_ =>
            {
                done.TrySetResult();
                Context.Stop(Self);
            });
            Command<SaveSnapshotFailure>(f => done.TrySetException(f.Cause));
        }

        public override string PersistenceId { get; }
    }
}
