using System.Reflection;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.History;
using SalesDash.Engine.History.DuckDb;
using SalesDash.Engine.History.Snapshots;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Support.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// <see cref="TenantStoreWriteThroughTests"/>' proof on the embedded default instead of Akka's in-memory plugins: the
/// product's SQLite journal and snapshot store and its DuckDB history, in files of a temp folder, as the host configures
/// them. The node dies (its actor system terminated without coordinated shutdown: no hand-off, no final snapshot, no
/// last flush) while both writers' writes hang, after a snapshot became due; a new node on the same files must put every
/// accepted order into history facts and minute rows once, to the cent.
/// </summary>
public sealed class TenantStoreCrashOnDiskTests
{
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private static readonly StoreRef Shop = new("acme", "crash-on-disk");
    private static readonly HistoryRange Day = new(Today.AddDays(-1), Today.AddDays(1));

    /// <summary>A bound, never what the test measures: each wait ends with an answer already on its way (DuckDB writes are slow on a loaded box).</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    /// <summary>How long the consumer of the node that is killed waits for an entity's answer before asking again (the web host's is 15 s).</summary>
    private static readonly TimeSpan DyingAskTimeout = TimeSpan.FromSeconds(5);

    // As ClusterTestNode's crash: the other side of the process sees nothing more, as when it is killed.
    private const string TerminateIsACrash = "akka.coordinated-shutdown.run-by-actor-system-terminate = off";

    private readonly FakeTimeProvider _time = new(Today);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_node_killed_while_its_writers_hold_what_a_due_snapshot_covers_restarts_on_the_same_files_with_every_order_in_history_once()
    {
        // A first snapshot's worth that reaches history and the snapshot store in the first life, then enough for the next
        // snapshot to be due (a state of ~1,100 orders and as many event ids waits max(500, entries / 4) = 560 events).
        var first = Orders("a", SnapshotPolicy.MinEventsBetween + 20);
        var second = Orders("b", SnapshotPolicy.MinEventsBetween + 100);
        OrderPlaced[] all = [.. first, .. second];
        using var data = new TempDirectory();

        var stall = new Stall();
        var host = await StartNodeAsync(data.Path, stall);
        try
        {
            await IngestAsync(host, first);
            var system = host.Services.GetRequiredService<ActorSystem>();
            await WaitForSnapshotAsync(system, SnapshotPolicy.MinEventsBetween);
            await FlushWritersAsync(host);
            Assert.Equal((first.Length, Gross(first)), await HistoryTotalsAsync(host));

            // From here every write of both writers hangs, as one under way when the process dies.
            stall.Writes = true;
            await IngestAsync(host, second);
            Assert.Equal(Gross(all), (await TilesAsync(host)).GrossRevenue.Value);

            await system.Terminate();
        }
        finally
        {
            host.Dispose();
        }

        using var next = await StartNodeAsync(data.Path, new Stall());
        Assert.Equal(Gross(all), (await TilesAsync(next)).GrossRevenue.Value);

        // The entity handed over what it replayed before it answered, so a flush now covers all of it.
        await FlushWritersAsync(next);
        Assert.Equal((all.Length, Gross(all)), await HistoryTotalsAsync(next));
        var rows = await next.Services.GetRequiredService<IHistoryStore>().ReadAsync(Shop, Day.FromUtc, Day.ToUtc, Ct);
        Assert.Equal((all.Length, Gross(all)), (rows.Sum(r => r.Orders), rows.Sum(r => r.GrossRevenue)));
        await next.StopAsync(Ct);
    }

