using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// A checkpoint round asks a store once per partition it has records on (a store spread over 48 partitions, in the fold
/// bench, 48 times side by side). Each save writes the whole state, so the asks a save under way already covers must not
/// start another one (found at stop 20: every round saved a busy store twice).
/// </summary>
public sealed class TenantStoreKafkaCheckpointRoundTests(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("tenant-store-kafka-checkpoint-round", output)
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Partitions = ["salesdash.commerce-events/0", "salesdash.commerce-events/1", "salesdash.commerce-events/2"];
    private readonly FakeTimeProvider _time = new(Today);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) => builder
        .WithRemoting("127.0.0.1", 0)
        .WithClustering()
        .AddHocon(
            $$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.gated"
            akka.persistence.snapshot-store.gated.class = "{{typeof(GatedSnapshotStore).AssemblyQualifiedName}}"
            """,
            HoconAddMode.Prepend);

    [Fact]
    public async Task A_round_over_several_partitions_saves_the_state_once_when_one_save_holds_them_all()
    {
        var store = new StoreRef("acme", "spread");
        var entity = Sys.ActorOf(TenantStoreActor.PropsFor(
            TenantStoreIds.EntityIdFor(store), _time, ActorRefs.Nobody, ActorRefs.Nobody, TimeSpan.FromMilliseconds(50)));
        decimal gross = 0;
        for (var p = 0; p < Partitions.Length; p++)
        {
            var records = Enumerable.Range(0, 5)
                .Select(i => new TenantStore.PositionedEvent(i, Placed($"p{p}-{i}", Today.AddMinutes(-30 + i), 10.01m + p + i, store: store)))
                .ToArray();
            gross += records.Sum(r => ((OrderEvent)r.Event).TotalPrice);
            var answer = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(store, Partitions[p], -1, records), Wait, Ct);
            Assert.Equal(Enumerable.Repeat(IngestOutcome.Accepted, 5), answer.Outcomes);
        }

        // Saves wait at the store's door until the whole round is in the entity's mailbox, as when a round's asks arrive together.
        var snapshots = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        snapshots.Tell(GatedSnapshotStore.Close.Instance);
        var round = CreateTestProbe();
        foreach (var partition in Partitions)
        {
            entity.Tell(new TenantStore.Checkpoint(store, partition), round.Ref);
        }

        // Answered after the three asks: the entity has taken them all while the first save waits.
        Assert.Equal(15, (await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "USD", "UTC"), Wait, Ct)).EventsApplied);
        snapshots.Tell(GatedSnapshotStore.Open.Instance);

        var answers = new[]
        {
            await round.ExpectMsgAsync<TenantStore.Checkpointed>(Wait, cancellationToken: Ct),
            await round.ExpectMsgAsync<TenantStore.Checkpointed>(Wait, cancellationToken: Ct),
            await round.ExpectMsgAsync<TenantStore.Checkpointed>(Wait, cancellationToken: Ct),
        };
        Assert.Equal(Partitions.Order(), answers.Select(a => a.Partition).Order());
        Assert.All(answers, a => Assert.Equal(4, a.Durable));

        // Answered after the saved snapshot was handled, so a second save, had it been asked for, is at the store by now.
        var tiles = await entity.Ask<DashboardTiles>(new TenantStore.GetTiles(store, "USD", "UTC"), Wait, Ct);
        Assert.Equal(gross, tiles.GrossRevenue.Value);
        Assert.Equal(1, await snapshots.Ask<int>(GatedSnapshotStore.CountSaves.Instance, Wait, Ct));
    }

    /// <summary>Akka's in-memory snapshot store whose saves can be held back, and which counts them.</summary>
    public sealed class GatedSnapshotStore : MemorySnapshotStore
    {
        private TaskCompletionSource _gate = Opened();
        private int _saves;

        protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
        {
            // Counted when the save arrives, before it waits at the gate.
            _saves++;
            var gate = _gate.Task;
            return gate.IsCompleted ? base.SaveAsync(metadata, snapshot, cancellationToken) : SaveWhenOpenAsync(gate, metadata, snapshot, cancellationToken);
        }

        private async Task SaveWhenOpenAsync(Task gate, SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            await base.SaveAsync(metadata, snapshot, cancellationToken);
        }

        protected override bool ReceivePluginInternal(object message)
        {
            switch (message)
            {
                case Close:
                    _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    return true;
                case Open:
                    _gate.TrySetResult();
                    return true;
                case CountSaves:
                    Sender.Tell(_saves);
                    return true;
                default:
                    return base.ReceivePluginInternal(message);
            }
        }

        private static TaskCompletionSource Opened()
        {
            var opened = new TaskCompletionSource();
            opened.SetResult();
            return opened;
        }

        public sealed class Close
        {
            public static readonly Close Instance = new();
        }

        public sealed class Open
        {
            public static readonly Open Instance = new();
        }

        public sealed class CountSaves
        {
            public static readonly CountSaves Instance = new();
        }
    }
}
