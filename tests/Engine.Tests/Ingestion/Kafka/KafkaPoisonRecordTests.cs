using Akka.Actor;
using Akka.Hosting;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Support.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>Issue 14 in Kafka mode: a record no guard saw (another producer, an older release) must not stop the consumer.</summary>
public sealed class KafkaPoisonRecordTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Now = Utc(2026, 1, 12, 18, 0);
    private static readonly StoreRef[] Stores = [new("acme", "shop-a"), new("acme", "shop-b"), new("globex", "main")];

    private readonly MockKafkaCluster _cluster = MockKafkaCluster.Start();
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose()
    {
        _data.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Poisoned_records_are_quarantined_by_their_store_and_every_store_on_the_partition_gets_the_oracle_figures()
    {
        var ct = TestContext.Current.CancellationToken;

        // One partition: every store's records queue behind the poisoned ones, so a stuck record would stop them all.
        var options = KafkaTestKit.OptionsFor(_cluster, $"poison-{Guid.NewGuid():N}", 1);
        _cluster.CreateTopic(options.Topic, 1);
        var trade = KafkaEntityIngestionTests.Trade.Generate(seed: 21, ordersPerStore: 30, updatesPerStore: 8, refundsPerStore: 6);
        CommerceEvent[] poisoned =
        [
            // The order: two lines of 2,000,000,000 units.
            Placed("poison-1", Now.AddMinutes(-40), 10m, store: Stores[0], eventId: "poison-1") with
            {
                Lines = [new OrderLine("a", "A", 2_000_000_000, 0m), new OrderLine("b", "B", 2_000_000_000, 0m)],
            },
            Placed("poison-2", Now.AddMinutes(-30), 10m, store: Stores[1], eventId: "poison-2") with { Lines = null! },
            Placed("poison-3", Now.AddYears(70), 10m, store: Stores[2], eventId: "poison-3"),
            Refund("poison-4", "o-1", Now.AddMinutes(-20), 79_228_162_514_264_337_593_543_950_335m, eventId: "poison-4") with { Store = Stores[0] },
        ];
        var records = poisoned.Take(2).Concat(trade.Events.Take(trade.Events.Count / 2)).Concat(poisoned.Skip(2)).Concat(trade.Events.Skip(trade.Events.Count / 2))
            // ...and a redelivery of the first poisoned record, which must be held once.
            .Append(poisoned[0]).ToArray();

        var producerConfig = new ProducerConfig { BootstrapServers = options.BootstrapServers, EnableIdempotence = true, Acks = Acks.All };
        producerConfig.Set("log_level", "3");
        using (var producer = new ProducerBuilder<string, byte[]>(producerConfig).Build())
        {
            foreach (var commerceEvent in records)
            {
                // Written straight to the topic, past KafkaCommerceEventIngest's guard, as a foreign producer would.
                await producer.ProduceAsync(options.Topic,
                    new Message<string, byte[]> { Key = CommerceEventCodec.KeyFor(commerceEvent.Store), Value = CommerceEventCodec.Encode(commerceEvent) }, ct);
            }
        }

        using var host = await EngineHost.StartAsync(_data.Path, _time);
        var region = await host.Services.GetRequiredService<IRequiredActor<TenantStoreRegion>>().GetAsync(ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        using var stop = new CancellationTokenSource();
        var run = new KafkaIngestionPipeline(options, region, TimeSpan.FromSeconds(30), system, NullLogger.Instance).RunAsync(stop.Token);

        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == records.Length, Bound,
            $"all {records.Length} records, poisoned ones included, are processed and committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, ct);

        foreach (var store in Stores)
        {
            var tiles = await TilesOf(host, store);
            var expected = trade.Oracle(store);
            Assert.Equal(expected.Gross, tiles.GrossRevenue.Value);
            Assert.Equal(expected.Refunds, tiles.Refunds.Value);
            Assert.Equal(expected.Orders, tiles.Orders.Value);
            Assert.Equal(expected.Units, tiles.UnitsSold.Value);
        }

        var held = await Task.WhenAll(Stores.Select(async store =>
            (await region.Ask<StoreQuarantine.Listed>(new StoreQuarantine.List(store), Bound, ct)).Entries));
        Assert.Equal([("poison-1", "lines[0].quantity"), ("poison-4", "amount")], held[0].Select(e => (e.Event.EventId, e.Field)));
        Assert.Equal([("poison-2", "lines")], held[1].Select(e => (e.Event.EventId, e.Field)));
        Assert.Equal([("poison-3", "occurredAt")], held[2].Select(e => (e.Event.EventId, e.Field)));
    }

    private static Task<DashboardTiles> TilesOf(IHost host, StoreRef store) =>
        host.Services.GetRequiredService<ITileQuery>().GetTilesAsync(
            new StoreProfile(store, store.StoreId, SalesChannel.Shopify, $"{store.StoreId}.example", "GBP", "Europe/London", "secret"),
            TestContext.Current.CancellationToken);
}