    [Fact]
    public async Task A_node_killed_while_its_writers_hold_what_a_due_kafka_checkpoint_covers_folds_the_redelivered_stream_into_history_once()
    {
        var first = Orders("ka", SnapshotPolicy.MinEventsBetween + 20);
        var second = Orders("kb", SnapshotPolicy.MinEventsBetween + 100);
        OrderPlaced[] all = [.. first, .. second];
        using var data = new TempDirectory();
        using var cluster = MockKafkaCluster.Start();
        var options = KafkaTestKit.OptionsFor(cluster, $"crash-on-disk-{Guid.NewGuid():N}", partitions: 1);
        cluster.CreateTopic(options.Topic, options.Partitions);
        await ProduceAsync(options, first);

        var stall = new Stall();
        var host = await StartNodeAsync(data.Path, stall);
        try
        {
            using var stop = new CancellationTokenSource();
            // The dying node's consumer ends only when the checkpoint round it asks on its way out times out (the actor system
            // it asks is gone), and the next consumer waits for it to leave the group: at 30 s this test spent 30 of its 38 s
            // there. An answer not given in time is only asked for again, so a shorter wait costs this life at most a retry.
            var run = await StartConsumerAsync(host, options, DyingAskTimeout, stop.Token);

            // Committed only once the entity's checkpoint is saved, which waits for the writers.
            await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == first.Length, Wait, $"the first {first.Length} records are committed");
            await FlushWritersAsync(host);
            Assert.Equal((first.Length, Gross(first)), await HistoryTotalsAsync(host));

            stall.Writes = true;
            await ProduceAsync(options, second);
            await KafkaTestKit.WaitUntilAsync(() => Shows(host, Gross(all)), Wait, "every record is folded");

            // The node dies with its consumer: whatever the stream was doing, it goes with the actor system.
            await host.Services.GetRequiredService<ActorSystem>().Terminate();
            await stop.CancelAsync();
            await Record.ExceptionAsync(() => run.WaitAsync(Wait, Ct));
        }
        finally
        {
            host.Dispose();
        }

