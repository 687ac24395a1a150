using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// Kafka mode's checkpoints over Akka's in-memory snapshot store. Every checkpoint of a Kafka-mode entity has sequence
/// number 0 (nothing is journaled), and that store reads a deletion bound of 0 or below as "no bound": the old-snapshot
/// clean-up after each save deleted the checkpoint just saved, so a restart recovered nothing (found at stop 18).
/// </summary>
public sealed class TenantStoreKafkaCheckpointTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-kafka-checkpoints", output)
{
    private const string Partition = "salesdash.commerce-events/0";
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(Today);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithRemoting("127.0.0.1", 0)
        .WithClustering()
        .AddHocon(
            """
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """,
            HoconAddMode.Prepend);

    [Fact]
    public async Task A_restart_recovers_the_newest_of_several_checkpoints_and_nothing_folded_after_it()
    {
        var store = new StoreRef("acme", "checkpoints");
        var records = Enumerable.Range(0, 30)
            .Select(i => new TenantStore.PositionedEvent(i, Placed($"c{i}", Today.AddMinutes(-60 + i), 10.01m + i * 1.37m, store: store)))
            .ToArray();
        var entity = Start(store);

        await DeliverAsync(entity, store, -1, records[0..10]);
        Assert.Equal(9, (await entity.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(store, Partition), Wait, Ct)).Durable);
        await DeliverAsync(entity, store, 9, records[10..20]);
        Assert.Equal(19, (await entity.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(store, Partition), Wait, Ct)).Durable);
        await DeliverAsync(entity, store, 19, records[20..30]);
        await CrashAsync(entity);

        var again = Start(store);
        var tiles = await again.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Equal((20, Gross(records[0..20])), (tiles.EventsApplied, tiles.GrossRevenue.Value));

        // Kafka redelivers from below the checkpoint: the checkpoint's half is a duplicate, the rest folds once.
        var outcomes = await DeliverAsync(again, store, -1, records[15..30]);
        Assert.Equal(Enumerable.Repeat(IngestOutcome.Duplicate, 5).Concat(Enumerable.Repeat(IngestOutcome.Accepted, 10)), outcomes);
        tiles = await again.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Equal((30, Gross(records)), (tiles.EventsApplied, tiles.GrossRevenue.Value));
    }

    private static decimal Gross(IEnumerable<TenantStore.PositionedEvent> records) => records.Sum(r => ((OrderEvent)r.Event).TotalPrice);

    private static async Task<IReadOnlyList<IngestOutcome>> DeliverAsync(IActorRef entity, StoreRef store, long after, TenantStore.PositionedEvent[] records)
    {
        var answer = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, Partition, after, records), Wait, Ct);
        Assert.False(answer.Gap);
        return answer.Outcomes;
    }

    private IActorRef Start(StoreRef store) => Sys.ActorOf(TenantStoreActor.PropsFor(
        TenantStoreIds.EntityIdFor(store), _time, ActorRefs.Nobody, ActorRefs.Nobody, TimeSpan.FromMilliseconds(50)));

    /// <summary>Stops the entity as a node crash would: no final snapshot.</summary>
    private async Task CrashAsync(IActorRef entity)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(entity);
        entity.Tell(PoisonPill.Instance);
        await watcher.ExpectTerminatedAsync(entity, Wait, cancellationToken: Ct);
    }
}
