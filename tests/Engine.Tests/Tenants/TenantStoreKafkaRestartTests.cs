using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Support.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Tenants;

/// <summary>
/// Kafka mode's entity restarted in the middle of a stream of batches: what it folded after its checkpoint is gone, a
/// delivery that follows the lost one is refused as a gap instead of folded past it, and a redelivered batch that
/// straddles the checkpoint is split there: the half the checkpoint holds is a duplicate, the rest is folded, once.
/// </summary>
public sealed class TenantStoreKafkaRestartTests
{
    private const string Partition = "salesdash.commerce-events/3";
    private static readonly DateTimeOffset Today = Utc(2026, 6, 10, 12, 0);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly StoreRef Shop = new("acme", "kafka-restart");
    private readonly FakeTimeProvider _time = new(Today);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_entity_restarted_between_batches_refuses_the_next_as_a_gap_and_folds_a_redelivery_across_its_checkpoint_once_to_the_cent()
    {
        // Offsets 100..129 of one partition, each an order with its own price (cents included), so a record counted twice
        // or lost shows in the gross.
        var records = Enumerable.Range(0, 30)
            .Select(i => new TenantStore.PositionedEvent(100 + i, Placed($"k{i}", Today.AddMinutes(-60 + i), 10.01m + i * 1.37m, store: Shop)))
            .ToArray();
        using var data = new TempDirectory();
        using var host = await EngineHost.StartAsync(data.Path, _time);
        var entity = await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(Ct);

        Assert.All(await Deliver(entity, After: -1, records[0..10]), o => Assert.Equal(IngestOutcome.Accepted, o));
        Assert.Equal(109, (await entity.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(Shop, Partition), Wait, Ct)).Durable);
        Assert.All(await Deliver(entity, After: 109, records[10..20]), o => Assert.Equal(IngestOutcome.Accepted, o));
        Assert.Equal(Gross(records[0..20]), (await Tiles(entity)).GrossRevenue.Value);

        // The node dies between fold and checkpoint: no final snapshot, the folded-only half of the stream is gone.
        await CrashAsync(entity, Gross(records[0..10]));

        // The consumer, unaware, sends the next batch: folding it would step over offsets 110..119 for good.
        var gap = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(Shop, Partition, 119, records[20..25]), Wait, Ct);
        Assert.True(gap.Gap);
        Assert.Equal(109, gap.Durable);
        Assert.Empty(gap.Outcomes);

        // The stream restarts from its last commit (below the checkpoint) and redelivers one batch across it.
        var outcomes = await Deliver(entity, After: -1, records[5..30]);
        Assert.Equal(Enumerable.Repeat(IngestOutcome.Duplicate, 5).Concat(Enumerable.Repeat(IngestOutcome.Accepted, 20)), outcomes);
        var tiles = await Tiles(entity);
        Assert.Equal(Gross(records), tiles.GrossRevenue.Value);
        Assert.Equal(records.Length, tiles.EventsApplied);
        Assert.Equal(records.Length, tiles.Orders.Value);

        // And what it holds now survives the next restart once checkpointed.
        Assert.Equal(129, (await entity.Ask<TenantStore.Checkpointed>(new TenantStore.Checkpoint(Shop, Partition), Wait, Ct)).Durable);
        await CrashAsync(entity, Gross(records));
    }

    private static decimal Gross(IEnumerable<TenantStore.PositionedEvent> records) => records.Sum(r => ((OrderEvent)r.Event).TotalPrice);

    private static async Task<IReadOnlyList<IngestOutcome>> Deliver(IActorRef entity, long After, TenantStore.PositionedEvent[] records)
    {
        var answer = await entity.Ask<TenantStore.BatchRecorded>(new TenantStore.RecordBatch(Shop, Partition, After, records), Wait, Ct);
        Assert.False(answer.Gap);
        return answer.Outcomes;
    }

    private static Task<DashboardTiles> Tiles(IActorRef region) => region.Ask<DashboardTiles>(new TenantStore.GetTiles(Shop, "GBP", "Europe/London"), Wait, Ct);

    /// <summary>
    /// Kills the entity as a node crash would (no final snapshot) and waits for its next life to show
    /// <paramref name="grossAfter"/>: a query that reaches the dying entity is lost with its mailbox, so it asks again.
    /// </summary>
    private static async Task CrashAsync(IActorRef region, decimal grossAfter)
    {
        region.Tell(new ShardingEnvelope(TenantStoreIds.EntityIdFor(Shop), PoisonPill.Instance));
        await KafkaTestKit.WaitUntilAsync(() =>
        {
            try
            {
                var tiles = region.Ask<DashboardTiles>(new TenantStore.GetTiles(Shop, "GBP", "Europe/London"), TimeSpan.FromSeconds(1)).GetAwaiter().GetResult();
                return tiles.GrossRevenue.Value == grossAfter;
            }
            catch (AskTimeoutException)
            {
                return false;
            }
        }, Wait, $"the entity restarted from its checkpoint with gross {grossAfter}");
    }
}
