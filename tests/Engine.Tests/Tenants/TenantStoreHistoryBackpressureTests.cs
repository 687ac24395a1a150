using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A full history writer refuses facts rather than growing. The entity keeps the refused facts, takes no new events
/// until the writer has them (so the door's senders wait and slow down), and hands them over again: none is lost.
/// </summary>
public sealed class TenantStoreHistoryBackpressureTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-backpressure", output)
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
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
    public async Task An_entity_whose_facts_a_full_history_writer_refused_holds_new_events_and_hands_the_facts_over_again()
    {
        var store = new StoreRef("acme", "backpressure");
        var history = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new TenantStoreActor(
            TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, history.Ref, TimeSpan.FromMilliseconds(50), TenantStoreActor.DefaultMinuteCheckInterval)));
        var first = Placed("o1", Today.AddMinutes(-10), 40m, store: store);
        var second = Placed("o2", Today.AddMinutes(-5), 15m, store: store);

        entity.Tell(new TenantStore.Record(first));
        Assert.Equal(IngestOutcome.Accepted, (await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct)).Outcome);
        var handed = await history.ExpectMsgAsync<HistoryWriter.Record>(cancellationToken: Ct);
        history.Reply(new HistoryWriter.Refused(handed.Event));

        // Held while the writer has not taken the first event's facts: no answer yet, so the sender waits.
        entity.Tell(new TenantStore.Record(second));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300), Ct);

        // The entity hands the refused event over again, then takes the held one.
        var again = await history.ExpectMsgAsync<HistoryWriter.Record>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        Assert.Equal(first.EventId, again.Event.EventId);
        var recorded = await ExpectMsgAsync<TenantStore.Recorded>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        Assert.Equal((second.EventId, IngestOutcome.Accepted), (recorded.EventId, recorded.Outcome));
        Assert.Equal(second.EventId, (await history.ExpectMsgAsync<HistoryWriter.Record>(cancellationToken: Ct)).Event.EventId);
    }

    [Fact]
    public async Task A_Kafka_delivery_hands_its_accepted_events_to_history_in_one_message_and_refused_ones_hold_the_next_delivery()
    {
        const string partition = "salesdash.commerce-events/0";
        var store = new StoreRef("acme", "kafka-backpressure");
        var history = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new TenantStoreActor(
            TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, history.Ref, TimeSpan.FromMilliseconds(50), TenantStoreActor.DefaultMinuteCheckInterval)));
        var first = Placed("k1", Today.AddMinutes(-10), 40m, store: store);
        var third = Placed("k3", Today.AddMinutes(-8), 12.5m, store: store);
        var later = Placed("k4", Today.AddMinutes(-5), 15m, store: store);

        // The second record repeats the first (a webhook delivered twice): only the two accepted go to history, together.
        var answer = await entity.Ask<TenantStore.BatchRecorded>(
            new TenantStore.RecordBatch(store, partition, -1, [new(0, first), new(1, first), new(2, third)]), TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(new[] { IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted }, answer.Outcomes);
        var handed = await history.ExpectMsgAsync<HistoryWriter.RecordAll>(cancellationToken: Ct);
        Assert.Equal(new[] { first.EventId, third.EventId }, handed.Events.Select(e => e.EventId));
        foreach (var e in handed.Events)
        {
            history.Reply(new HistoryWriter.Refused(e));
        }

        // The refusals reach the entity before the next delivery: it waits until they are handed over again.
        var next = entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, partition, 2, [new(3, later)]), TimeSpan.FromSeconds(30), Ct);
        var again = new[]
        {
            await history.ExpectMsgAsync<HistoryWriter.Record>(TimeSpan.FromSeconds(10), cancellationToken: Ct),
            await history.ExpectMsgAsync<HistoryWriter.Record>(TimeSpan.FromSeconds(10), cancellationToken: Ct),
        };
        Assert.Equal(new[] { first.EventId, third.EventId }, again.Select(r => r.Event.EventId));
        Assert.Equal(new[] { IngestOutcome.Accepted }, (await next).Outcomes);
        Assert.Equal(new[] { later.EventId }, (await history.ExpectMsgAsync<HistoryWriter.RecordAll>(cancellationToken: Ct)).Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task When_the_history_writer_has_room_again_the_refused_facts_go_over_and_the_held_delivery_is_folded_at_once()
    {
        const string partition = "salesdash.commerce-events/0";
        var store = new StoreRef("acme", "kafka-room");
        var history = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new TenantStoreActor(
            TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, history.Ref, TimeSpan.FromMilliseconds(50), TenantStoreActor.DefaultMinuteCheckInterval)));
        var first = Placed("r1", Today.AddMinutes(-10), 40m, store: store);
        var later = Placed("r2", Today.AddMinutes(-5), 15m, store: store);

        await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, partition, -1, [new(0, first)]), TimeSpan.FromSeconds(10), Ct);
        var handed = await history.ExpectMsgAsync<HistoryWriter.RecordAll>(cancellationToken: Ct);
        history.Reply(new HistoryWriter.Refused(handed.Events.Single()));
        var next = entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, partition, 0, [new(1, later)]), TimeSpan.FromSeconds(30), Ct);

        // The writer has written a batch and says so. The entity's mailbox holds, in this order: the refusal, the held
        // delivery, this, and the question below; so the answer shows whether the delivery was taken on the writer's word
        // or is still waiting for the entity's own retry (a second later).
        entity.Tell(BatchWriter.Room.Instance, history.Ref);
        var tiles = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "UTC"), TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, tiles.EventsApplied);
        Assert.Equal(55m, tiles.GrossRevenue.Value);
        Assert.Equal(new[] { IngestOutcome.Accepted }, (await next).Outcomes);
        Assert.Equal(first.EventId, (await history.ExpectMsgAsync<HistoryWriter.Record>(cancellationToken: Ct)).Event.EventId);
        Assert.Equal(new[] { later.EventId }, (await history.ExpectMsgAsync<HistoryWriter.RecordAll>(cancellationToken: Ct)).Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task Minute_rows_a_full_snapshot_writer_refused_are_sent_again()
    {
        var store = new StoreRef("acme", "minutes-backpressure");
        var snapshots = CreateTestProbe();
        var entity = Sys.ActorOf(Props.Create(() => new TenantStoreActor(
            TenantStoreIds.EntityIdFor(store), _time, snapshots.Ref, CreateTestProbe().Ref, TimeSpan.FromMilliseconds(50), TenantStoreActor.DefaultMinuteCheckInterval)));
        var placed = Today.AddMinutes(-10);

        entity.Tell(new TenantStore.Record(Placed("o1", placed, 40m, store: store)));
        await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct);
        var offered = await snapshots.ExpectMsgAsync<SnapshotWriter.Enqueue>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        snapshots.Reply(new SnapshotWriter.Refused(offered.Rows));

        // Nothing else happens to the store: the refused minute is offered again on its own.
        var again = await snapshots.ExpectMsgAsync<SnapshotWriter.Enqueue>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        var row = Assert.Single(again.Rows);
        Assert.Equal((offered.Rows.Single().Minute, 40m, 1), (row.Minute, row.GrossRevenue, row.Orders));
    }
}
