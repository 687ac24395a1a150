using System.Diagnostics.Metrics;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Support.Kafka;
using SalesDash.Web.Hubs;

namespace SalesDash.Bench.Kafka;

/// <summary>
/// Issue 15 pt 3 on its own (<c>--fold-stores N</c>): the rate at which the engine folds a Kafka backlog into tenant
/// state. The backlog, spread round-robin over N stores, is put on the app's topic before the app starts, so its
/// consumer finds it all waiting; the rate is timed from the first record the entities answer to the last, read from
/// the app's <c>salesdash.kafka.records_folded</c> counter in-process. Beside it: raw librdkafka produce of the same
/// records in the same run, and an exactly-once check (every record accepted once, no duplicate, and the first
/// store's tiles equal to the cent to what was sent to it).
/// </summary>
internal static class FoldBench
{
    private const string RawTopic = "salesdash.bench-fold-raw";

    /// <summary>What librdkafka's mock broker keeps per partition before it deletes the oldest records, read or not.</summary>
    private const long MockPartitionBytes = 5L * 1024 * 1024;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(KafkaBenchOptions options, MockKafkaCluster cluster, TimeProvider time, List<string> report, CancellationToken ct)
    {
        var stores = Enumerable.Range(0, options.FoldStores)
            .Select(i => new StoreProfile(new StoreRef(options.Store.TenantId, i == 0 ? options.Store.StoreId : $"{options.Store.StoreId}-{i}"),
                $"Bench shop {i}", SalesChannel.Shopify, options.Store.ShopDomain, "USD", "UTC", options.Store.WebhookSecret))
            .ToArray();
        var random = new Random(42);
        var orderIds = 1_000_000_000L + time.GetUtcNow().ToUnixTimeSeconds() % 1_000_000 * 1_000;
        Progress($"encoding {options.Events} records over {stores.Length} stores");
        // One store's records on every partition (round-robin), or each store's on its own partition (by key, as the app does).
        var spread = stores.Length == 1 ? options.Partitions : 0;
        var records = new List<TopicRecord>(options.Events);
        for (var i = 0; i < options.Events; i++)
        {
            var webhook = ShopifyOrderWebhook.Create(orderIds++, 5m + random.Next(0, 49_500) / 100m, time.GetUtcNow(), options.Store.WebhookSecret, options.Store.BodyBytes);
            records.Add(TopicRecord.From(webhook, stores[i % stores.Length]));
        }

        // One record per store first: every entity is started (recovered, first fold) before the backlog is timed.
        var warmUp = stores.Select(store => TopicRecord.From(
            ShopifyOrderWebhook.Create(orderIds++, 10m, time.GetUtcNow(), options.Store.WebhookSecret, options.Store.BodyBytes), store)).ToList();
        var bytes = records.Sum(r => (long)r.Key.Length + r.Value.Length + 80);
        var perPartition = spread > 0 ? bytes / options.Partitions : BusiestPartitionBytes(records, options.Partitions);
        if (perPartition > MockPartitionBytes * 9 / 10)
        {
            report.Add(string.Create(Inv,
                $"ABORTED: the backlog puts about {perPartition / 1048576.0:0.0} MiB on one partition; the mock broker keeps 5 MiB. Use more --partitions or fewer --events."));
            return 1;
        }

        cluster.CreateTopic(RawTopic, options.Partitions);
        Progress($"(a) raw produce of {records.Count} records");
        var cpu = CpuShare.Now(time);
        var raw = RawProducer.Produce(cluster.BootstrapServers, RawTopic, warmUp[0], records, time, ct, spread);
        var rawCpu = cpu.Since(time);
        report.Add(string.Create(Inv, $"cluster             librdkafka mock, {cluster.Brokers} brokers, {options.Partitions} partitions, replication {cluster.Brokers}, in this process"));
        report.Add(string.Create(Inv,
            $"(a) raw produce     {raw.PerSecond,9:0} msgs/s   ({raw.Delivered} acked, {raw.Failed} failed in {raw.Elapsed.TotalSeconds:0.00} s; " +
            $"{records.Count / (double)stores.Length:0} records per store, {bytes / 1048576.0:0.0} MiB; {rawCpu}; load {MachineFacts.LoadAverage()})"));
        report.Add("                    " + cpu.PerItem(time, records.Count, "record produced"));

        var kafka = new KafkaOptions();
        cluster.CreateTopic(kafka.Topic, options.Partitions);
        var started = RawProducer.Produce(cluster.BootstrapServers, kafka.Topic, warmUp[0], warmUp.Skip(1).ToList(), time, ct);
        var warmFolded = new FoldedCounter(kafka.Topic, warmUp.Count, time);
        using var warmTimedOut = new TimedOutCounter(kafka.Topic);
        Environment.SetEnvironmentVariable("Kafka__BootstrapServers", cluster.BootstrapServers);
        Environment.SetEnvironmentVariable("Kafka__CreateTopic", "false");
        Environment.SetEnvironmentVariable("Kafka__Partitions", options.Partitions.ToString(Inv));
        Environment.SetEnvironmentVariable("Kafka__ReplicationFactor", cluster.Brokers.ToString(Inv));
        Environment.SetEnvironmentVariable("Kafka__Properties__log_level", "3");
        Progress($"starting the app in-process with Kafka on; it starts the {stores.Length} stores' entities with one record each");
        // Sampled before the app starts: its consumer starts the entities while the host is still coming up.
        cpu = CpuShare.Now(time);
        var server = InProcessServer.Start(options.Store);
        try
        {
            var warmReached = await ReachedAsync(warmFolded, options, time, ct);
            // Read now: the counter would go on counting the backlog's answers.
            warmFolded.Dispose();
            var warmAccepted = warmFolded.Accepted;
            if (!warmReached)
            {
                report.Add(string.Create(Inv, $"(c) NOT STARTED     within {options.Store.SettleTimeout.TotalSeconds:0} s: {warmFolded.Accepted} of {warmUp.Count} stores' first records folded"));
                return 1;
            }

            var startSeconds = time.GetElapsedTime(warmFolded.FirstAt, warmFolded.LastAt).TotalSeconds;
            report.Add(string.Create(Inv,
                $"    entities start  {stores.Length / Math.Max(startSeconds, 0.001),9:0} starts/s  ({stores.Length} stores, one record each, in {startSeconds:0.00} s " +
                $"from the first answer to the last: recovery of each entity, its tombstone check and first fold; {cpu.Since(time)}; load {MachineFacts.LoadAverage()}; " +
                $"{warmTimedOut.Count} deliveries timed out and offered again)"));
            report.Add("                    " + cpu.PerItem(time, stores.Length, "entity started (app start included)"));

            // Screens on the first stores, as the hub registers them: their entities build and push tiles on each change.
            var watched = Math.Min(options.FoldWatched, stores.Length);
            if (watched > 0)
            {
                var relay = await server.Services.GetRequiredService<ActorRegistry>().GetAsync<TileRelayActor>(ct);
                for (var s = 0; s < watched; s++)
                {
                    relay.Tell(new TileRelayActor.Watch($"bench-screen-{s}", stores[s]));
                }
            }

            report.Add(string.Create(Inv, $"    screens         {watched} of {stores.Length} stores watched through the node's relay during (c)"));

            // The backlog: produced while the engine runs, timed from the first produce to the last record answered, so
            // the figure is at most the producer's own rate, which (a) shows for the same records.
            warmTimedOut.Dispose();
            using var folded = new FoldedCounter(kafka.Topic, records.Count + 1, time);
            using var backlogTimedOut = new TimedOutCounter(kafka.Topic);
            Progress($"(c) backlog of {records.Count} records over {stores.Length} stores");
            using var sampler = options.AllocTypes > 0 ? new AllocationSampler() : null;
            sampler?.Start();
            cpu = CpuShare.Now(time);
            var backlog = await Task.Run(() => RawProducer.Produce(cluster.BootstrapServers, kafka.Topic, warmUp[0], records, time, ct, spread), ct);
            if (!await ReachedAsync(folded, options, time, ct) || backlog.Failed > 0 || started.Failed > 0)
            {
                report.Add(string.Create(Inv,
                    $"(c) NOT FOLDED      within {options.Store.SettleTimeout.TotalSeconds:0} s: {folded.Accepted} of {records.Count} accepted, {folded.Duplicates} duplicates, " +
                    $"{backlog.Failed + started.Failed} not acknowledged by the broker ({cpu.Since(time)})"));
                return 1;
            }

            var seconds = time.GetElapsedTime(backlog.FirstProduceTimestamp, folded.LastAt).TotalSeconds;
            var rate = records.Count / seconds;
            report.Add(string.Create(Inv,
                $"(c) folded          {rate,9:0} events/s   = {rate / raw.PerSecond:0.000} x raw   ({records.Count} records over {stores.Length} stores in {seconds:0.000} s " +
                $"from the first produce to the last record answered; produce alone took {backlog.Elapsed.TotalSeconds:0.000} s; {cpu.Since(time)}; " +
                $"load {MachineFacts.LoadAverage()}; {backlogTimedOut.Count} deliveries timed out and offered again)"));
            // Per delivery the consumer asks the entity once, and the entity hands history one batch and may push its tiles once.
            report.Add(string.Create(Inv,
                $"                    {folded.Answers} deliveries answered (outcome counts), {records.Count / (double)Math.Max(folded.Answers, 1):0.0} records a delivery"));
            // The producer runs in this process during (c): its cost per record is (a)'s line; the engine's is the difference.
            report.Add("                    " + cpu.PerItem(time, records.Count, "record produced and folded"));
            sampler?.Stop();
            if (sampler is not null)
            {
                report.AddRange(sampler.Top(options.AllocTypes, records.Count));
            }

            // Exactly once, against the oracle: every store's tiles hold its warm-up record and its share of the backlog,
            // each counted once, to the cent. The answers' counters cannot say it alone: a delivery not answered within the
            // ask time-out (entities starting) is offered again and its copy is answered as already folded (a duplicate).
            var query = server.Services.GetRequiredService<ITileQuery>();
            var wrong = 0;
            long applied = 0;
            decimal gross = 0m, expectedGross = 0m;
            for (var s = 0; s < stores.Length; s++)
            {
                var sent = records.Where((_, i) => i % stores.Length == s).Select(r => r.TotalPrice).Append(warmUp[s].TotalPrice).ToList();
                var tiles = await query.GetTilesAsync(stores[s], ct);
                applied += tiles.EventsApplied;
                gross += tiles.GrossRevenue.Value;
                expectedGross += sent.Sum();
                wrong += tiles.EventsApplied == sent.Count && tiles.GrossRevenue.Value == sent.Sum() ? 0 : 1;
            }

            var total = warmUp.Count + records.Count;
            var exact = wrong == 0 && folded.Quarantined == 0 && warmAccepted + folded.Accepted <= total;
            report.Add(string.Create(Inv,
                $"exactly once        {(exact ? "PASS" : "FAIL")} (tiles of all {stores.Length} stores: {applied} of {total} events, gross {gross} of {expectedGross}, " +
                $"{wrong} stores off; answers: {warmAccepted + folded.Accepted} accepted, {warmFolded.Duplicates + folded.Duplicates} duplicates " +
                $"(1 is the warm-up record produced again, the rest copies offered again after a time-out), {folded.Quarantined} quarantined)"));
            return exact ? 0 : 1;
        }
        finally
        {
            Progress("stopping the app");
            await server.DisposeAsync();
        }
    }

