using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Remote.Hosting;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// The entity writes what arrives during a journal write as one atomic write, and answers a sender only once its
/// event is durable. A journal the test holds and releases (<see cref="GatedJournal"/>) puts each step in a known
/// order, so nothing here depends on timing.
/// </summary>
public sealed class TenantStoreGroupCommitTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-group-commit", output)
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private readonly FakeTimeProvider _time = new(Today);

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithRemoting("127.0.0.1", 0)
        .WithClustering()
        .AddHocon(
            $$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.gated"
            akka.persistence.journal.gated.class = "{{typeof(GatedJournal).AssemblyQualifiedName}}"
            akka.persistence.journal.gated.plugin-dispatcher = "akka.actor.default-dispatcher"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            """,
            HoconAddMode.Prepend);

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private IActorRef StartEntity(StoreRef store) => Sys.ActorOf(Props.Create(() => new TenantStoreActor(
        TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, TimeSpan.FromMilliseconds(50))));

    /// <summary>The journal, told to report every write to <paramref name="writes"/> and to hold writes until released.</summary>
    private async Task<IActorRef> HeldJournalAsync(IActorRef writes)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        await journal.Ask<Done>(new GatedJournal.Watch(writes), TimeSpan.FromSeconds(10), Ct);
        await journal.Ask<Done>(GatedJournal.Hold.Instance, TimeSpan.FromSeconds(10), Ct);
        return journal;
    }

    /// <summary>The next write to reach the journal, skipping reports of writes stored.</summary>
    private async Task<GatedJournal.WriteArrived> NextWriteAsync(TestProbe writes)
    {
        while (true)
        {
            if (await writes.ExpectMsgAsync<object>(cancellationToken: Ct) is GatedJournal.WriteArrived arrived)
            {
                return arrived;
            }
        }
    }

    private Task<DashboardTiles> TilesAsync(IActorRef entity, StoreRef store) =>
        entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);

    [Fact]
    public async Task A_retry_of_an_event_still_being_written_waits_and_is_stored_itself_when_that_write_is_rejected()
    {
        var store = new StoreRef("acme", "retry-during-rejected-write");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        var order = Placed("o1", Today.AddMinutes(-10), 40m, store: store);
        var first = CreateTestProbe();
        var retry = CreateTestProbe();

        entity.Tell(new TenantStore.Record(order), first.Ref);
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(w => Assert.Equal([order.EventId], w.EventIds), cancellationToken: Ct);
        // The platform retries while the first copy is still in the journal's hands; the tiles answer proves the
        // entity has decided the retry before the journal says anything.
        entity.Tell(new TenantStore.Record(order), retry.Ref);
        Assert.Equal(0, (await TilesAsync(entity, store)).EventsApplied);

        await journal.Ask<Done>(new GatedJournal.Release(Reject: true), TimeSpan.FromSeconds(10), Ct);

        // Today's bug: the retry was answered "duplicate" at once, acknowledged, and lost with the rejected write.
        var failure = await first.ExpectMsgAsync<Status.Failure>(cancellationToken: Ct);
        Assert.IsType<EventNotDurableException>(failure.Cause);
        var retried = await retry.ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct);
        Assert.Equal(IngestOutcome.Accepted, retried.Outcome);
        var tiles = await TilesAsync(entity, store);
        Assert.Equal(40m, tiles.GrossRevenue.Value);
        Assert.Equal(1, tiles.EventsApplied);
    }

    [Fact]
    public async Task An_ask_whose_write_is_refused_fails_as_not_durable_which_webhook_doors_answer_with_a_retryable_503()
    {
        var store = new StoreRef("acme", "refused-ask");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);

        // The same ask the embedded ingest makes; its TimeoutException family is what the endpoints map to 503.
        var ask = entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o1", Today.AddMinutes(-10), 40m, store: store)), TimeSpan.FromSeconds(30), Ct);
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        await journal.Ask<Done>(new GatedJournal.Release(Reject: true), TimeSpan.FromSeconds(10), Ct);

        var refused = await Assert.ThrowsAsync<EventNotDurableException>(() => ask);
        Assert.IsAssignableFrom<TimeoutException>(refused);
    }

    [Fact]
    public async Task A_retry_of_an_event_still_being_written_is_answered_duplicate_only_after_that_write_is_durable()
    {
        var store = new StoreRef("acme", "retry-during-write");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        var order = Placed("o1", Today.AddMinutes(-10), 40m, store: store);

        entity.Tell(new TenantStore.Record(order));
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        entity.Tell(new TenantStore.Record(order));
        await TilesAsync(entity, store);
        await journal.Ask<Done>(new GatedJournal.Release(Reject: false), TimeSpan.FromSeconds(10), Ct);

        // One sender sees both answers in the order they were sent: the write's, then the retry's.
        Assert.Equal(IngestOutcome.Accepted, (await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct)).Outcome);
        Assert.Equal(IngestOutcome.Duplicate, (await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct)).Outcome);
        Assert.Equal(1, (await TilesAsync(entity, store)).EventsApplied);
    }

    [Fact]
    public async Task Events_arriving_during_a_write_go_to_the_journal_as_one_write_and_each_counts_once()
    {
        var store = new StoreRef("acme", "group-commit");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        // Prices with odd cents, so the oracle is checked to the cent.
        var orders = Enumerable.Range(0, 21).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 10.01m * (i + 1) + 0.37m, store: store)).ToArray();

        entity.Tell(new TenantStore.Record(orders[0]));
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(w => Assert.Equal([orders[0].EventId], w.EventIds), cancellationToken: Ct);
        foreach (var order in orders[1..])
        {
            entity.Tell(new TenantStore.Record(order));
        }

        entity.Tell(new TenantStore.Record(orders[5])); // a duplicate inside the forming batch
        entity.Tell(new TenantStore.Record(orders[0])); // a duplicate of the write under way
        Assert.Equal(0, (await TilesAsync(entity, store)).EventsApplied);
        Assert.False(HasMessages); // nothing is durable, so nobody has an answer

        await journal.Ask<Done>(new GatedJournal.Release(Reject: false), TimeSpan.FromSeconds(10), Ct);

        // Everything that arrived during the first write is the second write: one atomic write, one transaction.
        var second = await NextWriteAsync(writes);
        Assert.Equal(1, second.AtomicWrites);
        Assert.Equal(orders[1..].Select(o => o.EventId), second.EventIds);

        var replies = new List<TenantStore.Recorded>();
        for (var i = 0; i < orders.Length + 2; i++)
        {
            replies.Add(await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct));
        }

        Assert.Equal(orders.Select(o => o.EventId).Order(), replies.Where(r => r.Outcome == IngestOutcome.Accepted).Select(r => r.EventId).Order());
        Assert.Equal([orders[0].EventId, orders[5].EventId], replies.Where(r => r.Outcome == IngestOutcome.Duplicate).Select(r => r.EventId).Order());

        // Duplicates across batches: both writes are durable now.
        entity.Tell(new TenantStore.Record(orders[0]));
        entity.Tell(new TenantStore.Record(orders[17]));
        Assert.Equal(IngestOutcome.Duplicate, (await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct)).Outcome);
        Assert.Equal(IngestOutcome.Duplicate, (await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct)).Outcome);

        var tiles = await TilesAsync(entity, store);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Length, tiles.EventsApplied);
    }

    [Fact]
    public async Task Every_sender_of_a_rejected_group_write_is_told_and_their_redeliveries_count_once()
    {
        var store = new StoreRef("acme", "rejected-batch");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        var orders = Enumerable.Range(0, 6).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 3.33m * (i + 1), store: store)).ToArray();

        entity.Tell(new TenantStore.Record(orders[0]));
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        foreach (var order in orders[1..])
        {
            entity.Tell(new TenantStore.Record(order));
        }

        await TilesAsync(entity, store);
        // The first write is stored; the group behind it is refused whole.
        await journal.Ask<Done>(new GatedJournal.Release(Reject: false, RejectNext: true), TimeSpan.FromSeconds(10), Ct);

        var answers = new List<object>();
        for (var i = 0; i < orders.Length; i++)
        {
            answers.Add(await ExpectMsgAsync<object>(cancellationToken: Ct));
        }

        Assert.Single(answers.OfType<TenantStore.Recorded>(), r => r.EventId == orders[0].EventId && r.Outcome == IngestOutcome.Accepted);
        Assert.Equal(5, answers.OfType<Status.Failure>().Count(f => f.Cause is EventNotDurableException));

        foreach (var order in orders)
        {
            entity.Tell(new TenantStore.Record(order));
        }

        var redelivered = new List<TenantStore.Recorded>();
        for (var i = 0; i < orders.Length; i++)
        {
            redelivered.Add(await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct));
        }

        Assert.Equal(orders[1..].Select(o => o.EventId).Order(), redelivered.Where(r => r.Outcome == IngestOutcome.Accepted).Select(r => r.EventId).Order());
        Assert.Equal([orders[0].EventId], redelivered.Where(r => r.Outcome == IngestOutcome.Duplicate).Select(r => r.EventId));
        var tiles = await TilesAsync(entity, store);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Length, tiles.EventsApplied);
    }

    [Fact]
    public async Task An_entity_that_dies_mid_batch_after_a_durable_write_counts_every_redelivery_once()
    {
        var store = new StoreRef("acme", "dies-mid-batch");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var orders = Enumerable.Range(0, 6).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 7.77m * (i + 1), store: store)).ToArray();
        var entity = StartEntity(store);

        // o0 is being written; o1..o5 are accepted into the next batch, not yet written. Nobody has an answer.
        entity.Tell(new TenantStore.Record(orders[0]));
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        foreach (var order in orders[1..])
        {
            entity.Tell(new TenantStore.Record(order));
        }

        await TilesAsync(entity, store);
        Watch(entity);
        Sys.Stop(entity);
        await ExpectTerminatedAsync(entity, cancellationToken: Ct);

        // The crash fell between the write and its answer: o0 becomes durable with nobody left to acknowledge it.
        await journal.Ask<Done>(new GatedJournal.Release(Reject: false), TimeSpan.FromSeconds(10), Ct);
        await writes.FishForMessageAsync(m => m is GatedJournal.WriteStored stored && stored.EventIds.SequenceEqual([orders[0].EventId]), cancellationToken: Ct);
        Assert.False(HasMessages);

        // Every sender retries, since none was answered.
        var revived = StartEntity(store);
        foreach (var order in orders)
        {
            revived.Tell(new TenantStore.Record(order));
        }

        var replies = new List<TenantStore.Recorded>();
        for (var i = 0; i < orders.Length; i++)
        {
            replies.Add(await ExpectMsgAsync<TenantStore.Recorded>(cancellationToken: Ct));
        }

        Assert.Equal([orders[0].EventId], replies.Where(r => r.Outcome == IngestOutcome.Duplicate).Select(r => r.EventId));
        Assert.Equal(orders[1..].Select(o => o.EventId).Order(), replies.Where(r => r.Outcome == IngestOutcome.Accepted).Select(r => r.EventId).Order());
        var tiles = await TilesAsync(revived, store);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Length, tiles.EventsApplied);
    }
}

/// <summary>
/// An in-memory journal the test steers: it reports each write (and each stored write) to a watcher, and while
/// held, keeps writes waiting until released, then stores or refuses them.
/// </summary>
public sealed class GatedJournal : MemoryJournal
{
    private TaskCompletionSource<bool>? _gate;
    private IActorRef _watcher = ActorRefs.Nobody;
    private bool _rejectNext;

    /// <summary>Report writes to this actor.</summary>
    public sealed record Watch(IActorRef Watcher);

    /// <summary>Writes from now on wait until <see cref="Release"/>.</summary>
    public sealed class Hold
    {
        public static readonly Hold Instance = new();
    }

    /// <summary>Lets the waiting writes go (refused when <paramref name="Reject"/>) and stops holding; with
    /// <paramref name="RejectNext"/> the next write to arrive is refused.</summary>
    public sealed record Release(bool Reject, bool RejectNext = false);

    /// <summary>A write reached the journal: how many atomic writes (transactions), and the events' ids in order.</summary>
    public sealed record WriteArrived(int AtomicWrites, IReadOnlyList<string> EventIds);

    /// <summary>A write is stored.</summary>
    public sealed record WriteStored(IReadOnlyList<string> EventIds);

    protected override bool ReceivePluginInternal(object message)
    {
        switch (message)
        {
            case Watch watch:
                _watcher = watch.Watcher;
                Sender.Tell(Done.Instance);
                return true;
            case Hold:
                _gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                Sender.Tell(Done.Instance);
                return true;
            case Release release:
                var gate = _gate;
                _gate = null;
                _rejectNext = release.RejectNext;
                gate?.TrySetResult(release.Reject);
                Sender.Tell(Done.Instance);
                return true;
            default:
                return base.ReceivePluginInternal(message);
        }
    }

    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var ids = writes.SelectMany(w => (IImmutableList<IPersistentRepresentation>)w.Payload).Select(p => ((CommerceEvent)p.Payload).EventId).ToList();
        _watcher.Tell(new WriteArrived(writes.Count, ids));
        var reject = false;
        if (_gate is { } gate)
        {
            reject = await gate.Task;
        }
        else if (_rejectNext)
        {
            _rejectNext = false;
            reject = true;
        }

        if (reject)
        {
            return writes.Select(_ => (Exception?)new InvalidOperationException("The journal could not store this write.")).ToImmutableList();
        }

        var stored = await base.WriteMessagesAsync(writes, cancellationToken);
        _watcher.Tell(new WriteStored(ids));
        return stored;
    }
}