        // The next node's consumer starts from the last commit, at most what the entity said was checkpointed.
        using var next = await StartNodeAsync(data.Path, new Stall());
        using (var stop = new CancellationTokenSource())
        {
            var run = await StartConsumerAsync(next, options, TimeSpan.FromSeconds(30), stop.Token);
            await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == all.Length, Wait, $"all {all.Length} records are committed");
            await stop.CancelAsync();
            await run.WaitAsync(Wait, Ct);
        }

        Assert.Equal(Gross(all), (await TilesAsync(next)).GrossRevenue.Value);
        await FlushWritersAsync(next);
        Assert.Equal((all.Length, Gross(all)), await HistoryTotalsAsync(next));
        var rows = await next.Services.GetRequiredService<IHistoryStore>().ReadAsync(Shop, Day.FromUtc, Day.ToUtc, Ct);
        Assert.Equal((all.Length, Gross(all)), (rows.Sum(r => r.Orders), rows.Sum(r => r.GrossRevenue)));
        await next.StopAsync(Ct);
    }

    private static async Task ProduceAsync(KafkaOptions options, IEnumerable<OrderPlaced> orders)
    {
        using var ingest = new KafkaCommerceEventIngest(Options.Create(options));
        Assert.All(await KafkaTestKit.ProduceAllAsync(ingest, orders), o => Assert.Equal(IngestOutcome.Accepted, o));
    }

    private static async Task<Task> StartConsumerAsync(IHost host, KafkaOptions options, TimeSpan askTimeout, CancellationToken stop)
    {
        var region = await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        return new KafkaIngestionPipeline(options, region, askTimeout, system, NullLogger.Instance).RunAsync(stop);
    }

    /// <summary>Orders with their own prices, cents included, over an hour of minutes, so one lost or counted twice shows.</summary>
    private static OrderPlaced[] Orders(string prefix, int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => Placed($"{prefix}{i}", Today.AddMinutes(-90 + (i % 60)), 3.07m + (i % 97) * 1.13m, store: Shop)),
    ];

    private static decimal Gross(IEnumerable<OrderPlaced> orders) => orders.Sum(o => o.TotalPrice);

    /// <summary>
    /// A node as the web host starts it, on the embedded default under <paramref name="dataDirectory"/>; only its history
    /// store is wrapped, so the test can make the writers' writes hang.
    /// </summary>
    private async Task<IHost> StartNodeAsync(string dataDirectory, Stall stall)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(EngineHost.Settings(dataDirectory));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(_time);
        // The store the configuration names, owned (and disposed) by the host; the engine registers its own only if none is.
        builder.Services.AddSingleton(sp => (DuckDbHistoryStore)HistoryHosting.CreateStore(sp.GetRequiredService<IOptions<EngineOptions>>().Value, _time));
        builder.Services.AddSingleton(sp => StallingHistoryStore.Over(sp.GetRequiredService<DuckDbHistoryStore>(), stall));
        builder.Services.AddSingleton<ICustomerHistory>(sp => sp.GetRequiredService<DuckDbHistoryStore>());
        builder.Services.AddSingleton<IChannelInsightStore>(sp => sp.GetRequiredService<DuckDbHistoryStore>());
        builder.Services.AddSingleton<IShipmentHistory>(sp => sp.GetRequiredService<DuckDbHistoryStore>());
        builder.Services.AddSalesDashEngine(builder.Configuration);
        builder.Services.AddSingleton<SalesDash.Engine.Stores.IStoreDirectory, SalesDash.Engine.Tests.Stores.InMemoryStoreDirectory>();
        builder.Services.AddAkka("salesdash", (akka, sp) => akka.AddHocon(TerminateIsACrash, HoconAddMode.Prepend).AddSalesDashEngine(sp));
        var host = builder.Build();
        await host.StartAsync(Ct);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<ActorSystem>()).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(Ct);
        return host;
    }

    private static async Task IngestAsync(IHost host, IEnumerable<OrderPlaced> orders)
    {
        var ingest = host.Services.GetRequiredService<ICommerceEventIngest>();
        var outcomes = await Task.WhenAll(orders.Select(o => ingest.IngestAsync(o, Ct)));
        Assert.All(outcomes, o => Assert.Equal(IngestOutcome.Accepted, o));
    }

    private static async Task<DashboardTiles> TilesAsync(IHost host)
    {
        var region = await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);
        return await region.Ask<DashboardTiles>(new TenantStore.GetTiles(Shop, "GBP", "Europe/London"), Wait, Ct);
    }

    private static bool Shows(IHost host, decimal gross) => TilesAsync(host).GetAwaiter().GetResult().GrossRevenue.Value == gross;

    private static async Task FlushWritersAsync(IHost host)
    {
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        await registry.Get<HistoryWriter>().Ask<BatchWriter<HistoryBatch>.Flushed>(BatchWriter<HistoryBatch>.FlushNow.Instance, Wait, Ct);
        await registry.Get<SnapshotWriter>().Ask<BatchWriter<MinuteRowBatch>.Flushed>(BatchWriter<MinuteRowBatch>.FlushNow.Instance, Wait, Ct);
    }

    private static async Task<(long Orders, decimal Gross)> HistoryTotalsAsync(IHost host)
    {
        var history = host.Services.GetRequiredService<IHistoryStore>();
        var slots = await history.SlotsAsync(HistoryScope.Store(Shop.TenantId, Shop.StoreId), Day, TimeSpan.FromDays(2), Ct);
        var totals = slots.Aggregate(HistoryTotals.Zero, (sum, slot) => sum.Plus(slot.Totals));
        return (totals.Orders, totals.GrossRevenue);
    }

    /// <summary>
    /// Waits until the snapshot store the host configured holds a snapshot of the store at <paramref name="sequenceNr"/> or
    /// later: it is saved once the writers answer, a moment after the ingest that made it due was answered.
    /// </summary>
    private static async Task WaitForSnapshotAsync(ActorSystem system, long sequenceNr)
    {
        var snapshots = Akka.Persistence.Persistence.Instance.Apply(system).SnapshotStoreFor(null);
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var loaded = await snapshots.Ask<LoadSnapshotResult>(
                new LoadSnapshot(TenantStoreIds.PersistenceIdFor(Shop), SnapshotSelectionCriteria.Latest, long.MaxValue), Wait, Ct);
            if (loaded.Snapshot?.Metadata.SequenceNr >= sequenceNr)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No snapshot at {sequenceNr} or later within {Wait}.");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Whether the writers' writes hang from now on.</summary>
    internal sealed class Stall
    {
        private volatile bool _writes;

        public bool Writes
        {
            get => _writes;
            set => _writes = value;
        }
    }

    /// <summary>
    /// The history store as the node sees it: every call goes to the real one, except that while stalled a write of facts
    /// or minute rows never finishes, as one under way when the process dies. A proxy, so the store's many queries need no copy here.
    /// </summary>
    public class StallingHistoryStore : DispatchProxy
    {
        private IHistoryStore _inner = null!;
        private Stall _stall = null!;

        internal static IHistoryStore Over(IHistoryStore inner, Stall stall)
        {
            var proxy = Create<IHistoryStore, StallingHistoryStore>();
            var self = (StallingHistoryStore)(object)proxy;
            self._inner = inner;
            self._stall = stall;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (_stall.Writes && targetMethod.Name is nameof(IHistoryStore.WriteFactsAsync) or nameof(IMinuteSnapshotStore.WriteAsync))
            {
                return new TaskCompletionSource().Task;
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
