using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

public sealed class TenantStoreActorTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-tests", output)
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(Today);

    protected override void ConfigureAppConfiguration(HostBuilderContext context, IConfigurationBuilder builder) =>
        builder.AddInMemoryCollection(EngineHost.Settings(_data.Path));

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(_time);
        services.AddSalesDashEngine(context.Configuration);
        services.AddSingleton<SalesDash.Engine.Stores.IStoreDirectory, SalesDash.Engine.Tests.Stores.InMemoryStoreDirectory>();
    }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder.AddSalesDashEngine(provider);

    protected override async Task AfterAllAsync()
    {
        await base.AfterAllAsync();
        _data.Dispose();
    }

    // Writes are awaited with the test's token, not a deadline of their own: a test's first write creates the journal's
    // tables, which overran 3 s (ExpectMsg) and 10 s (Ask) deadlines on a loaded machine (load average 60-70).
    /// <summary>
    /// A stop's final snapshot waits for the writers to hold the rows it covers (a DuckDB write); the entity gives up on it
    /// after 5 s and stops anyway, so this bound is the entity's own, not the test's measure.
    /// </summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(15);

    private IActorRef StartEntity(StoreRef store) => Sys.ActorOf(TenantStoreActor.PropsFor(
        TenantStoreIds.EntityIdFor(store), _time, ActorRegistry.Get<SnapshotWriter>(), TimeSpan.FromMilliseconds(50)));

    [Fact]
    public void The_engine_serializer_is_bound_for_journal_events_snapshots_and_wire_messages()
    {
        var placed = Placed("o1", Today, 1m);
        object[] samples =
        [
            placed,
            Refund("r1", "o1", Today, 1m),
            new KpiState(Store).ToSnapshot(),
            new TenantStore.Record(placed),
            new TenantStore.Recorded("e1", IngestOutcome.Accepted),
            new TenantStore.GetTiles(Store, "GBP", "Europe/London"),
            new KpiState(Store).Tiles(Today, "Europe/London", "GBP"),
        ];

        Assert.All(samples, sample => Assert.IsType<SalesDash.Engine.Persistence.SalesDashSerializer>(Sys.Serialization.FindSerializerFor(sample)));
    }

    [Fact]
    public async Task Recovery_from_a_snapshot_plus_later_journal_events_gives_identical_tiles()
    {
        var store = new StoreRef("acme", "crash-test");
        var entity = StartEntity(store);
        var events = Enumerable.Range(0, TenantStoreActor.SnapshotEvery + 25)
            .Select(i => (CommerceEvent)Placed($"o{i}", Today.AddMinutes(-(i % 300)), 1m + (i % 7), units: 1 + (i % 3), returning: i % 4 == 0, store: store))
            .Append(Refund("r1", "o1", Today.AddMinutes(-5), 3.5m, store: store))
            .ToArray();
        // Each event asks for its own answer, in order, awaited without a deadline of its own (the test's token ends them):
        // the first write creates the journal's tables, which overran TestKit's 3 s ExpectMsg default on a loaded machine.
        var ct = TestContext.Current.CancellationToken;
        var replies = events.Select(e => entity.Ask<TenantStore.Recorded>(new TenantStore.Record(e), ct)).ToArray();
        Assert.All(await Task.WhenAll(replies), r => Assert.Equal(IngestOutcome.Accepted, r.Outcome));

        var before = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // The snapshot taken at event 500 is in the store once the minute rows it covers are (the writer's answer to a
        // flush comes after its answer to the entity); the 26 events after it are only in the journal.
        await ActorRegistry.Get<SnapshotWriter>().Ask<BatchWriter<MinuteRowBatch>.Flushed>(BatchWriter<MinuteRowBatch>.FlushNow.Instance, ct);
        var snapshotStore = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        await AwaitAssertAsync(async () =>
        {
            var loaded = await snapshotStore.Ask<LoadSnapshotResult>(
                new LoadSnapshot(TenantStoreIds.PersistenceIdFor(store), SnapshotSelectionCriteria.Latest, long.MaxValue), TimeSpan.FromSeconds(5));
            Assert.Equal(TenantStoreActor.SnapshotEvery, loaded.Snapshot?.Metadata.SequenceNr);
        }, TimeSpan.FromSeconds(10), cancellationToken: TestContext.Current.CancellationToken);

        // A crash: no passivation, so no final snapshot.
        Watch(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity, cancellationToken: TestContext.Current.CancellationToken);

        var revived = StartEntity(store);
        var after = await revived.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equivalent(before, after, strict: true);
        Assert.Equal(events.Length, after.EventsApplied);
        Assert.Equal(events.OfType<OrderEvent>().Sum(o => o.TotalPrice) - 3.5m, after.NetRevenue.Value);
    }

    [Fact]
    public async Task A_growing_store_is_snapshotted_less_often_and_still_recovers_exactly()
    {
        // 1,500 orders: every 500 events would snapshot at 1,500; with the state holding an order and an event id per
        // order, the snapshot after 1,000 waits for a quarter of the state's size (SnapshotPolicy), so the latest one is
        // earlier and the rest comes back from the journal.
        var store = new StoreRef("acme", "growing");
        var entity = StartEntity(store);
        var events = Enumerable.Range(0, 1_500)
            .Select(i => (CommerceEvent)Placed($"g{i}", Today.AddMinutes(-(i % 300)), 2m + (i % 11), store: store))
            .ToArray();
        var ct = TestContext.Current.CancellationToken;
        var replies = events.Select(e => entity.Ask<TenantStore.Recorded>(new TenantStore.Record(e), ct)).ToArray();
        Assert.All(await Task.WhenAll(replies), r => Assert.Equal(IngestOutcome.Accepted, r.Outcome));

        // A snapshot is saved once the minute rows it covers are written: the writer answers this flush after that.
        await ActorRegistry.Get<SnapshotWriter>().Ask<BatchWriter<MinuteRowBatch>.Flushed>(BatchWriter<MinuteRowBatch>.FlushNow.Instance, ct);
        var snapshotStore = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        await AwaitAssertAsync(async () =>
        {
            var loaded = await snapshotStore.Ask<LoadSnapshotResult>(
                new LoadSnapshot(TenantStoreIds.PersistenceIdFor(store), SnapshotSelectionCriteria.Latest, long.MaxValue), TimeSpan.FromSeconds(5));
            // A snapshot that falls due while the one before it waits for the writers is taken when that one lands, so
            // on a slow store the latest may cover all 1,500 (still at least a quarter of the state apart).
            Assert.InRange(loaded.Snapshot?.Metadata.SequenceNr ?? 0, TenantStoreActor.SnapshotEvery, events.Length);
        }, TimeSpan.FromSeconds(10), cancellationToken: ct);

        Watch(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity, cancellationToken: ct);
        var revived = StartEntity(store);
        var after = await revived.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), ct);
        Assert.Equal(events.Length, after.EventsApplied);
        Assert.Equal(events.OfType<OrderEvent>().Sum(o => o.TotalPrice), after.GrossRevenue.Value);
    }

    [Fact]
    public async Task Identical_events_arriving_back_to_back_are_accepted_once()
    {
        var store = new StoreRef("acme", "back-to-back");
        var entity = StartEntity(store);
        var v1 = Placed("o1", Today.AddMinutes(-10), 40m, store: store);
        var v2 = Updated(v1, Today.AddMinutes(-5), 55m);
        var staleV1Again = v1 with { EventId = "orders-create-redelivered" };

        // Each delivery asks for its own answer, all five queued back to back before the first is handled. The answers
        // are awaited without a deadline of their own (the test's token ends them): the first write creates the
        // journal's tables, which took longer than TestKit's 3 s ExpectMsg default when the machine was loaded.
        var ct = TestContext.Current.CancellationToken;
        Task<TenantStore.Recorded>[] replies =
        [
            entity.Ask<TenantStore.Recorded>(new TenantStore.Record(v1), ct),
            entity.Ask<TenantStore.Recorded>(new TenantStore.Record(v1), ct),
            entity.Ask<TenantStore.Recorded>(new TenantStore.Record(v2), ct),
            entity.Ask<TenantStore.Recorded>(new TenantStore.Record(staleV1Again), ct),
            entity.Ask<TenantStore.Recorded>(new TenantStore.Record(v2), ct),
        ];

        Assert.Equal(
            [IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Duplicate],
            (await Task.WhenAll(replies)).Select(r => r.Outcome));
        var tiles = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), ct);
        Assert.Equal(55m, tiles.GrossRevenue.Value);
        Assert.Equal(1m, tiles.Orders.Value);
        Assert.Equal(2, tiles.EventsApplied);
    }

    [Fact]
    public async Task Tile_updates_reach_a_watcher_with_the_latest_figures()
    {
        var store = new StoreRef("acme", "live");
        var region = await ActorRegistry.GetAsync<TenantStoreRegion>(TestContext.Current.CancellationToken);
        await region.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "USD", "America/New_York"), Ct);
        region.Tell(new TenantStore.WatchTiles(store, "USD", "America/New_York"), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles.EventsApplied);

        var orders = Enumerable.Range(0, 5).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 10m * (i + 1), store: store, zone: "America/New_York", currency: "USD")).ToArray();
        var recorded = await Task.WhenAll(orders.Select(o => region.Ask<TenantStore.Recorded>(new TenantStore.Record(o), TestContext.Current.CancellationToken)));
        Assert.All(recorded, r => Assert.Equal(IngestOutcome.Accepted, r.Outcome));

        DashboardTiles? latest = null;
        await FishForMessageAsync<TenantStore.TilesPublished>(published =>
        {
            latest = published.Tiles;
            return published.Tiles.GrossRevenue.Value == 150m;
        }, TimeSpan.FromSeconds(10), cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotNull(latest);
        Assert.Equal("live", latest.StoreId);
        Assert.Equal("USD", latest.Currency);
        Assert.Equal("America/New_York", latest.TimeZone);
        Assert.Equal("2026-06-10", latest.LocalDate);
        Assert.Equal(5m, latest.Orders.Value);
    }

    [Fact]
    public async Task A_change_after_a_quiet_spell_is_pushed_at_once_and_a_burst_behind_it_is_coalesced()
    {
        var store = new StoreRef("acme", "leading-edge");
        // An interval no test waits out: a push seen here can only be the leading edge or the stop's final flush.
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(
            TenantStoreIds.EntityIdFor(store), _time, ActorRegistry.Get<SnapshotWriter>(), TimeSpan.FromHours(1)));
        var pushes = await WatchTilesAsync(entity, store, "GBP", "Europe/London");
        var orders = Enumerable.Range(0, 5).Select(i => Placed($"o{i}", Today.AddMinutes(-i), 10m * (i + 1), store: store)).ToArray();

        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(orders[0]), TestContext.Current.CancellationToken);
        var first = await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, first.Tiles.EventsApplied);

        foreach (var order in orders[1..])
        {
            await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(order), TestContext.Current.CancellationToken);
        }

        // The burst rides on the rest after the first push: the stop's flush is the next push, and it covers all four.
        Watch(entity);
        entity.Tell(TenantStoreActor.Stop.Instance);
        await ExpectTerminatedAsync(entity, StopWait, cancellationToken: TestContext.Current.CancellationToken);
        var coalesced = await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(5, coalesced.Tiles.EventsApplied);
        Assert.Equal(150m, coalesced.Tiles.GrossRevenue.Value);
    }

    [Fact]
    public async Task Reading_tiles_in_other_terms_changes_nothing_the_store_pushes()
    {
        var store = new StoreRef("acme", "pure-query");
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(
            TenantStoreIds.EntityIdFor(store), _time, ActorRegistry.Get<SnapshotWriter>(), TimeSpan.FromHours(1)));
        var pushes = await WatchTilesAsync(entity, store, "USD", "America/New_York");
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o1", Today.AddMinutes(-2), 10m, store: store, zone: "America/New_York", currency: "USD")),
            Ct);
        await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct);

        var asked = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "EUR", "Asia/Tokyo"), TimeSpan.FromSeconds(10), Ct);
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o2", Today.AddMinutes(-1), 5m, store: store, zone: "America/New_York", currency: "USD")),
            Ct);
        var pushed = await StopAndTakeFinalPushAsync(entity, pushes);

        Assert.Equal(("EUR", "Asia/Tokyo"), (asked.Currency, asked.TimeZone));
        Assert.Equal(("USD", "America/New_York"), (pushed.Currency, pushed.TimeZone));
        Assert.Equal(15m, pushed.GrossRevenue.Value);
    }

    [Fact]
    public async Task The_store_profile_sent_by_command_sets_the_terms_of_later_pushes()
    {
        var store = new StoreRef("acme", "profile-command");
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(
            TenantStoreIds.EntityIdFor(store), _time, ActorRegistry.Get<SnapshotWriter>(), TimeSpan.FromHours(1)));
        var pushes = await WatchTilesAsync(entity, store, "USD", "America/New_York");

        entity.Tell(new TenantStore.UseProfile(store, "EUR", "Asia/Tokyo"));
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o1", Today.AddMinutes(-2), 10m, store: store, zone: "America/New_York", currency: "USD")),
            Ct);
        var pushed = (await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles;

        Assert.Equal(("EUR", "Asia/Tokyo"), (pushed.Currency, pushed.TimeZone));
    }

    [Fact]
    public async Task A_passivated_store_wakes_with_identical_figures_and_still_refuses_every_retry()
    {
        var store = new StoreRef("acme", "passivated");
        var entity = StartEntity(store);
        var events = Enumerable.Range(0, 120)
            .Select(i => i % 3 == 2
                ? (CommerceEvent)Session($"s{i}", Today.AddMinutes(-(i % 200))) with { Store = store }
                : Placed($"o{i}", Today.AddMinutes(-(i % 200)), 1m + (i % 9), units: 1 + (i % 2), store: store))
            .Append(Refund("r1", "o1", Today.AddMinutes(-3), 0.5m, store: store))
            .ToArray();
        foreach (var e in events)
        {
            Assert.Equal(IngestOutcome.Accepted, (await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(e), Ct)).Outcome);
        }

        var before = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);

        // What sharding sends an idle entity: it flushes, snapshots and stops, giving its memory back.
        Watch(entity);
        entity.Tell(TenantStoreActor.Stop.Instance);
        await ExpectTerminatedAsync(entity, StopWait, cancellationToken: Ct);

        var woken = StartEntity(store);
        var after = await woken.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);
        Assert.Equivalent(before, after, strict: true);
        Assert.Equal(events.Length, after.EventsApplied);
        foreach (var e in events)
        {
            Assert.Equal(IngestOutcome.Duplicate, (await woken.Ask<TenantStore.Recorded>(new TenantStore.Record(e), Ct)).Outcome);
        }

        var again = await woken.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(events.OfType<OrderEvent>().Sum(o => o.TotalPrice) - 0.5m, again.NetRevenue.Value);
        Assert.Equal(events.Length, again.EventsApplied);
    }

    [Fact]
    public async Task An_entity_that_restarts_after_a_failure_tells_its_watchers_and_pushes_to_those_that_watch_again()
    {
        var store = new StoreRef("acme", "restarting");
        var entity = StartEntity(store);
        var pushes = await WatchTilesAsync(entity, store, "GBP", "Europe/London");
        Assert.Equal(IngestOutcome.Accepted, (await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o1", Today.AddMinutes(-3), 12.5m, store: store)), Ct)).Outcome);
        Assert.Equal(1, (await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles.EventsApplied);

        // What its supervisor does when a handler throws: the same actor, a new incarnation that has forgotten its watchers.
        ((IInternalActorRef)entity).SendSystemMessage(new Akka.Dispatch.SysMsg.Recreate(new InvalidOperationException("a handler failed")));
        Assert.Equal(store, (await pushes.ExpectMsgAsync<TenantStore.TilesWatchEnded>(cancellationToken: Ct)).Store);

        // The watcher watches again, as a relay does when told: the new incarnation, recovered (awaited with the test's
        // token, as writes are), answers and pushes on.
        Assert.Equal(1, (await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Ct)).EventsApplied);
        entity.Tell(new TenantStore.WatchTiles(store, "GBP", "Europe/London"), pushes.Ref);
        Assert.Equal(1, (await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles.EventsApplied);
        Assert.Equal(IngestOutcome.Accepted, (await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o2", Today.AddMinutes(-2), 7.5m, store: store)), Ct)).Outcome);
        var pushed = (await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles;
        Assert.Equal((2, 20m), (pushed.EventsApplied, pushed.GrossRevenue.Value));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A watcher as a node's relay is one, past the tiles the entity answers it with at once.</summary>
    private async Task<Akka.TestKit.TestProbe> WatchTilesAsync(IActorRef entity, StoreRef store, string currency, string zone)
    {
        // Recovered first (awaited with the test's token, as writes are): the answer below is then the entity's next message.
        await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, currency, zone), Ct);
        var pushes = CreateTestProbe();
        entity.Tell(new TenantStore.WatchTiles(store, currency, zone), pushes.Ref);
        await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct);
        return pushes;
    }

    [Fact]
    public async Task A_store_nobody_watches_pushes_nothing_and_a_watcher_gets_its_current_figures_at_once_and_every_change_until_it_leaves()
    {
        var store = new StoreRef("acme", "watched-later");
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(
            TenantStoreIds.EntityIdFor(store), _time, ActorRegistry.Get<SnapshotWriter>(), TimeSpan.FromHours(1)));
        await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Ct);
        var early = CreateTestProbe();
        entity.Tell(new TenantStore.WatchTiles(store, "GBP", "Europe/London"), early.Ref);
        Assert.Equal(0, (await early.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles.EventsApplied);
        entity.Tell(new TenantStore.UnwatchTiles(store), early.Ref);

        // Unwatched: the leading edge of these changes (the publish interval is an hour) would have been pushed to a watcher.
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o1", Today.AddMinutes(-3), 19.99m, store: store)), Ct);
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o2", Today.AddMinutes(-2), 0.01m, store: store)), Ct);
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Refund("r1", "o1", Today.AddMinutes(-1), 5.25m, store: store)), Ct);

        // A screen arriving now gets the figures at once, not at the next change.
        var screen = CreateTestProbe();
        entity.Tell(new TenantStore.WatchTiles(store, "GBP", "Europe/London"), screen.Ref);
        var now = (await screen.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles;
        Assert.Equal(20.00m, now.GrossRevenue.Value);
        Assert.Equal(14.75m, now.NetRevenue.Value);
        Assert.Equal(3, now.EventsApplied);
        // The entity told the early watcher nothing after it left (a push would be in its mailbox before the screen's answer).
        Assert.False(early.HasMessages);

        // Then every change: this one rides on the rest the first change started (an hour), so the stop's final flush pushes it.
        await entity.Ask<TenantStore.Recorded>(new TenantStore.Record(Placed("o3", Today.AddMinutes(-1), 100m, store: store)), Ct);
        var pushed = await StopAndTakeFinalPushAsync(entity, screen);
        Assert.Equal(4, pushed.EventsApplied);
        Assert.Equal(120.00m, pushed.GrossRevenue.Value);
        Assert.False(early.HasMessages);
    }

    // With a publish interval no test waits out, the stop's final flush is the next push after the leading edge.
    private async Task<DashboardTiles> StopAndTakeFinalPushAsync(IActorRef entity, Akka.TestKit.TestProbe pushes)
    {
        Watch(entity);
        entity.Tell(TenantStoreActor.Stop.Instance);
        await ExpectTerminatedAsync(entity, StopWait, cancellationToken: Ct);
        return (await pushes.ExpectMsgAsync<TenantStore.TilesPublished>(cancellationToken: Ct)).Tiles;
    }

    [Fact]
    public async Task Changed_minutes_reach_the_snapshot_store_without_the_entity_waiting()
    {
        var store = new StoreRef("acme", "history");
        var region = await ActorRegistry.GetAsync<TenantStoreRegion>(TestContext.Current.CancellationToken);
        var placed = Placed("o1", Utc(2026, 6, 10, 11, 15, 30), 42m, units: 3, store: store);
        await region.Ask<TenantStore.Recorded>(new TenantStore.Record(placed), TestContext.Current.CancellationToken);
        await region.Ask<TenantStore.Recorded>(new TenantStore.Record(Updated(placed, Today, 45m)), TestContext.Current.CancellationToken);

        var snapshots = Host.Services.GetRequiredService<IMinuteSnapshotStore>();
        await AwaitAssertAsync(async () =>
        {
            var rows = await snapshots.ReadAsync(store, Today.AddHours(-1), Today, TestContext.Current.CancellationToken);
            var row = Assert.Single(rows);
            Assert.Equal(new MinuteKpiRow("acme", "history", Utc(2026, 6, 10, 11, 15), "GBP", 45m, 0m, 1, 3, 1, 0, 0), row);
        }, TimeSpan.FromSeconds(10), cancellationToken: TestContext.Current.CancellationToken);
    }
}
