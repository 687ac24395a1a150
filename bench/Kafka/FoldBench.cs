using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Json;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tests.Support.Kafka;

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

        var warm = TopicRecord.From(ShopifyOrderWebhook.Create(orderIds++, 10m, time.GetUtcNow(), options.Store.WebhookSecret, options.Store.BodyBytes), stores[0]);
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
        var raw = RawProducer.Produce(cluster.BootstrapServers, RawTopic, warm, records, time, ct, spread);
        var rawCpu = cpu.Since(time);
        report.Add(string.Create(Inv, $"cluster             librdkafka mock, {cluster.Brokers} brokers, {options.Partitions} partitions, replication {cluster.Brokers}, in this process"));
        report.Add(string.Create(Inv,
            $"(a) raw produce     {raw.PerSecond,9:0} msgs/s   ({raw.Delivered} acked, {raw.Failed} failed in {raw.Elapsed.TotalSeconds:0.00} s; " +
            $"{records.Count / (double)stores.Length:0} records per store, {bytes / 1048576.0:0.0} MiB; {rawCpu})"));

        var kafka = new KafkaOptions();
        cluster.CreateTopic(kafka.Topic, options.Partitions);
        Progress($"backlog of {records.Count + 1} records on the app's topic before the app starts");
        var backlog = RawProducer.Produce(cluster.BootstrapServers, kafka.Topic, warm, records, time, ct, spread);
        if (raw.Failed > 0 || backlog.Failed > 0)
        {
            report.Add($"ABORTED: {raw.Failed + backlog.Failed} records were not acknowledged by the mock broker");
            return 1;
        }

        var expectedRecords = records.Count + 1L;
        using var folded = new FoldedCounter(kafka.Topic, expectedRecords, time);
        Environment.SetEnvironmentVariable("Kafka__BootstrapServers", cluster.BootstrapServers);
        Environment.SetEnvironmentVariable("Kafka__CreateTopic", "false");
        Environment.SetEnvironmentVariable("Kafka__Partitions", options.Partitions.ToString(Inv));
        Environment.SetEnvironmentVariable("Kafka__ReplicationFactor", cluster.Brokers.ToString(Inv));
        Environment.SetEnvironmentVariable("Kafka__Properties__log_level", "3");
        Progress("starting the app in-process with Kafka on; it folds the backlog");
        cpu = CpuShare.Now(time);
        var server = InProcessServer.Start(options.Store);
        try
        {
            var done = await folded.Reached.WaitAsync(options.Store.SettleTimeout, time, ct).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
            var foldCpu = cpu.Since(time);
            if (!done)
            {
                report.Add(string.Create(Inv,
                    $"(c) NOT FOLDED      within {options.Store.SettleTimeout.TotalSeconds:0} s: {folded.Accepted} of {expectedRecords} accepted, {folded.Duplicates} duplicates ({foldCpu})"));
                return 1;
            }

            var seconds = time.GetElapsedTime(folded.FirstAt, folded.LastAt).TotalSeconds;
            // The first answer's records are not inside the timed span: they were folded before it started.
            var timed = expectedRecords - folded.FirstCount;
            var rate = timed / seconds;
            report.Add(string.Create(Inv,
                $"(c) folded          {rate,9:0} events/s   = {rate / raw.PerSecond:0.000} x raw   ({timed} records over {stores.Length} stores in {seconds:0.000} s from the first " +
                $"answer to the last; app start and consumer-group join excluded; {foldCpu})"));

            // Exactly once: every record accepted once, none seen twice, and the first store's figures to the cent.
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.Store.ApiKey);
            var first = records.Where((_, i) => i % stores.Length == 0).ToList();
            var expectedGross = warm.TotalPrice + first.Sum(r => r.TotalPrice);
            var tiles = await http.GetFromJsonAsync<DashboardTiles>(
                $"api/stores/{Uri.EscapeDataString(options.Store.TenantId)}/{Uri.EscapeDataString(options.Store.StoreId)}/tiles", ct);
            var exact = folded.Accepted == expectedRecords && folded.Duplicates == 0 && folded.Quarantined == 0
                && tiles?.GrossRevenue.Value == expectedGross && tiles.EventsApplied == first.Count + 1;
            report.Add(string.Create(Inv,
                $"exactly once        {(exact ? "PASS" : "FAIL")} ({folded.Accepted} of {expectedRecords} records accepted, {folded.Duplicates} duplicates, {folded.Quarantined} quarantined; " +
                $"store {options.Store.StoreId}: {tiles?.EventsApplied} of {first.Count + 1} events, gross {tiles?.GrossRevenue.Value} of {expectedGross})"));
            return exact ? 0 : 1;
        }
        finally
        {
            Progress("stopping the app");
            await server.DisposeAsync();
        }
    }

    /// <summary>Bytes on the fullest partition when records go by key: the stores hash unevenly, hence the margin.</summary>
    private static long BusiestPartitionBytes(List<TopicRecord> records, int partitions)
    {
        var stores = records.Select(r => r.Key).Distinct().Count();
        return records.Sum(r => (long)r.Key.Length + r.Value.Length + 80) / Math.Min(partitions, stores) * 3 / 2;
    }

    private static void Progress(string what) => Console.Error.WriteLine($"[kafka fold bench] {what}");

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

        public long FirstAt { get; private set; }

        public long FirstCount { get; private set; }

        public long LastAt { get; private set; }

        private void Add(string? outcome, long value)
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
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
