using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Ingestion;

/// <summary>
/// The webhook door's own ask (<see cref="RecordAsk"/>): every delivery gets its own answer from a group commit, and a
/// timeout, a cancelled request and a refused write end the ask as Akka's <c>Ask</c> did, leaving no temporary actor
/// registered; each with the answers resumed one by one and together (<see cref="AnswerQueue"/>). The journal is held
/// and released by the test (<see cref="GatedJournal"/>), so nothing depends on timing.
/// </summary>
public sealed class ShardedCommerceEventIngestTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("sharded-ingest", output)
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

    private IActorRefProvider Provider => ((ExtendedActorSystem)Sys).Provider;

    private ShardedCommerceEventIngest Door(IActorRef region, bool together, TimeSpan? askTimeout = null) =>
        new(new FixedRegion(region), Options.Create(new EngineOptions { AskTimeout = askTimeout ?? TimeSpan.FromSeconds(30), AnswerWebhooksTogether = together }), _time);

    private IActorRef StartEntity(StoreRef store) => Sys.ActorOf(Props.Create(() => new TenantStoreActor(
        TenantStoreIds.EntityIdFor(store), _time, CreateTestProbe().Ref, TimeSpan.FromMilliseconds(50))));

    private async Task<IActorRef> HeldJournalAsync(IActorRef writes)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        await journal.Ask<Done>(new GatedJournal.Watch(writes), TimeSpan.FromSeconds(10), Ct);
        await journal.Ask<Done>(GatedJournal.Hold.Instance, TimeSpan.FromSeconds(10), Ct);
        return journal;
    }

    /// <summary>The temporary actor registered at <paramref name="path"/>, or Nobody once the ask has cleaned up.</summary>
    private IActorRef Registered(ActorPath path) => Provider.TempContainer.GetChild([path.Name]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_delivery_of_a_group_commit_gets_its_own_answer(bool together)
    {
        var store = new StoreRef("acme", "door-group");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        var door = Door(entity, together);
        var orders = Enumerable.Range(0, 40).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 1.11m * (i + 1), store: store)).ToArray();

        var first = door.IngestAsync(orders[0], Ct);
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        // The rest (and a copy of o7) arrive while the first write is held: the entity answers them from one group commit.
        var rest = orders[1..].Append(orders[7]).Select(o => door.IngestAsync(o, Ct)).ToArray();
        var tiles = await entity.Ask<Contracts.Tiles.DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, tiles.EventsApplied);
        Assert.False(first.IsCompleted || rest.Any(t => t.IsCompleted)); // nothing is durable, so nobody has an answer

        await journal.Ask<Done>(new GatedJournal.Release(Reject: false), TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(IngestOutcome.Accepted, await first);
        var outcomes = await Task.WhenAll(rest);
        Assert.Equal(Enumerable.Repeat(IngestOutcome.Accepted, orders.Length - 1), outcomes[..^1]);
        Assert.Equal(IngestOutcome.Duplicate, outcomes[^1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_delivery_of_a_refused_group_write_fails_as_not_durable(bool together)
    {
        var store = new StoreRef("acme", "door-refused");
        var writes = CreateTestProbe();
        var journal = await HeldJournalAsync(writes.Ref);
        var entity = StartEntity(store);
        var door = Door(entity, together);
        var orders = Enumerable.Range(0, 6).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 3.33m * (i + 1), store: store)).ToArray();

        var first = door.IngestAsync(orders[0], Ct);
        await writes.ExpectMsgAsync<GatedJournal.WriteArrived>(cancellationToken: Ct);
        var refused = orders[1..].Select(o => door.IngestAsync(o, Ct)).ToArray();
        await entity.Ask<Contracts.Tiles.DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);
        // The first write is stored; the group behind it is refused whole.
        await journal.Ask<Done>(new GatedJournal.Release(Reject: false, RejectNext: true), TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(IngestOutcome.Accepted, await first);
        foreach (var delivery in refused)
        {
            // A TimeoutException, which the webhook door answers with a retryable 503.
            await Assert.ThrowsAsync<EventNotDurableException>(() => delivery);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unanswered_delivery_times_out_with_the_error_of_Akkas_ask_and_leaves_no_ask_registered(bool together)
    {
        var entity = CreateTestProbe();
        var timeout = TimeSpan.FromMilliseconds(300);
        var record = new TenantStore.Record(Placed("o1", Today.AddMinutes(-10), 40m));

        var akkas = await Assert.ThrowsAsync<AskTimeoutException>(() => entity.Ref.Ask<TenantStore.Recorded>(record, timeout, Ct));
        await entity.ExpectMsgAsync<TenantStore.Record>(cancellationToken: Ct);

        var delivery = Door(entity.Ref, together, timeout).IngestAsync(record.Event, Ct);
        await entity.ExpectMsgAsync<TenantStore.Record>(cancellationToken: Ct);
        var asked = entity.LastSender;
        var ours = await Assert.ThrowsAsync<AskTimeoutException>(() => delivery);

        Assert.Equal(akkas.Message, ours.Message);
        Assert.True(Registered(asked.Path).IsNobody());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cancelled_request_ends_its_ask_as_cancelled_and_leaves_no_ask_registered(bool together)
    {
        var entity = CreateTestProbe();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var order = Placed("o1", Today.AddMinutes(-10), 40m);

        var delivery = Door(entity.Ref, together).IngestAsync(order, request.Token);
        await entity.ExpectMsgAsync<TenantStore.Record>(cancellationToken: Ct);
        var asked = entity.LastSender;
        Assert.Same(asked, Registered(asked.Path)); // resolvable while the request waits, as Akka's ask is
        await request.CancelAsync();

        await Assert.ThrowsAsync<TaskCanceledException>(() => delivery);
        Assert.True(Registered(asked.Path).IsNobody());
        // The entity's late answer goes nowhere rather than to a waiter that has gone.
        asked.Tell(new TenantStore.Recorded(order.EventId, IngestOutcome.Accepted));
        Assert.True(delivery.IsCanceled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_entitys_answer_completes_the_delivery_and_removes_its_ask(bool together)
    {
        var entity = CreateTestProbe();
        var order = Placed("o1", Today.AddMinutes(-10), 40m);

        var delivery = Door(entity.Ref, together).IngestAsync(order, Ct);
        await entity.ExpectMsgAsync<TenantStore.Record>(r => Assert.Same(order, r.Event), cancellationToken: Ct);
        var asked = entity.LastSender;
        entity.Reply(new TenantStore.Recorded(order.EventId, IngestOutcome.Duplicate));

        Assert.Equal(IngestOutcome.Duplicate, await delivery);
        Assert.True(Registered(asked.Path).IsNobody());
    }

    private sealed class FixedRegion(IActorRef region) : IRequiredActor<TenantStoreRegion>
    {
        public IActorRef ActorRef => region;

        public Task<IActorRef> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(region);
    }
}
