using System.Globalization;
using System.Net.Http.Json;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion.Kafka;
using SalesDash.Engine.Tests.Support.Kafka;

namespace SalesDash.Bench.Kafka;

/// <summary>
/// The Kafka path's figures (see bench/README.md): raw librdkafka produce rate, accepted webhooks/s, events/s the
/// engine folds from a backlog, event-to-tile latency under a paced load, each as a ratio to the raw rate, and a
/// check that the gross revenue tile equals everything sent. Not top-level statements: the app owns Program.
/// </summary>
internal static class KafkaBenchMain
{
    private const string RawTopic = "salesdash.bench-raw";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        KafkaBenchOptions options;
        try
        {
            options = KafkaBenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(KafkaBenchOptions.Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // Printed after the server has stopped, so its shutdown log lines do not bury the figures.
        var report = new List<string> { $"machine             {MachineFacts.Describe()}" };
        if (options.FoldStages)
        {
            var code = FoldStages.Run(options, TimeProvider.System, report);
            report.ForEach(Console.WriteLine);
            return code;
        }

        using var cluster = MockKafkaCluster.Start();
        using var run = new BenchRun(options, cluster, TimeProvider.System, report);
        int exitCode;
        try
        {
            exitCode = options.FoldStores > 0
                ? await FoldBench.RunAsync(options, cluster, TimeProvider.System, report, stop.Token)
                : await run.RunAsync(stop.Token);
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException or InvalidOperationException or OperationCanceledException)
        {
            report.Add($"ABORTED: {e.GetType().Name}: {e.Message}");
            exitCode = 1;
        }

        report.Add($"load average at end {MachineFacts.LoadAverage()}");
        foreach (var line in report)
        {
            Console.WriteLine(line);
        }

        return exitCode;
    }

    /// <summary>One run's phases, sharing the store, the order generator and the running totals the final check needs.</summary>
    private sealed class BenchRun(KafkaBenchOptions options, MockKafkaCluster cluster, TimeProvider time, List<string> report) : IDisposable
    {
        private readonly LostRecords recordsLost = new();
        private readonly Random random = new(42);
        private readonly StoreProfile store = new(
            new StoreRef(options.Store.TenantId, options.Store.StoreId), "Bench shop", SalesChannel.Shopify,
            options.Store.ShopDomain, "USD", "UTC", options.Store.WebhookSecret);

        private long orderIds = 1_000_000_000L + time.GetUtcNow().ToUnixTimeSeconds() % 1_000_000 * 1_000;
        private decimal expectedGross;
        private long expectedEvents;
        private double rawPerSecond;
        private double awaitedPerSecond;
        private double ceilingPerSecond;

        // CPU per item of each phase (µs, the whole process): the parts (b)'s per-webhook CPU is split into.
        private double rawCpuUs;
        private double awaitedCpuUs;
        private double ceilingCpuUs;
        private double normaliseCpuUs;

        public async Task<int> RunAsync(CancellationToken ct)
        {
            // (a) librdkafka alone, before the app starts: the yardstick every later figure is divided by.
            cluster.CreateTopic(RawTopic, options.Partitions);
            Progress($"(a) raw produce of {options.Events} records");
            var rawRecords = Records(options.Events);
            var cpu = CpuShare.Now(time);
            var raw = RawProducer.Produce(cluster.BootstrapServers, RawTopic, Record(), rawRecords, time, ct);
            var rawCpu = cpu.Since(time);
            rawCpuUs = MicrosPer(cpu, raw.Delivered);
            rawPerSecond = raw.PerSecond;
            report.Add(string.Create(Inv, $"cluster             librdkafka mock, {cluster.Brokers} brokers, {options.Partitions} partitions, replication {cluster.Brokers}, in this process"));
            report.Add(string.Create(Inv,
                $"(a) raw pipelined   {raw.PerSecond,9:0} msgs/s   (produced without awaiting each, then flushed: {raw.Delivered} acked, {raw.Failed} failed in {raw.Elapsed.TotalSeconds:0.00} s; " +
                $"produce-to-ack p50 {Ms(LatencyReport.Percentile(raw.AckMillisecondsSorted, 50))}, p99 {Ms(LatencyReport.Percentile(raw.AckMillisecondsSorted, 99))}; {rawCpu})"));

            // (a) again as a webhook answer must use Kafka: each of C senders awaits its record's ack before the next.
            Progress($"(a) raw produce of {options.Events} records, {options.Concurrency} senders each awaiting its ack");
            var awaitedRecords = Records(options.Events);
            var awaitedWarmup = Record();
            cpu = CpuShare.Now(time);
            var awaited = await RawProducer.ProduceAwaitingEachAsync(cluster.BootstrapServers, RawTopic, awaitedWarmup, awaitedRecords, options.Concurrency, time, ct);
            var awaitedCost = cpu.PerItem(time, awaited.Delivered, "record");
            awaitedCpuUs = MicrosPer(cpu, awaited.Delivered);
            awaitedPerSecond = awaited.PerSecond;
            report.Add(string.Create(Inv,
                $"(a) awaited acks    {awaited.PerSecond,9:0} msgs/s   ({options.Concurrency} senders, one producer, each awaiting its delivery report: {awaited.Delivered} acked, " +
                $"{awaited.Failed} failed in {awaited.Elapsed.TotalSeconds:0.00} s; produce-to-ack p50 {Ms(LatencyReport.Percentile(awaited.AckMillisecondsSorted, 50))}, " +
                $"p99 {Ms(LatencyReport.Percentile(awaited.AckMillisecondsSorted, 99))}; {awaitedCost}; load {MachineFacts.LoadAverage()})"));

            // The same yardstick at other lingers: what a webhook's wait and CPU would be with Kafka:Linger set to each.
            foreach (var lingerMs in options.Lingers)
            {
                var linger = TimeSpan.FromMilliseconds(lingerMs);
                Progress($"(a) awaited acks at linger {lingerMs} ms");
                var records = Records(options.Events);
                cpu = CpuShare.Now(time);
                var run = await RawProducer.ProduceAwaitingEachAsync(cluster.BootstrapServers, RawTopic, Record(), records, options.Concurrency, time, ct, linger);
                var cost = cpu.PerItem(time, run.Delivered, "record");
                report.Add(string.Create(Inv,
                    $"    linger {lingerMs,3} ms {run.PerSecond,9:0} msgs/s   ({run.Delivered} acked, {run.Failed} failed in {run.Elapsed.TotalSeconds:0.00} s; produce-to-ack p50 " +
                    $"{Ms(LatencyReport.Percentile(run.AckMillisecondsSorted, 50))}, p99 {Ms(LatencyReport.Percentile(run.AckMillisecondsSorted, 99))}; {cost}; load {MachineFacts.LoadAverage()})"));
            }

            // The HTTP ceiling of bench/SalesDash.Bench in this run: the same signed bodies from the same clients to a
            // bare endpoint (read, HMAC, JSON parse, 200), with no Kafka and no engine.
            Progress($"HTTP ceiling: {options.Events} webhooks from {options.Concurrency} clients to a bare endpoint");
            await using (var bare = await CeilingServer.StartAsync(options.Store.WebhookSecret, ct))
            {
                await WebhookLoad.RunAsync(bare.BaseAddress, options.Store.ShopDomain, Orders(Math.Max(options.Warmup, 1)), options.Concurrency, time, ct);
                cpu = CpuShare.Now(time);
                var bareStarted = time.GetTimestamp();
                var barePosts = await WebhookLoad.RunAsync(bare.BaseAddress, options.Store.ShopDomain, Orders(options.Events), options.Concurrency, time, ct);
                var bareElapsed = time.GetElapsedTime(bareStarted);
                var bareCost = cpu.PerItem(time, barePosts.Length, "webhook");
                ceilingCpuUs = MicrosPer(cpu, barePosts.Length);
                ceilingPerSecond = barePosts.Count(p => p.Accepted) / bareElapsed.TotalSeconds;
                report.Add(string.Create(Inv,
                    $"HTTP ceiling        {ceilingPerSecond,9:0} webhooks/s {Ratio(ceilingPerSecond)}   (bare endpoint: same bodies, HMAC + JSON parse, no Kafka; {barePosts.Count(p => p.Accepted)} of " +
                    $"{barePosts.Length} in {bareElapsed.TotalSeconds:0.00} s, {options.Concurrency} clients; {bareCost}, bench clients included; load {MachineFacts.LoadAverage()})"));
            }

            // What the app does to a verified webhook before producing it, alone: the Shopify normaliser, the record key and
            // the codec (TopicRecord.From is the app's path), one thread, no HTTP and no Kafka.
            var toNormalise = Orders(options.Events);
            long encodedBytes = 0;
            cpu = CpuShare.Now(time);
            foreach (var order in toNormalise)
            {
                encodedBytes += TopicRecord.From(order, store).Value.Length;
            }

            var normaliseCost = cpu.PerItem(time, toNormalise.Count, "webhook");
            normaliseCpuUs = MicrosPer(cpu, toNormalise.Count);
            report.Add(string.Create(Inv,
                $"normalise + encode  {normaliseCpuUs,9:0.0} us a webhook (Shopify normaliser, key, CommerceEventCodec.Encode; records of {encodedBytes / toNormalise.Count} bytes; {normaliseCost})"));

            // The app's topic is made here, like an operator would: librdkafka's mock answers the admin client's
            // CreateTopics with "waiting for controller" time-outs, so the app is told not to create it.
            cluster.CreateTopic(new KafkaOptions().Topic, options.Partitions);

            // The app reads its configuration from the environment too; the linked InProcessServer sets the rest.
            Environment.SetEnvironmentVariable("Kafka__BootstrapServers", cluster.BootstrapServers);
            Environment.SetEnvironmentVariable("Kafka__CreateTopic", "false");
            Environment.SetEnvironmentVariable("Kafka__Partitions", options.Partitions.ToString(Inv));
            Environment.SetEnvironmentVariable("Kafka__ReplicationFactor", cluster.Brokers.ToString(Inv));
            Environment.SetEnvironmentVariable("Kafka__Properties__log_level", "3");
            Progress("starting the app in-process with Kafka on");
            var server = InProcessServer.Start(options.Store);
            try
            {
                // The tiles endpoint needs a member of the store's organisation since sign-in arrived: the bench is one
                // through the API key InProcessServer installed (without it every poll answered 401 and the run aborted).
                using var http = new HttpClient { BaseAddress = server.BaseAddress };
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.Store.ApiKey);
                return await RunAppPhasesAsync(server.BaseAddress, http, raw.Failed == 0, ct);
            }
            finally
            {
                Progress("stopping the app");
                await server.DisposeAsync();
            }
        }

        private async Task<int> RunAppPhasesAsync(Uri baseAddress, HttpClient http, bool rawComplete, CancellationToken ct)
        {
            var ok = rawComplete;
            if (options.Warmup > 0)
            {
                Progress($"warm-up: {options.Warmup} webhooks");
                var warm = await PostAsync(baseAddress, options.Warmup, ct);
                ok &= warm.All(p => p.Accepted);
            }

            await WaitForTilesAsync(http, expectedEvents, ct);
            await using var watcher = await TileWatcher.SubscribeAsync(baseAddress, options.Store, time, ct);

            // (b) Accepted webhooks/s: 200 means the event is in Kafka on every in-sync replica, not yet folded.
            Progress($"(b) {options.Events} webhooks from {options.Concurrency} clients");
            var baseline = expectedEvents;
            var measuredOrders = Orders(options.Events);
            var cpu = CpuShare.Now(time);
            var started = time.GetTimestamp();
            var posts = await WebhookLoad.RunAsync(baseAddress, options.Store.ShopDomain, measuredOrders, options.Concurrency, time, ct);
            var elapsed = time.GetElapsedTime(started);
            var postCpu = cpu.Since(time);
            var postCost = cpu.PerItem(time, posts.Length, "webhook");
            var postCpuUs = MicrosPer(cpu, posts.Length);
            Count(posts);
            var accepted = posts.Count(p => p.Accepted);
            ok &= accepted == posts.Length;
            ok &= await watcher.WaitForAsync(expectedEvents, options.Store.SettleTimeout, ct);
            var allShown = FirstCovering(watcher, expectedEvents);
            var closedLoop = Latencies(posts, baseline, watcher);
            var postMs = posts.Where(p => p.Accepted).Select(p => (p.RespondedAt - p.SentAt) * 1000.0 / time.TimestampFrequency).Order().ToList();
            report.Add(string.Create(Inv,
                $"(b) accepted        {accepted / elapsed.TotalSeconds,9:0} webhooks/s {Ratio(accepted / elapsed.TotalSeconds)}   ({accepted} of {posts.Length} in {elapsed.TotalSeconds:0.00} s, " +
                $"{options.Concurrency} clients; POST p50 {Ms(LatencyReport.Percentile(postMs, 50))}, p99 {Ms(LatencyReport.Percentile(postMs, 99))}; {postCpu}{Failures(posts)})"));
            report.Add(string.Create(Inv,
                $"    against         {accepted / elapsed.TotalSeconds / awaitedPerSecond:0.000} x awaited acks, {accepted / elapsed.TotalSeconds / ceilingPerSecond:0.000} x HTTP ceiling; " +
                $"{postCost}, bench clients and tile watcher included; load {MachineFacts.LoadAverage()}"));
            report.Add(string.Create(Inv,
                $"    same webhooks   all on a tile {Seconds(started, allShown)} after the first POST; event-to-tile p50 {Ms(LatencyReport.Percentile(closedLoop, 50))}, " +
                $"p99 {Ms(LatencyReport.Percentile(closedLoop, 99))} ({closedLoop.Count} of {accepted} seen)"));

            // (c) Events/s folded: a backlog put straight on the app's topic, far faster than the engine takes it,
            // timed from the first produce to the first tile push that covers the last record.
            Progress($"(c) backlog of {options.Events} records on the app's topic");
            var backlog = Records(options.Events);
            var warmRecord = Record();
            cpu = CpuShare.Now(time);
            var kafka = new KafkaOptions();
            var feed = await Task.Run(() => BacklogFeeder.Feed(cluster.BootstrapServers, kafka.Topic, kafka.ConsumerGroup, options.Partitions, warmRecord, backlog,
                options.MaxUnreadMiB * 1024L * 1024L, time, ct), ct);
            var produced = feed.Produced;
            var fed = options.MaxUnreadMiB == 0
                ? string.Create(Inv, $"the backlog went in at once, {produced.PerSecond:0} msgs/s")
                : feed.HeldRefills == 0
                    ? string.Create(Inv, $"the backlog was fed at most {options.MaxUnreadMiB} MiB ahead of the group's commit and never had to wait")
                    : string.Create(Inv, $"the backlog was fed at most {options.MaxUnreadMiB} MiB ahead of the group's commit; {feed.HeldRefills} refills waited for the engine, " +
                        $"each with at least {feed.LeastWaitingAtRefill} records not yet committed, so at least {feed.LeastWaitingAtRefill - kafka.CommitBatchSize} still to process");
            expectedEvents += 1 + produced.Delivered;
            expectedGross += warmRecord.TotalPrice + backlog.Sum(r => r.TotalPrice);
            ok &= produced.Failed == 0;
            var folded = await watcher.WaitForAsync(expectedEvents, options.Store.SettleTimeout, ct);
            ok &= folded;
            var foldedAt = FirstCovering(watcher, expectedEvents);
            var foldSeconds = time.GetElapsedTime(produced.FirstProduceTimestamp, foldedAt).TotalSeconds;
            var foldCpu = cpu.Since(time);
            var foldCpuUs = MicrosPer(cpu, produced.Delivered);
            if (folded)
            {
                report.Add(string.Create(Inv,
                    $"(c) folded          {produced.Delivered / foldSeconds,9:0} events/s   {Ratio(produced.Delivered / foldSeconds)}   ({produced.Delivered} records in {foldSeconds:0.00} s from first produce to the tile push " +
                    $"covering the last; {fed}; {foldCpu})"));
            }
            else
            {
                var where = await WhereAsync(http, ct);
                report.Add(string.Create(Inv,
                    $"(c) NOT FOLDED      within {options.Store.SettleTimeout.TotalSeconds:0} s: {where} ({fed}; {foldCpu})"));
                return 1;
            }

            // (b)'s CPU split by the same run's phases. The consumer folds (b)'s events while (b) runs, in this process, so
            // its cost is in (b)'s figure: (c) gives it per record, less the feeder's own produce (costed like (a) raw).
            var foldNetUs = foldCpuUs - rawCpuUs;
            var answerUs = postCpuUs - foldNetUs;
            var must = ceilingCpuUs + awaitedCpuUs;
            report.Add(string.Create(Inv,
                $"(b) split           per webhook {postCpuUs:0} us cpu = fold {foldNetUs:0} us (consumer, entity, history, tiles: (c)'s {foldCpuUs:0} us a record less " +
                $"{rawCpuUs:0} us of the feeder's produce) + the answer {answerUs:0} us; the answer against what it must do: HTTP ceiling {ceilingCpuUs:0} us " +
                $"(read, HMAC, parse, bench clients) + awaited produce {awaitedCpuUs:0} us = {must:0} us; above that {answerUs - must:0} us, of which " +
                $"normalise + encode {normaliseCpuUs:0.0} us and the rest (store lookup, pipeline, door, Kestrel routing) {answerUs - must - normaliseCpuUs:0} us"));

            // (d) Event-to-tile latency under an open-loop paced load, then unsaturated if the rate was not reached.
            var paced = await PacedAsync(baseAddress, http, watcher, options.Rate, ct);
            ok &= paced.Ok;
            if (options.StepDown && paced.AcceptedPerSecond < 0.95 * options.Rate)
            {
                report.Add(string.Create(Inv, $"    {options.Rate}/s NOT sustained on this machine: {paced.AcceptedPerSecond:0}/s accepted; again at 80% of that:"));
                var lower = await PacedAsync(baseAddress, http, watcher, Math.Max(1, (int)(0.8 * paced.AcceptedPerSecond)), ct);
                ok &= lower.Ok;
            }

            // Nothing lost: the tile, asked directly, shows every event and every cent sent.
            var tiles = await http.GetFromJsonAsync<DashboardTiles>(TilesPath(), ct)
                ?? throw new InvalidOperationException("The tiles endpoint answered null.");
            var same = tiles.GrossRevenue.Value == expectedGross && tiles.EventsApplied == expectedEvents;
            report.Add(string.Create(Inv,
                $"no loss             {(same ? "PASS" : "FAIL")}: gross revenue tile {tiles.GrossRevenue.Value} (sum sent {expectedGross}), events applied {tiles.EventsApplied} (sent {expectedEvents}); " +
                $"records the app reported deleted by Kafka before it read them: {recordsLost.Total}"));
            return ok && same ? 0 : 1;
        }

        private async Task<(bool Ok, double AcceptedPerSecond)> PacedAsync(Uri baseAddress, HttpClient http, TileWatcher watcher, int rate, CancellationToken ct)
        {
            var count = (int)Math.Min(int.MaxValue, (long)rate * (long)options.Duration.TotalSeconds);
            Progress($"(d) {count} webhooks paced at {rate}/s");
            await WaitForTilesAsync(http, expectedEvents, ct);
            var baseline = expectedEvents;
            var webhooks = Orders(count);
            var cpu = CpuShare.Now(time);
            var paced = await PacedWebhookLoad.RunAsync(baseAddress, options.Store.ShopDomain, webhooks, rate, options.MaxInFlight, time, ct);
            var pacedCpu = cpu.Since(time);
            Count(paced.Posts);
            var settled = await watcher.WaitForAsync(expectedEvents, options.Store.SettleTimeout, ct);
            if (!settled)
            {
                var where = await WhereAsync(http, ct);
                report.Add($"(d) NOT FOLDED      within {options.Store.SettleTimeout.TotalSeconds:0} s: {where}");
            }

            var latencies = Latencies(paced.Posts, baseline, watcher);
            var sentPerSecond = paced.Posts.Length / ((paced.Posts.Max(p => p.SentAt) - paced.FirstSentAt) / (double)time.TimestampFrequency);
            report.Add(string.Create(Inv,
                $"(d) event-to-tile   p50 {Ms(LatencyReport.Percentile(latencies, 50))}, p99 {Ms(LatencyReport.Percentile(latencies, 99))}, max {Ms(latencies.Count > 0 ? latencies[^1] : double.NaN)} " +
                $"at {paced.AcceptedPerSecond:0} webhooks/s accepted {Ratio(paced.AcceptedPerSecond)} (offered {rate}/s for {options.Duration.TotalSeconds:0} s, sent {sentPerSecond:0}/s, " +
                $"last POST {paced.BehindScheduleAtEnd.TotalSeconds:0.0} s late, {paced.NotSent} not sent by the end of the schedule, {options.MaxInFlight} in flight at most; {latencies.Count} of {paced.Accepted} seen; {pacedCpu}{Failures(paced.Posts)})"));
            return (settled && paced.Accepted == paced.Posts.Length, paced.AcceptedPerSecond);
        }

        private async Task<PostResult[]> PostAsync(Uri baseAddress, int count, CancellationToken ct)
        {
            var posts = await WebhookLoad.RunAsync(baseAddress, options.Store.ShopDomain, Orders(count), options.Concurrency, time, ct);
            Count(posts);
            return posts;
        }

        private void Count(IEnumerable<PostResult> posts)
        {
            foreach (var post in posts.Where(p => p.Accepted))
            {
                expectedEvents++;
                expectedGross += post.TotalPrice;
            }
        }

        private List<double> Latencies(IReadOnlyList<PostResult> posts, long baseline, TileWatcher watcher) =>
            [.. LatencyReport.EventToTile(posts, baseline, watcher.Observations, time.TimestampFrequency)
                .Where(l => l is not null).Select(l => l!.Value * 1000).Order()];

        // Deterministic totals from 5.00 to 499.99, so two runs send the same money; order ids are fresh, so no event is a duplicate.
        private List<ShopifyOrderWebhook> Orders(int count) =>
            [.. Enumerable.Range(0, count).Select(_ =>
                ShopifyOrderWebhook.Create(orderIds++, 5m + random.Next(0, 49_500) / 100m, time.GetUtcNow(), options.Store.WebhookSecret, options.Store.BodyBytes))];

        private List<TopicRecord> Records(int count) => [.. Orders(count).Select(o => TopicRecord.From(o, store))];

        private TopicRecord Record() => Records(1)[0];

        // The store-scoped route: the old /api/stores/{t}/{s}/tiles answers with a redirect, which HttpClient follows
        // without the Authorization header, so every poll came back 401 and the run aborted after the warm-up.
        private string TilesPath() => $"api/tenants/{Uri.EscapeDataString(options.Store.TenantId)}/stores/{Uri.EscapeDataString(options.Store.StoreId)}/tiles";

        /// <summary>Polls the tiles endpoint until the entity has folded <paramref name="events"/>: a phase starts from a settled engine.</summary>
        private async Task WaitForTilesAsync(HttpClient http, long events, CancellationToken ct)
        {
            var deadline = time.GetTimestamp() + (long)(options.Store.SettleTimeout.TotalSeconds * time.TimestampFrequency);
            while ((await http.GetFromJsonAsync<DashboardTiles>(TilesPath(), ct))?.EventsApplied < events)
            {
                if (time.GetTimestamp() > deadline)
                {
                    var where = await WhereAsync(http, ct);
                    throw new TimeoutException($"The engine did not fold {events} events within {options.Store.SettleTimeout.TotalSeconds:0} s: {where}.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
            }
        }

        /// <summary>Where the events are when the engine has not caught up: on the tile, committed by the consumer group, or only in the topic.</summary>
        private async Task<string> WhereAsync(HttpClient http, CancellationToken ct)
        {
            var tiles = await http.GetFromJsonAsync<DashboardTiles>(TilesPath(), ct);
            var kafka = new KafkaOptions();
            var config = new Confluent.Kafka.ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = kafka.ConsumerGroup };
            config.Set("log_level", "3");
            using var consumer = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(config).Build();
            var partitions = Enumerable.Range(0, options.Partitions).Select(p => new Confluent.Kafka.TopicPartition(kafka.Topic, p)).ToList();
            var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).Sum(o => o.Offset == Confluent.Kafka.Offset.Unset ? 0 : o.Offset.Value);
            var watermarks = partitions.Select(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10))).ToList();
            var inTopic = watermarks.Sum(w => w.High.Value);
            // The log start above 0 means the broker deleted the oldest records; the app says how many it never read.
            var deleted = watermarks.Sum(w => w.Low.Value);
            return string.Create(Inv,
                $"the tile shows {tiles?.EventsApplied} of {expectedEvents} events; the group committed {committed} of the {inTopic} records in the topic; " +
                $"the broker has deleted the oldest {deleted} of them, and the app reported {recordsLost.Total} deleted before it read them");
        }

        private double MicrosPer(CpuShare since, int items) =>
            items > 0 ? (CpuShare.Now(time).ProcessorTime - since.ProcessorTime).TotalMicroseconds / items : double.NaN;

        private static long FirstCovering(TileWatcher watcher, long events) =>
            watcher.Observations.FirstOrDefault(o => o.EventsApplied >= events) is { Timestamp: > 0 } push ? push.Timestamp : long.MaxValue;

        private string Seconds(long from, long to) =>
            to == long.MaxValue ? "never" : string.Create(Inv, $"{time.GetElapsedTime(from, to).TotalSeconds:0.00} s");

        private string Ratio(double perSecond) => string.Create(Inv, $"= {perSecond / rawPerSecond:0.000} x raw");

        private static string Ms(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString(ms < 10 ? "0.0" : "0", Inv) + " ms";

        private static string Failures(IEnumerable<PostResult> posts)
        {
            var failed = posts.Where(p => !p.Accepted).GroupBy(p => p.Status).Select(g => $"{g.Count()} x HTTP {g.Key}").ToList();
            return failed.Count == 0 ? "" : "; FAILED " + string.Join(", ", failed);
        }

        private static void Progress(string what) => Console.Error.WriteLine($"[kafka bench] {what}");

        public void Dispose() => recordsLost.Dispose();
    }

    /// <summary>The app's salesdash.kafka.records_lost counter, read in-process as a metrics exporter would.</summary>
    private sealed class LostRecords : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener listener = new();
        private long total;

        public LostRecords()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaIngestionMetrics.MeterName && instrument.Name == KafkaIngestionMetrics.RecordsLostInstrument)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref total, value));
            listener.Start();
        }

        public long Total => Interlocked.Read(ref total);

        public void Dispose() => listener.Dispose();
    }
}
