using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// The entity's own guard against a deleted store: started with nothing recovered it asks the host's tombstones before
/// taking an event, refuses every event of a deleted store (nothing journaled), waits rather than guesses when the
/// tombstones cannot be read, and a store with a journal never asks.
/// </summary>
public sealed class TenantStoreTombstoneTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-tombstones", output)
{
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
    public async Task A_deleted_stores_entity_refuses_its_events_and_journals_none()
    {
        var store = new StoreRef("acme", "deleted");
        var tombstones = new FakeTombstones(deleted: true);
        var entity = Start(store, tombstones);

        entity.Tell(new TenantStore.Record(Placed("o1", Today.AddMinutes(-5), 40m, store: store)));
        var refused = await ExpectMsgAsync<Status.Failure>(Wait, cancellationToken: Ct);

        Assert.IsType<StoreDeletedException>(refused.Cause);
        Assert.Contains("acme/deleted was deleted", refused.Cause.Message, StringComparison.Ordinal);
        await StopAsync(entity);
        // Another life of the entity, told nothing of tombstones, replays what was journaled: nothing.
        var tiles = await Start(store, null).Ask<DashboardTiles>(new TenantStore.GetTiles(store, "GBP", "Europe/London"), Wait, Ct);
        Assert.Equal((0, 0m), (tiles.EventsApplied, tiles.GrossRevenue.Value));
    }

    [Fact]
    public async Task A_live_store_is_asked_about_once_while_empty_and_never_once_it_has_a_journal()
    {
        var store = new StoreRef("acme", "live");
        var tombstones = new FakeTombstones(deleted: false);
        var entity = Start(store, tombstones);

        entity.Tell(new TenantStore.Record(Placed("o1", Today.AddMinutes(-5), 40m, store: store)));
        Assert.Equal(IngestOutcome.Accepted, (await ExpectMsgAsync<TenantStore.Recorded>(Wait, cancellationToken: Ct)).Outcome);
        await StopAsync(entity);
        var again = Start(store, tombstones);
        again.Tell(new TenantStore.Record(Placed("o2", Today.AddMinutes(-4), 10m, store: store)));

        Assert.Equal(IngestOutcome.Accepted, (await ExpectMsgAsync<TenantStore.Recorded>(Wait, cancellationToken: Ct)).Outcome);
        Assert.Equal(1, tombstones.Reads);
    }

    [Fact]
    public async Task Events_wait_while_the_tombstones_cannot_be_read_and_are_refused_once_they_say_deleted()
    {
        var store = new StoreRef("acme", "unreadable");
        var tombstones = new FakeTombstones(deleted: true, failures: 2);
        var entity = Start(store, tombstones);

        entity.Tell(new TenantStore.Record(Placed("o1", Today.AddMinutes(-5), 40m, store: store)));
        var refused = await ExpectMsgAsync<Status.Failure>(Wait, cancellationToken: Ct);

        Assert.IsType<StoreDeletedException>(refused.Cause);
        Assert.Equal(3, tombstones.Reads);
    }

    [Fact]
    public async Task A_deleted_store_starting_among_many_stays_deleted_when_the_entities_share_one_tombstone_read()
    {
        // As AddTenantStores wires it: every entity of the node asks through one coalescing reader, never one query each.
        var deleted = new StoreRef("acme", "deleted-among-many");
        var source = new BatchOnlyTombstones([deleted]);
        var shared = new CoalescingStoreTombstones(source);
        var stores = Enumerable.Range(0, 30).Select(i => new StoreRef("acme", $"many-{i}")).Append(deleted).ToList();
        var probes = stores.ToDictionary(store => store, _ => CreateTestProbe());

        foreach (var store in stores)
        {
            Start(store, shared).Tell(new TenantStore.Record(Placed("o-" + store.StoreId, Today.AddMinutes(-5), 40m, store: store)), probes[store].Ref);
        }

        var refused = await probes[deleted].ExpectMsgAsync<Status.Failure>(Wait, cancellationToken: Ct);
        Assert.IsType<StoreDeletedException>(refused.Cause);
        foreach (var store in stores.Where(s => s != deleted))
        {
            Assert.Equal(IngestOutcome.Accepted, (await probes[store].ExpectMsgAsync<TenantStore.Recorded>(Wait, cancellationToken: Ct)).Outcome);
        }

        // Each store asked about once, and only in batch reads (a read of its own throws); how many reads depends on how
        // the starts overlap, which CoalescingStoreTombstonesTests pins down without actors.
        Assert.Equal(stores.Count, source.Asked);
    }

    private IActorRef Start(StoreRef store, IStoreTombstones? tombstones) => Sys.ActorOf(TenantStoreActor.PropsFor(
        TenantStoreIds.EntityIdFor(store), _time, ActorRefs.Nobody, ActorRefs.Nobody, TimeSpan.FromMilliseconds(50), null, tombstones));

    private async Task StopAsync(IActorRef entity)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(entity);
        entity.Tell(TenantStoreActor.Stop.Instance);
        await watcher.ExpectTerminatedAsync(entity, Wait, cancellationToken: Ct);
    }

    /// <summary>Tombstones that answer only in batches (a read per store would throw), counting the stores asked about.</summary>
    private sealed class BatchOnlyTombstones(IReadOnlyCollection<StoreRef> deleted) : IStoreTombstones
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("an entity read its own tombstone");

        public async Task<IReadOnlySet<StoreRef>> DeletedAmongAsync(IReadOnlyCollection<StoreRef> stores, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _asked, stores.Count);
            // A read takes a while, as a query does: entities starting meanwhile wait for the next one.
            await Task.Yield();
            return stores.Where(deleted.Contains).ToHashSet();
        }
    }

    /// <summary>Tombstones that say one thing, after failing <c>failures</c> times, and count the reads.</summary>
    private sealed class FakeTombstones(bool deleted, int failures = 0) : IStoreTombstones
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public Task<bool> IsDeletedAsync(StoreRef store, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _reads) <= failures
                ? Task.FromException<bool>(new InvalidOperationException("the app database is unreachable"))
                : Task.FromResult(deleted);
    }
}
