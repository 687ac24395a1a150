using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.History;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A snapshot (or Kafka mode's checkpoint) covers only events whose history facts and minute rows the node's writers
/// have written. The node crashes after the journal commit and the snapshot's turn, while the writers still hold the
/// facts and rows (their write under way and never finishing, as a killed process's would); the next life must put
/// every accepted event into history once, to the cent, and its minute rows too. Before the fix the snapshot was saved
/// at once, recovery replayed only the events after it, and the facts and rows of the first 500 were gone.
/// </summary>
public sealed class TenantStoreWriteThroughTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-write-through", output)
{
    private const string Partition = "salesdash.commerce-events/1";
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    /// <summary>
    /// A bound, never what a test measures: each wait ends with an answer that is already on its way. Generous because a
    /// write of a few hundred facts and rows into DuckDB took over 30 s at a load of 85 on this 2-core box.
    /// </summary>
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private static readonly HistoryRange Day = new(Today.AddDays(-1), Today.AddDays(1));
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

    /// <summary>More than one snapshot's worth of orders, each its own price with cents, over an hour of minute rows, so one lost or counted twice shows.</summary>
    private static OrderPlaced[] Orders(StoreRef store) =>
    [
        .. Enumerable.Range(0, TenantStoreActor.SnapshotEvery + 20)
            .Select(i => Placed($"w{i}", Today.AddMinutes(-90 + (i % 60)), 3.07m + (i % 97) * 1.13m, store: store)),
    ];

    [Fact]
    public async Task A_crash_while_the_writers_hold_what_a_snapshot_covers_loses_no_history_fact_or_minute_row_and_counts_none_twice()
    {
        var store = new StoreRef("acme", "write-through");
        var orders = Orders(store);
        await using var history = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var facts = new StallingSink<HistoryBatch>(new HistoryFactSink(history.Store));
        var rows = new StallingSink<MinuteRowBatch>(new MinuteRowSink(history.Store));
        var (factWriter, rowWriter) = StartWriters(facts, rows);
        var entity = StartEntity(store, factWriter, rowWriter);

        // The first hundred reach the store in this life, so the next life's second hand-over of them must not count twice.
        await RecordAsync(entity, orders[..100]);
        await factWriter.Ask<BatchWriter<HistoryBatch>.Flushed>(BatchWriter<HistoryBatch>.FlushNow.Instance, Wait, Ct);
        await rowWriter.Ask<BatchWriter<MinuteRowBatch>.Flushed>(BatchWriter<MinuteRowBatch>.FlushNow.Instance, Wait, Ct);
        Assert.Equal(100, (await TotalsAsync(history.Store, store)).Orders);

        // From here every write hangs, as one under way when the process dies; the snapshot after SnapshotEvery is due meanwhile.
        facts.Stall();
        rows.Stall();
        await RecordAsync(entity, orders[100..]);
        await SettleAsync(entity, store);

        await CrashAsync(entity, factWriter, rowWriter);
        (factWriter, rowWriter) = StartWriters(new HistoryFactSink(history.Store), new MinuteRowSink(history.Store));
        entity = StartEntity(store, factWriter, rowWriter);
        var tiles = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);

        await AssertHistoryHoldsAsync(history.Store, store, orders, factWriter, rowWriter);
    }

    [Fact]
    public async Task A_crash_while_the_writers_hold_what_a_kafka_checkpoint_covers_loses_nothing_when_the_stream_is_redelivered()
    {
        var store = new StoreRef("acme", "write-through-kafka");
        var records = Orders(store).Select((order, i) => new TenantStore.PositionedEvent(1_000 + i, order)).ToArray();
        var orders = records.Select(r => (OrderPlaced)r.Event).ToArray();
        await using var history = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var facts = new StallingSink<HistoryBatch>(new HistoryFactSink(history.Store));
        var rows = new StallingSink<MinuteRowBatch>(new MinuteRowSink(history.Store));
        var (factWriter, rowWriter) = StartWriters(facts, rows);
        var entity = StartEntity(store, factWriter, rowWriter);

        await DeliverAsync(entity, store, -1, records[..100]);
        Assert.Equal(1_099, (await entity.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(store, Partition), Wait, Ct)).Durable);
        Assert.Equal(100, (await TotalsAsync(history.Store, store)).Orders);

        facts.Stall();
        rows.Stall();
        await DeliverAsync(entity, store, 1_099, records[100..]);

        // The consumer asks for a checkpoint; whatever it hears before the crash, the next life must fold again what its
        // facts had not reached the store.
        var consumer = CreateTestProbe();
        entity.Tell(new TenantStore.Checkpoint(store, Partition), consumer.Ref);
        await SettleAsync(entity, store);

        await CrashAsync(entity, factWriter, rowWriter);
        (factWriter, rowWriter) = StartWriters(new HistoryFactSink(history.Store), new MinuteRowSink(history.Store));
        entity = StartEntity(store, factWriter, rowWriter);

        // Kafka redelivers from the last commit, at most what the entity said was checkpointed.
        var answer = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, Partition, -1, records), Wait, Ct);
        Assert.False(answer.Gap);
        Assert.Equal(100, answer.Outcomes.Count(o => o == IngestOutcome.Duplicate));
        Assert.Equal(records.Length - 100, answer.Outcomes.Count(o => o == IngestOutcome.Accepted));

        await AssertHistoryHoldsAsync(history.Store, store, orders, factWriter, rowWriter);
    }

    [Fact]
    public async Task A_snapshot_due_while_the_history_writer_refuses_waits_until_the_refused_facts_are_taken_and_written()
    {
        var store = new StoreRef("acme", "write-through-refused");
        var orders = Orders(store)[..TenantStoreActor.SnapshotEvery];
        var writer = CreateTestProbe();
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(TenantStoreIds.EntityIdFor(store), _time, ActorRefs.Nobody, writer.Ref, TimeSpan.FromMilliseconds(50)));
        await RecordAsync(entity, orders);

        for (var i = 0; i < orders.Length - 1; i++)
        {
            await writer.ExpectMsgAsync<HistoryWriter.Record>(Wait, cancellationToken: Ct);
        }

        // The writer is full when the last one comes, and the entity's snapshot asks right behind it.
        var last = await writer.ExpectMsgAsync<HistoryWriter.Record>(Wait, cancellationToken: Ct);
        writer.Reply(new HistoryWriter.Refused(last.Event));
        var first = await writer.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        writer.Reply(new BatchWriter.Written(first.Token));
        await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Null(await LatestSnapshotAsync(store));

        // The refused fact goes over again, then the snapshot asks again; once that is answered it is saved.
        Assert.Equal(last.Event, (await writer.ExpectMsgAsync<HistoryWriter.Record>(Wait, cancellationToken: Ct)).Event);
        var second = await writer.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        Assert.NotEqual(first.Token, second.Token);
        writer.Reply(new BatchWriter.Written(second.Token));
        await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Equal(TenantStoreActor.SnapshotEvery, (await LatestSnapshotAsync(store))?.Metadata.SequenceNr);
    }

    [Fact]
    public async Task A_stopping_entity_forces_over_what_the_writers_refused_before_the_stop_and_only_then_saves_its_final_snapshot()
    {
        var store = new StoreRef("acme", "write-through-stopping");
        var order = Placed("s1", Today.AddMinutes(-10), 41.37m, store: store);
        var facts = CreateTestProbe();
        var rows = CreateTestProbe();
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(TenantStoreIds.EntityIdFor(store), _time, rows.Ref, facts.Ref, TimeSpan.FromMilliseconds(50)));
        await RecordAsync(entity, [order]);
        var fact = await facts.ExpectMsgAsync<HistoryWriter.Record>(Wait, cancellationToken: Ct);
        var offered = await rows.ExpectMsgAsync<SnapshotWriter.Enqueue>(Wait, cancellationToken: Ct);
        Assert.False(fact.Force || offered.Force);

        // Both writers were full for that fact and that minute's row, and their refusals reach the entity only after it
        // began to stop and asked them about its final snapshot.
        var watcher = CreateTestProbe();
        watcher.Watch(entity);
        entity.Tell(TenantStoreActor.Stop.Instance);
        var factsAsked = await facts.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        var rowsAsked = await rows.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        facts.Reply(new HistoryWriter.Refused(fact.Event));
        facts.Reply(new BatchWriter.Written(factsAsked.Token));
        rows.Reply(new SnapshotWriter.Refused(offered.Rows));
        rows.Reply(new BatchWriter.Written(rowsAsked.Token));

        // A stopping entity has no later to keep them for: both go over again forced, and the final snapshot asks again.
        var factAgain = await facts.ExpectMsgAsync<HistoryWriter.Record>(Wait, cancellationToken: Ct);
        Assert.Equal((order.EventId, true), (factAgain.Event.EventId, factAgain.Force));
        var rowsAgain = await rows.ExpectMsgAsync<SnapshotWriter.Enqueue>(Wait, cancellationToken: Ct);
        Assert.True(rowsAgain.Force);
        var row = Assert.Single(rowsAgain.Rows);
        Assert.Equal((offered.Rows.Single().Minute, 41.37m, 1), (row.Minute, row.GrossRevenue, row.Orders));
        Assert.Null(await LatestSnapshotAsync(store));

        var factsAskedAgain = await facts.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        var rowsAskedAgain = await rows.ExpectMsgAsync<BatchWriter.WriteThrough>(Wait, cancellationToken: Ct);
        Assert.True(factsAskedAgain.Token > factsAsked.Token && rowsAskedAgain.Token == factsAskedAgain.Token);
        facts.Reply(new BatchWriter.Written(factsAskedAgain.Token));
        rows.Reply(new BatchWriter.Written(rowsAskedAgain.Token));
        await watcher.ExpectTerminatedAsync(entity, Wait, cancellationToken: Ct);
        Assert.Equal(1, (await LatestSnapshotAsync(store))?.Metadata.SequenceNr);
    }

    private (IActorRef Facts, IActorRef Rows) StartWriters(IBatchSink<HistoryBatch> facts, IBatchSink<MinuteRowBatch> rows)
    {
        var settings = new BatchWriterSettings(TimeSpan.FromMilliseconds(100), 100_000, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400));
        return (Sys.ActorOf(Props.Create(() => new HistoryWriter(facts, settings, _time))),
            Sys.ActorOf(Props.Create(() => new SnapshotWriter(rows, settings, _time))));
    }

    private IActorRef StartEntity(StoreRef store, IActorRef facts, IActorRef rows) =>
        Sys.ActorOf(TenantStoreActor.PropsFor(TenantStoreIds.EntityIdFor(store), _time, rows, facts, TimeSpan.FromMilliseconds(50)));

    private static async Task RecordAsync(IActorRef entity, IEnumerable<OrderPlaced> orders)
    {
        var answers = await Task.WhenAll(orders.Select(o => entity.Ask<TenantStore.Recorded>(new TenantStore.Record(o), Wait, Ct)));
        Assert.All(answers, a => Assert.Equal(IngestOutcome.Accepted, a.Outcome));
    }

    private static async Task DeliverAsync(IActorRef entity, StoreRef store, long after, TenantStore.PositionedEvent[] records)
    {
        var answer = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, Partition, after, records), Wait, Ct);
        Assert.False(answer.Gap);
        Assert.All(answer.Outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
    }

    /// <summary>
    /// Lets what the entity sent while handling the last command (a snapshot to save) reach its destination: the entity
    /// answers a query only after that handler, and the snapshot store handles a load only after a save sent before it.
    /// </summary>
    private async Task SettleAsync(IActorRef entity, StoreRef store)
    {
        await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        await LatestSnapshotAsync(store);
    }

    private async Task<SelectedSnapshot?> LatestSnapshotAsync(StoreRef store)
    {
        var snapshots = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        var loaded = await snapshots.Ask<LoadSnapshotResult>(
            new LoadSnapshot(TenantStoreIds.PersistenceIdFor(store), SnapshotSelectionCriteria.Latest, long.MaxValue), Wait, Ct);
        return loaded.Snapshot;
    }

    /// <summary>The entity and both writers die with what they hold: no final snapshot, no last flush.</summary>
    private async Task CrashAsync(params IActorRef[] actors)
    {
        var watcher = CreateTestProbe();
        foreach (var actor in actors)
        {
            watcher.Watch(actor);
            actor.Tell(PoisonPill.Instance);
            await watcher.ExpectTerminatedAsync(actor, Wait, cancellationToken: Ct);
        }
    }

    private static async Task AssertHistoryHoldsAsync(IHistoryStore history, StoreRef store, OrderPlaced[] orders, IActorRef factWriter, IActorRef rowWriter)
    {
        // The entity handed everything over while recovering (before it answered), so a flush now covers all of it.
        await factWriter.Ask<BatchWriter<HistoryBatch>.Flushed>(BatchWriter<HistoryBatch>.FlushNow.Instance, Wait, Ct);
        await rowWriter.Ask<BatchWriter<MinuteRowBatch>.Flushed>(BatchWriter<MinuteRowBatch>.FlushNow.Instance, Wait, Ct);

        var totals = await TotalsAsync(history, store);
        Assert.Equal(orders.Length, totals.Orders);
        Assert.Equal(orders.Sum(o => o.TotalPrice), totals.GrossRevenue);

        var minuteRows = await history.ReadAsync(store, Day.FromUtc, Day.ToUtc, Ct);
        Assert.Equal(orders.Length, minuteRows.Sum(r => r.Orders));
        Assert.Equal(orders.Sum(o => o.TotalPrice), minuteRows.Sum(r => r.GrossRevenue));
    }

    private static async Task<HistoryTotals> TotalsAsync(IHistoryStore history, StoreRef store)
    {
        var slots = await history.SlotsAsync(HistoryScope.Store(store.TenantId, store.StoreId), Day, TimeSpan.FromDays(2), Ct);
        return slots.Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
    }

    /// <summary>Writes through to <paramref name="inner"/> until stalled; from then on a write never finishes, as one under way when the process dies.</summary>
    private sealed class StallingSink<TBatch>(IBatchSink<TBatch> inner) : IBatchSink<TBatch>
    {
        private volatile bool _stalled;

        public void Stall() => _stalled = true;

        public Task WriteAsync(TBatch batch, CancellationToken cancellationToken) =>
            _stalled ? new TaskCompletionSource().Task : inner.WriteAsync(batch, cancellationToken);

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

        public Task WriteDeadLettersAsync(IReadOnlyCollection<HistoryDeadLetter> letters, CancellationToken cancellationToken) =>
            inner.WriteDeadLettersAsync(letters, cancellationToken);
    }
}