    private static async Task<bool> ReachedAsync(FoldedCounter counter, KafkaBenchOptions options, TimeProvider time, CancellationToken ct) =>
        await counter.Reached.WaitAsync(options.Store.SettleTimeout, time, ct).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    /// <summary>Bytes on the fullest partition when records go by key: the stores hash unevenly, hence the margin.</summary>
    private static long BusiestPartitionBytes(List<TopicRecord> records, int partitions)
    {
        var stores = records.Select(r => r.Key).Distinct().Count();
        return records.Sum(r => (long)r.Key.Length + r.Value.Length + 80) / Math.Min(partitions, stores) * 3 / 2;
    }

    private static void Progress(string what) => Console.Error.WriteLine($"[kafka fold bench] {what}");

    /// <summary>The app's salesdash.kafka.deliveries_timed_out counter for one topic: deliveries offered again after an ask time-out.</summary>
    private sealed class TimedOutCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public TimedOutCounter(string topic)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaIngestionMetrics.MeterName && instrument.Name == KafkaIngestionMetrics.DeliveriesTimedOutInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "topic" && Equals(tag.Value, topic))
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The app's salesdash.kafka.records_folded counter for one topic, read in-process as a metrics exporter would.</summary>
    private sealed class FoldedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _gate = new();
        private readonly long _target;
        private readonly TimeProvider _time;

        public FoldedCounter(string topic, long target, TimeProvider time)
        {
            _target = target;
            _time = time;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaIngestionMetrics.MeterName && instrument.Name == KafkaIngestionMetrics.RecordsFoldedInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? outcome = null;
                var ours = false;
                foreach (var tag in tags)
                {
                    ours |= tag.Key == "topic" && Equals(tag.Value, topic);
                    outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                }

                if (ours)
                {
                    Add(outcome, value);
                }
            });
            _listener.Start();
        }

        public Task Reached => _reached.Task;

        public long Accepted { get; private set; }

        public long Duplicates { get; private set; }

        public long Quarantined { get; private set; }

        /// <summary>
        /// Measurements taken: the app adds one per outcome present in a delivery's answer, so with every record accepted
        /// once this is the number of deliveries (one store's records of one poll and partition, one ask each).
        /// </summary>
        public long Answers { get; private set; }

        public long FirstAt { get; private set; }

        public long FirstCount { get; private set; }

        public long LastAt { get; private set; }

        private void Add(string? outcome, long value)
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                Answers++;
                if (FirstAt == 0)
                {
                    FirstAt = now;
                    FirstCount = value;
                }

                switch (outcome)
                {
                    case nameof(IngestOutcome.Accepted):
                        Accepted += value;
                        break;
                    case nameof(IngestOutcome.Duplicate):
                        Duplicates += value;
                        break;
                    default:
                        Quarantined += value;
                        break;
                }

                if (Accepted + Duplicates + Quarantined >= _target && LastAt == 0)
                {
                    LastAt = now;
                    _reached.TrySetResult();
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
