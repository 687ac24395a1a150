using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tests.Support.Kafka;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>The Kafka path end to end against librdkafka's mock cluster, with a stand-in shard region.</summary>
public sealed class KafkaIngestionTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start();
    private readonly ActorSystem _system = ActorSystem.Create($"kafka-{Guid.NewGuid():N}");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Every_event_reaches_its_entity_in_the_order_it_was_produced_and_is_committed()
    {
        var options = CreateTopic("round-trip", partitions: 4);
        var stores = Enumerable.Range(1, 6).Select(i => new StoreRef("acme", $"shop-{i}")).ToArray();
        var produced = stores.ToDictionary(s => s, s => Enumerable.Range(1, 40)
            .Select(i => (CommerceEvent)TestEvents.Placed($"{s.StoreId}-o{i}", TestEvents.Utc(2026, 1, 12, 9, i), 10m + i, store: s))
            .ToArray());

        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            // Stores produce concurrently, each one's webhooks one after another, as a platform delivers them.
            var outcomes = await Task.WhenAll(produced.Values.Select(async events =>
            {
                var results = new List<IngestOutcome>();
                foreach (var e in events)
                {
                    results.Add(await ingest.IngestAsync(e, TestContext.Current.CancellationToken));
                }

                return results;
            }));
            Assert.All(outcomes.SelectMany(o => o), o => Assert.Equal(IngestOutcome.Accepted, o));
        }

        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log));
        using var stop = new CancellationTokenSource();
        var run = Pipeline(options, region).RunAsync(stop.Token);

        await KafkaTestKit.WaitUntilAsync(() => log.Count >= 240, Bound, "all 240 events reached the region");
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 240, Bound, "all 240 offsets are committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        var received = log.Events;
        Assert.Equal(240, received.Count);
        foreach (var store in stores)
        {
            Assert.Equal(produced[store].Select(e => e.EventId), received.Where(e => e.Store == store).Select(e => e.EventId));
        }

        Assert.Equal(produced[stores[0]][0], received.First(e => e.Store == stores[0]));
    }

    private KafkaOptions CreateTopic(string name, int partitions)
    {
        var options = KafkaTestKit.OptionsFor(_cluster, $"{name}-{Guid.NewGuid():N}", partitions);
        _cluster.CreateTopic(options.Topic, partitions);
        return options;
    }

    private KafkaIngestionPipeline Pipeline(KafkaOptions options, IActorRef region, KafkaIngestionMetrics? metrics = null) =>
        new(options, region, TimeSpan.FromSeconds(10), _system, NullLogger.Instance, metrics);
}
