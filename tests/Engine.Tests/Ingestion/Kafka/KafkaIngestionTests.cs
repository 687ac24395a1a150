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

        // What the entity gets is the event the webhook handed in, field for field.
        Assert.Equivalent(produced[stores[0]][0], received.First(e => e.Store == stores[0]), strict: true);
    }

    [Fact]
    public async Task Events_produced_while_the_partition_leader_is_down_are_neither_lost_nor_duplicated()
    {
        var options = CreateTopic("leader-down", partitions: 3);
        for (var partition = 0; partition < 3; partition++)
        {
            _cluster.SetPartitionLeader(options.Topic, partition, brokerId: 1);
        }

        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log));
        using var stop = new CancellationTokenSource();
        var run = Pipeline(options, region).RunAsync(stop.Token);
        var events = Enumerable.Range(1, 300)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 5m + i,
                store: new StoreRef("acme", $"shop-{i % 7}")))
            .ToArray();

        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            var before = await KafkaTestKit.ProduceAllAsync(ingest, events[..100]);
            await KafkaTestKit.WaitUntilAsync(() => log.Count >= 100, Bound, "the first 100 events were consumed");

            _cluster.SetBrokerDown(1);
            // Webhooks arriving during the outage wait for the leader to come back rather than being acknowledged early.
            var during = KafkaTestKit.ProduceAllAsync(ingest, events[100..]);
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.False(during.IsCompleted, "a webhook was acknowledged while the partition leader was down");
            _cluster.SetBrokerUp(1);

            var after = await during.WaitAsync(Bound, TestContext.Current.CancellationToken);
            Assert.All(before.Concat(after), o => Assert.Equal(IngestOutcome.Accepted, o));
        }

        await KafkaTestKit.WaitUntilAsync(() => log.Count >= 300, Bound, "all 300 events reached the region");
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 300, Bound, "all 300 offsets are committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        // The idempotent producer's retries left exactly one copy of each event in Kafka, and each reached the engine once.
        Assert.Equal(300, KafkaTestKit.RecordsInTopic(options));
        Assert.Equal(events.Select(e => e.EventId).Order(), log.Events.Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task A_produce_Kafka_does_not_take_in_time_is_refused_as_unavailable_and_its_retry_is_stored_once()
    {
        var options = CreateTopic("unavailable", partitions: 1);
        options.DeliveryTimeout = TimeSpan.FromSeconds(1);
        _cluster.SetPartitionLeader(options.Topic, 0, brokerId: 1);
        var accepted = TestEvents.Placed("o-1", TestEvents.Utc(2026, 1, 12, 9, 0), 12m);
        var refused = TestEvents.Placed("o-2", TestEvents.Utc(2026, 1, 12, 9, 1), 13m);

        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(accepted, TestContext.Current.CancellationToken));

            // The leader stays down past the delivery timeout: the webhook must be told "not stored" (the door answers 503
            // and the platform retries), not a bare ProduceException that the host turns into a 500.
            _cluster.SetBrokerDown(1);
            var failure = await Assert.ThrowsAsync<IngestUnavailableException>(() => ingest.IngestAsync(refused, TestContext.Current.CancellationToken));
            Assert.IsType<Confluent.Kafka.ProduceException<string, byte[]>>(failure.InnerException);
            _cluster.SetBrokerUp(1);

            // The platform's retry goes through.
            Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(refused, TestContext.Current.CancellationToken));
        }

        // What was accepted before the outage is still there, and the refused event is there once, from its retry.
        Assert.Equal(2, KafkaTestKit.RecordsInTopic(options));
    }

    [Fact]
    public async Task A_stalled_engine_leaves_records_in_Kafka_and_the_lag_gauge_counts_them()
    {
        var options = CreateTopic("stalled", partitions: 1);
        options.ParallelismPerPartition = 4;
        options.MaxPollBatch = 50;
        using var metrics = new KafkaIngestionMetrics();
        using var lag = new LagListener(options.Topic);
        var events = Enumerable.Range(1, 400)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 3m))
            .ToArray();
        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            await KafkaTestKit.ProduceAllAsync(ingest, events);
        }

        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log, open: false));
        using var stop = new CancellationTokenSource();
        var run = Pipeline(options, region, metrics).RunAsync(stop.Token);

        await KafkaTestKit.WaitUntilAsync(() => log.Held == 4, Bound, "the engine holds 4 unanswered records");
        await KafkaTestKit.WaitUntilAsync(() => lag.Latest() == 400, Bound, "the lag gauge reports all 400 records");
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        // Backpressure: only the 4 deliveries the engine can take (a poll each) are handed to it; the rest wait in Kafka, uncommitted.
        Assert.InRange(log.Count, 4, 4 * options.MaxPollBatch);
        Assert.True(log.Count < 400, $"{log.Count} of the 400 records were handed to a stalled engine");
        Assert.Equal(0, KafkaTestKit.CommittedTotal(options));

        region.Tell(RecordingRegion.Open.Instance);
        await KafkaTestKit.WaitUntilAsync(() => log.Count == 400, Bound, "the engine caught up");
        await KafkaTestKit.WaitUntilAsync(() => lag.Latest() == 0, Bound, "the lag gauge returns to zero");
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 400, Bound, "all 400 offsets are committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_record_that_is_not_an_event_is_skipped_without_blocking_its_partition()
    {
        var options = CreateTopic("poison", partitions: 1);
        using (var producer = new Confluent.Kafka.ProducerBuilder<string, byte[]>(
            new Confluent.Kafka.ProducerConfig { BootstrapServers = options.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(options.Topic, new() { Key = "acme/eu-shop", Value = "{\"$type\":\"no-such-event\"}"u8.ToArray() },
                TestContext.Current.CancellationToken);
        }

        var valid = TestEvents.Placed("o1", TestEvents.Utc(2026, 1, 12, 9, 0), 12.5m);
        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            await ingest.IngestAsync(valid, TestContext.Current.CancellationToken);
        }

        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log));
        using var metrics = new KafkaIngestionMetrics();
        using var undecodable = new CounterListener(KafkaIngestionMetrics.RecordsUndecodableInstrument, options.Topic);
        using var stop = new CancellationTokenSource();
        var run = Pipeline(options, region, metrics).RunAsync(stop.Token);

        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 2, Bound, "both offsets are committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(["placed-o1"], log.Events.Select(e => e.EventId));
        // Skipped, but counted where an operator's alert can see it.
        Assert.Equal(1, undecodable.Total);
    }

    [Fact]
    public async Task An_engine_stalled_longer_than_max_poll_interval_keeps_its_partitions_and_gets_each_record_once()
    {
        var options = CreateTopic("stalled-long", partitions: 1);
        // librdkafka leaves the group when the application has not polled for this long (the minimum it allows
        // next to the 3 s session timeout, plus a margin); the engine below holds its answers for twice as long.
        options.ConsumerProperties["max.poll.interval.ms"] = "3500";
        options.ParallelismPerPartition = 4;
        // Four polls of at most 20 cannot take all 120 records, so the stalled engine stops asking for more.
        options.MaxPollBatch = 20;
        var events = Enumerable.Range(1, 120)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 4m))
            .ToArray();
        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            await KafkaTestKit.ProduceAllAsync(ingest, events);
        }

        var log = new RecordingLog();
        var lines = new LogLines();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log, open: false));
        using var stop = new CancellationTokenSource();
        var run = new KafkaIngestionPipeline(options, region, TimeSpan.FromSeconds(30), _system, lines).RunAsync(stop.Token);

        await KafkaTestKit.WaitUntilAsync(() => log.Held == 4, Bound, "the engine holds 4 unanswered records");
        await Task.Delay(TimeSpan.FromSeconds(7), TestContext.Current.CancellationToken);
        region.Tell(RecordingRegion.Open.Instance);

        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 120, Bound, "all 120 offsets are committed");
        await stop.CancelAsync();
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        // Still a member throughout: no partition was lost, so nothing was handed to the engine a second time.
        Assert.Contains(lines.At(Microsoft.Extensions.Logging.LogLevel.Information), l => l.Contains("keeps polling to stay in the group", StringComparison.Ordinal));
        Assert.DoesNotContain(lines.All, l => l.Contains("partitions lost", StringComparison.Ordinal));
        Assert.Equal(events.Select(e => e.EventId), log.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_member_joining_while_the_engine_is_stalled_takes_over_a_partition_before_the_stall_ends()
    {
        var options = CreateTopic("stalled-join", partitions: 2);
        options.ConsumerProperties["max.poll.interval.ms"] = "3500";
        options.RevokeDrainTimeout = TimeSpan.FromSeconds(1);
        options.ParallelismPerPartition = 2;
        options.MaxPollBatch = 20;
        var events = Enumerable.Range(1, 80)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 6m,
                store: new StoreRef("acme", $"shop-{i % 7}")))
            .ToArray();
        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            await KafkaTestKit.ProduceAllAsync(ingest, events);
        }

        var stalledLog = new RecordingLog();
        var stalled = _system.ActorOf(RecordingRegion.PropsFor(stalledLog, open: false));
        var lines = new LogLines();
        using var stop = new CancellationTokenSource();
        var first = new KafkaIngestionPipeline(options, stalled, TimeSpan.FromSeconds(60), _system, lines).RunAsync(stop.Token);
        await KafkaTestKit.WaitUntilAsync(
            () => lines.At(Microsoft.Extensions.Logging.LogLevel.Information).Any(l => l.Contains("keeps polling", StringComparison.Ordinal)),
            Bound, "the stalled member pauses and keeps polling");

        // The second member joins while the first is still stalled: the rebalance is served inside the first's
        // keep-alive polls, so one partition moves and its records flow again without waiting for the stall.
        var joinedLog = new RecordingLog();
        var joined = _system.ActorOf(RecordingRegion.PropsFor(joinedLog));
        var second = Pipeline(options, joined).RunAsync(stop.Token);
        await KafkaTestKit.WaitUntilAsync(() => joinedLog.Count > 0, Bound, "the joining member processes records while the first is stalled");
        Assert.NotEqual(0, stalledLog.Held);

        stalled.Tell(RecordingRegion.Open.Instance);
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 80, Bound, "all 80 offsets are committed");
        await stop.CancelAsync();
        await Task.WhenAll(first, second).WaitAsync(Bound, TestContext.Current.CancellationToken);

        // Nothing skipped: every event reached one of the two engines (the moved partition's unanswered records twice).
        Assert.Equal(events.Select(e => e.EventId).Order(),
            stalledLog.Events.Concat(joinedLog.Events).Select(e => e.EventId).Distinct().Order());
    }

    [Fact]
    public async Task Records_Kafka_deleted_before_the_engine_reached_them_are_reported_as_lost_not_skipped_silently()
    {
        var options = CreateTopic("retention", partitions: 1);
        using var metrics = new KafkaIngestionMetrics();
        using var lost = new CounterListener(KafkaIngestionMetrics.RecordsLostInstrument, options.Topic);
        var lines = new LogLines();
        var events = Enumerable.Range(1, 20)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 7m))
            .ToArray();
        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log));

        using (var ingest = new KafkaCommerceEventIngest(Options.Create(options)))
        {
            await KafkaTestKit.ProduceAllAsync(ingest, events[..10]);
            using (var first = new CancellationTokenSource())
            {
                var run = Pipeline(options, region, metrics, lines).RunAsync(first.Token);
                await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 10, Bound, "the first 10 offsets are committed");
                await first.CancelAsync();
                await run.WaitAsync(Bound, TestContext.Current.CancellationToken);
            }

            await KafkaTestKit.ProduceAllAsync(ingest, events[10..]);
        }

        // While no engine reads, retention deletes the oldest records, five of them never processed (offsets 10..14).
        _cluster.DeleteRecordsBefore(options.Topic, partition: 0, offset: 15);

        using var stop = new CancellationTokenSource();
        var second = Pipeline(options, region, metrics, lines).RunAsync(stop.Token);
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 20, Bound, "the group moved past the deleted records");
        await stop.CancelAsync();
        await second.WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(events[..10].Concat(events[15..]).Select(e => e.EventId), log.Events.Select(e => e.EventId));
        // What cannot be recovered is at least said, once, with its size: an error for the operator and a counter to alert on.
        Assert.Equal(5, lost.Total);
        var error = Assert.Single(lines.At(Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.StartsWith($"Kafka deleted 5 records of {options.Topic} [[0]] (offsets 10..14; the log now starts at 15)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_that_is_where_it_left_off_reports_nothing_lost()
    {
        var options = CreateTopic("no-gap", partitions: 2);
        using var metrics = new KafkaIngestionMetrics();
        using var lost = new CounterListener(KafkaIngestionMetrics.RecordsLostInstrument, options.Topic);
        var lines = new LogLines();
        var events = Enumerable.Range(1, 60)
            .Select(i => (CommerceEvent)TestEvents.Placed($"o{i}", TestEvents.Utc(2026, 1, 12, 9, 0).AddSeconds(i), 2m,
                store: new StoreRef("acme", $"shop-{i % 5}")))
            .ToArray();
        var log = new RecordingLog();
        var region = _system.ActorOf(RecordingRegion.PropsFor(log));
        using var ingest = new KafkaCommerceEventIngest(Options.Create(options));
        await KafkaTestKit.ProduceAllAsync(ingest, events[..30]);
        using (var first = new CancellationTokenSource())
        {
            var run = Pipeline(options, region, metrics, lines).RunAsync(first.Token);
            await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 30, Bound, "the first 30 offsets are committed");
            await first.CancelAsync();
            await run.WaitAsync(Bound, TestContext.Current.CancellationToken);
        }

        await KafkaTestKit.ProduceAllAsync(ingest, events[30..]);
        using var stop = new CancellationTokenSource();
        var second = Pipeline(options, region, metrics, lines).RunAsync(stop.Token);
        await KafkaTestKit.WaitUntilAsync(() => KafkaTestKit.CommittedTotal(options) == 60, Bound, "all 60 offsets are committed");
        await stop.CancelAsync();
        await second.WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(events.Select(e => e.EventId).Order(), log.Events.Select(e => e.EventId).Order());
        Assert.Equal(0, lost.Total);
        Assert.Empty(lines.At(Microsoft.Extensions.Logging.LogLevel.Error));
    }

    /// <summary>Reads the consumer-lag gauge of one topic, summed over its partitions, as a metrics exporter would.</summary>
    private sealed class LagListener : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly object _gate = new();
        private readonly string _topic;
        private long? _sum;

        public LagListener(string topic)
        {
            _topic = topic;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaIngestionMetrics.MeterName && instrument.Name == KafkaIngestionMetrics.ConsumerLagInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "topic" && Equals(tag.Value, _topic))
                    {
                        lock (_gate)
                        {
                            _sum = (_sum ?? 0) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>Observes the gauge now; null while no partition of the topic is reported.</summary>
        public long? Latest()
        {
            lock (_gate)
            {
                _sum = null;
                _listener.RecordObservableInstruments();
                return _sum;
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Sums what a counter of one topic recorded, over its partitions, as a metrics exporter would.</summary>
    private sealed class CounterListener : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private readonly string _topic;
        private long _total;

        public CounterListener(string instrumentName, string topic)
        {
            _topic = topic;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaIngestionMetrics.MeterName && instrument.Name == instrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "topic" && Equals(tag.Value, _topic))
                    {
                        Interlocked.Add(ref _total, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }

    private KafkaOptions CreateTopic(string name, int partitions)
    {
        var options = KafkaTestKit.OptionsFor(_cluster, $"{name}-{Guid.NewGuid():N}", partitions);
        _cluster.CreateTopic(options.Topic, partitions);
        return options;
    }

    private KafkaIngestionPipeline Pipeline(KafkaOptions options, IActorRef region, KafkaIngestionMetrics? metrics = null,
        Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(options, region, TimeSpan.FromSeconds(10), _system, logger ?? NullLogger.Instance, metrics);
}
