using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A journal may reject one event (e.g. it cannot serialize it) and keep running. The entity must then forget
/// the event it had marked in flight, or every redelivery would be answered "duplicate", acknowledged, and lost.
/// </summary>
public sealed class TenantStorePersistRejectionTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-rejection", output)
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private readonly FakeTimeProvider _time = new(Today);

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithRemoting("127.0.0.1", 0)
        .WithClustering()
        .AddHocon(
            $$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.rejecting-once"
            akka.persistence.journal.rejecting-once.class = "{{typeof(RejectingOnceJournal).AssemblyQualifiedName}}"
            akka.persistence.journal.rejecting-once.plugin-dispatcher = "akka.actor.default-dispatcher"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """,
            HoconAddMode.Prepend);

    [Fact]
    public async Task An_event_the_journal_rejected_is_accepted_when_redelivered_not_answered_as_a_duplicate()
    {
        var store = new StoreRef("acme", "rejected");
        var entity = Sys.ActorOf(Props.Create(() => new TenantStoreActor(
            TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, TimeSpan.FromMilliseconds(50))));
        var order = Placed(RejectingOnceJournal.RejectedOrderId, Today.AddMinutes(-10), 40m, store: store);

        // The rejected write is answered "not durable" at once, so the caller delivers again instead of waiting out its ask.
        entity.Tell(new TenantStore.Record(order));
        var refused = await ExpectMsgAsync<Status.Failure>(cancellationToken: TestContext.Current.CancellationToken);
        Assert.IsType<EventNotDurableException>(refused.Cause);

        entity.Tell(new TenantStore.Record(order));
        var redelivered = await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(IngestOutcome.Accepted, redelivered.Outcome);
        var tiles = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(40m, tiles.GrossRevenue.Value);
        Assert.Equal(1, tiles.EventsApplied);
    }
}

/// <summary>An in-memory journal that rejects the first write of one order and stores everything else.</summary>
public sealed class RejectingOnceJournal : MemoryJournal
{
    public const string RejectedOrderId = "rejected-once";

    private bool _rejected;

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var results = new List<Exception?>();
        foreach (var write in writes)
        {
            var payloads = ((IImmutableList<IPersistentRepresentation>)write.Payload).Select(p => p.Payload);
            if (!_rejected && payloads.OfType<OrderEvent>().Any(o => o.OrderId == RejectedOrderId))
            {
                _rejected = true;
                results.Add(new InvalidOperationException("The journal could not store this event."));
                continue;
            }

            var stored = await base.WriteMessagesAsync([write], cancellationToken);
            results.Add(stored?.FirstOrDefault());
        }

        return results.ToImmutableList();
    }
}
