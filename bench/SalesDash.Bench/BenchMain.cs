using System.Globalization;

namespace SalesDash.Bench;

/// <summary>
/// Posts signed Shopify webhooks at SalesDash and prints accepted webhooks/s and event-to-tile latency (see README.md).
/// Not top-level statements: the app under test already owns the global Program type.
/// </summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == PacedSenderProcess.ChildFlag)
        {
            return await PacedSenderProcess.ChildMainAsync(args[1..]);
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        // The report is printed after the in-process server has stopped, so its shutdown log lines do not bury the figures.
        var report = new List<string>();
        var server = options.Url is null ? InProcessServer.Start(options) : null;
        int exitCode;
        try
        {
            exitCode = await RunAsync(options, server, report, stop.Token);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        foreach (var line in report)
        {
            Console.WriteLine(line);
        }

        return exitCode;
    }

    private static async Task<int> RunAsync(BenchOptions options, InProcessServer? server, List<string> report, CancellationToken ct)
    {
        var time = TimeProvider.System;
        var inv = CultureInfo.InvariantCulture;
        var baseAddress = options.Url ?? server!.BaseAddress;
        report.Add(string.Create(inv,
            $"SalesDash bench: {options.Orders} orders of ~{options.BodyBytes} bytes, {options.Concurrency} concurrent clients, {(server is null ? "target" : "in-process at")} {baseAddress}{(options.ReportingCurrency is { } rc ? $", reporting currency {rc}" : "")}{(options.TileInterval is { } ti ? $", tile interval {ti.TotalMilliseconds:0} ms" : "")}"));
        report.Add($"machine             {MachineFacts.Describe()} (at start)");

        // Deterministic order totals from 5.00 to 499.99, so two runs post the same money.
        var random = new Random(42);
        var orderIds = 1_000_000_000L + time.GetUtcNow().ToUnixTimeSeconds() % 1_000_000 * 1_000;
        List<ShopifyOrderWebhook> Orders(int count) =>
            [.. Enumerable.Range(0, count).Select(_ =>
                ShopifyOrderWebhook.Create(orderIds++, 5m + random.Next(0, 49_500) / 100m, time.GetUtcNow(), options.WebhookSecret, options.BodyBytes))];

        // The ceiling is measured before and after the app's phase, each over --ceiling-orders: one short phase before
        // the app moved 6,541-9,253/s from run to run on a quiet box. The lower of the two ratios is the headline, so a
        // ceiling that happened to run slow never flatters the app.
        await using var bare = server is not null && options.Ceiling ? await CeilingServer.StartAsync(options.WebhookSecret, ct) : null;
        using var allocations = server is not null && options.AllocTypes > 0 ? new AllocationByType() : null;
        async Task<double?> MeasureCeilingAsync(string when)
        {
            if (bare is null)
            {
                return null;
            }

            var bareOrders = Orders(options.CeilingOrders ?? 2 * options.Orders);
            allocations?.Start();
            var cpu = CpuShare.Now(time);
            var bareStarted = time.GetTimestamp();
            var barePosts = await WebhookLoad.RunAsync(bare.BaseAddress, options.ShopDomain, bareOrders, options.Concurrency, time, ct);
            var bareElapsed = time.GetElapsedTime(bareStarted);
            var bareCost = cpu.PerItem(time, barePosts.Length, "webhook");
            var rate = barePosts.Count(p => p.Accepted) / bareElapsed.TotalSeconds;
            report.Add($"ceiling ({when})".PadRight(20) + string.Create(inv, $"{rate:0} webhooks/s: bare endpoint, same bodies, HMAC + JSON parse, no engine ({barePosts.Count(p => p.Accepted)} of {barePosts.Length} in {bareElapsed.TotalSeconds:0.00} s, {cpu.Since(time)}, load {MachineFacts.LoadAverage()})"));
            report.Add($"                    {bareCost} (bench clients included)");
            report.AddRange(allocations?.Stop(barePosts.Length, options.AllocTypes).Select(line => "                    " + line) ?? []);
            return rate;
        }

        if (bare is not null)
        {
            await WebhookLoad.RunAsync(bare.BaseAddress, options.ShopDomain, Orders(options.Warmup), options.Concurrency, time, ct);
        }

        if (server is not null)
        {
            // The in-process app goes on starting (cluster, journal warm-up, hosted services) after it answers, and with
            // tiering off each method it meets is compiled fully optimised: a loaded run showed 30 s of threads compiling
            // inside the first ceiling phase (248 us a webhook, 141 us in the phase after the app's). Wait for it to settle.
            report.Add(await SettleCompilingAsync(time, ct));
        }

        var ceilingBefore = await MeasureCeilingAsync("before");

        if (options.Warmup > 0)
        {
            var warm = await WebhookLoad.RunAsync(baseAddress, options.ShopDomain, Orders(options.Warmup), options.Concurrency, time, ct);
            // 503 is the app saying "not durable in time, deliver again" (a starved box right after start can say it);
            // anything else means the bench is pointed at the wrong store or secret.
            var failed = warm.Where(r => !r.Accepted && r.Status != 503).ToList();
            if (failed.Count > 0)
            {
                report.Add($"{failed.Count} warm-up POSTs failed (first: HTTP {failed[0].Status}): check --url, --shop-domain and --secret.");
                return 1;
            }
        }

        // The figures are what a client outside the app's thread pool sees (ThreadTileWatcher says why); the SignalR client,
        // which reads on the pool beside the app, watches too, and its figures are printed beside them.
        using var watcher = await ThreadTileWatcher.SubscribeAsync(baseAddress, options, time, ct);
        await using var poolWatcher = await TileWatcher.SubscribeAsync(baseAddress, options, time, ct);
        var baseline = watcher.Initial;

        var measured = Orders(options.Orders);
        allocations?.Start();
        var appCpu = CpuShare.Now(time);
        var started = time.GetTimestamp();
        var posts = await WebhookLoad.RunAsync(baseAddress, options.ShopDomain, measured, options.Concurrency, time, ct);
        var elapsed = time.GetElapsedTime(started);
        var appCpuShare = appCpu.Since(time);
        var appCost = appCpu.PerItem(time, posts.Length, "webhook");
        var appAllocations = allocations?.Stop(posts.Length, options.AllocTypes) ?? [];

        var accepted = posts.Count(p => p.Accepted);
        var settled = await watcher.WaitForAsync(baseline.EventsApplied + accepted, options.SettleTimeout, ct);
        var pushes = watcher.Observations;
        var ceilingAfter = await MeasureCeilingAsync("after");
        double? ceiling = ceilingBefore is { } b && ceilingAfter is { } a ? Math.Max(b, a) : ceilingBefore ?? ceilingAfter;

        var seen = Seen(LatencyReport.EventToTile(posts, baseline.EventsApplied, pushes, time.TimestampFrequency));
        var postTimes = posts.Where(p => p.Accepted).Select(p => (p.RespondedAt - p.SentAt) * 1000.0 / time.TimestampFrequency).Order().ToList();
        var expectedGross = baseline.GrossRevenue.Value + posts.Where(p => p.Accepted).Sum(p => p.TotalPrice);
        var rate = accepted / elapsed.TotalSeconds;

        string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "0", inv) + " ms";
        string Failures(IEnumerable<PostResult> all) => string.Join(", ", all.Where(p => !p.Accepted).GroupBy(p => p.Status).Select(g => $"{g.Count()} x HTTP {g.Key}"));
        string Tile(List<double> latencies, int of) =>
            $"p50 {Ms(LatencyReport.Percentile(latencies, 50))}, p99 {Ms(LatencyReport.Percentile(latencies, 99))}, max {Ms(latencies.Count > 0 ? latencies[^1] : double.NaN)} ({latencies.Count} of {of} events seen on a tile)";
        report.Add(string.Create(inv, $"accepted webhooks   {accepted} of {posts.Length}{(accepted < posts.Length ? " (" + Failures(posts) + ")" : "")}"));
        report.Add(string.Create(inv,
            $"throughput          {rate:0} accepted webhooks/s ({elapsed.TotalSeconds:0.00} s, {appCpuShare}){(ceiling is { } c ? $" = {rate / c:0.00} x ceiling" : "")}"));
        report.Add($"                    {appCost} (bench clients and tile watcher included)");
        report.AddRange(appAllocations.Select(line => "                    " + line));
        if (ceilingBefore is { } first && ceilingAfter is { } second)
        {
            report.Add(string.Create(inv,
                $"ratio to each       {rate / first:0.00} x ceiling before, {rate / second:0.00} x ceiling after (the lower is the headline); ceilings differ by {Math.Abs(second - first) / Math.Min(second, first):0%}"));
        }

        report.Add($"POST round trip     p50 {Ms(LatencyReport.Percentile(postTimes, 50))}, p99 {Ms(LatencyReport.Percentile(postTimes, 99))}");
        report.Add($"event-to-tile       at the highest rate (closed loop above): {Tile(seen, accepted)}");

        var pacedOk = true;
        var rates = options.Rates ?? (options.Rate > 0 ? [options.Rate] : []);
        var sustained = new List<int>();
        foreach (var offered in settled ? rates : [])
        {
            // Open loop at a fixed rate: the latency a dashboard shows when webhooks arrive at that pace, not queued behind each other.
            var before = pushes.Count > 0 ? pushes[^1].EventsApplied : baseline.EventsApplied;
            var count = (int)Math.Min(int.MaxValue, (long)offered * (long)options.Duration.TotalSeconds);
            // Made before the phase's probes (before stop 28 they were made inside the window: 100 MB of bodies at 2,000/s).
            List<ShopifyOrderWebhook>? webhooks = Orders(count);
            // Started and warmed up before the phase's probes, so its start-up is not in the phase.
            await using var sender = options.SenderInOwnProcess
                ? await PacedSenderProcess.StartAsync(baseAddress, options.ShopDomain, webhooks, offered, options.MaxInFlight, ct)
                : null;
            if (sender is not null)
            {
                // The child holds them now; kept here (an async method's locals live across its awaits) the app's GCs would
                // mark and promote the sender's bodies, which no node serving webhooks holds.
                webhooks = null;
            }

            var pacedCpu = CpuShare.Now(time);
            var loadAtStart = MachineFacts.LoadAverage();
            using var probe = new PhaseProbe(server?.Services);
            var paced = sender is not null
                ? await sender.RunAsync(ct)
                : await PacedWebhookLoad.RunAsync(baseAddress, options.ShopDomain, webhooks!, offered, options.MaxInFlight, time, ct);
            var pacedAccepted = paced.Accepted;
            var allShown = await watcher.WaitForAsync(before + pacedAccepted, options.SettleTimeout, ct);
            var stalls = probe.Stop();
            // A 503 is the app shedding (the platform retries it); only other failures or a tile that never caught up fail the run.
            pacedOk &= allShown && paced.Posts.All(p => p.Accepted || p.Status == 503);
            pushes = watcher.Observations;
            var pacedSeen = Seen(LatencyReport.EventToTile(paced.Posts, before, pushes, time.TimestampFrequency));
            var pacedPostTimes = paced.Posts.Where(p => p.Accepted).Select(p => (p.RespondedAt - p.SentAt) * 1000.0 / time.TimestampFrequency).Order().ToList();
            var shed = paced.Posts.Count(p => p.Status == 503);
            expectedGross += paced.Posts.Where(p => p.Accepted).Sum(p => p.TotalPrice);
            if (paced.NotSent == 0 && pacedAccepted == count && allShown)
            {
                sustained.Add(offered);
            }

            report.Add(string.Create(inv,
                $"paced {offered}/s        accepted {paced.AcceptedPerSecond:0}/s ({pacedAccepted} of {count}{(paced.NotSent > 0 ? $", {paced.NotSent} not sent: the rate was not reached" : "")}" +
                $"{(pacedAccepted < paced.Posts.Length ? ", " + Failures(paced.Posts) : "")}, sender {paced.BehindScheduleAtEnd.TotalMilliseconds:0} ms behind at the end{(sender is null ? ", on the bench's thread pool" : ", in its own process")}; load {loadAtStart} at start)"));
            var opened = paced.ConnectionsOpenedAt;
            var openedLate = opened.Count(t => t - paced.FirstSentAt > time.TimestampFrequency);
            var openedPerSecond = opened.GroupBy(t => (t - paced.FirstSentAt) / time.TimestampFrequency).Select(g => g.Count()).DefaultIfEmpty(0).Max();
            report.Add(string.Create(inv, $"                    sender opened {opened.Count} connections, {openedLate} of them after its first second, at most {openedPerSecond} within one second"));
            report.Add(string.Create(inv, $"                    503 share {100.0 * shed / Math.Max(1, paced.Posts.Length):0.0}% ({shed} of {paced.Posts.Length}); POST p50 {Ms(LatencyReport.Percentile(pacedPostTimes, 50))}, p99 {Ms(LatencyReport.Percentile(pacedPostTimes, 99))}"));
            report.Add($"event-to-tile       at {offered}/s offered: {Tile(pacedSeen, pacedAccepted)}");
            _ = await poolWatcher.WaitForAsync(before + pacedAccepted, options.SettleTimeout, ct);
            var poolPushes = poolWatcher.Observations;
            var poolSeen = Seen(LatencyReport.EventToTile(paced.Posts, before, poolPushes, time.TimestampFrequency));
            var poolRelay = RelayLatencies(poolPushes, before);
            report.Add($"  SignalR client    {Tile(poolSeen, pacedAccepted)}; relay + SignalR p50 {Ms(LatencyReport.Percentile(poolRelay, 50))} / p99 {Ms(LatencyReport.Percentile(poolRelay, 99))} " +
                "(the same pushes read by the .NET SignalR client on the bench's thread pool, main's figure before stop 28)");
            if (server is not null)
            {
                // Where an event's time goes: its POST (admission queue, journal commit, fold), then the wait for a tile
                // computed after the answer, then the relay and SignalR. The second bound needs the embedded ingest's
                // "200 means folded", so it is printed only for the in-process app.
                var either = LatencyReport.EventToTileEitherBound(paced.Posts, before, pushes, time.TimestampFrequency);
                var fromSent = Seen([.. either.Select(l => l.FromSent)]);
                var afterAnswer = Seen([.. either.Select(l => l.FromAnswer)]);
                var relay = RelayLatencies(pushes, before);
                report.Add($"  either bound      {Tile(fromSent, pacedAccepted)} (a push covering the count, or tiles computed after the 200)");
                report.Add($"  split             POST p50 {Ms(LatencyReport.Percentile(pacedPostTimes, 50))} / p99 {Ms(LatencyReport.Percentile(pacedPostTimes, 99))}; " +
                    $"200 to tile on screen p50 {Ms(LatencyReport.Percentile(afterAnswer, 50))} / p99 {Ms(LatencyReport.Percentile(afterAnswer, 99))}; " +
                    $"of which tiles computed to received (relay + SignalR) p50 {Ms(LatencyReport.Percentile(relay, 50))} / p99 {Ms(LatencyReport.Percentile(relay, 99))}");
                report.Add($"  stalls            {stalls}");
                report.Add($"  pool queue holds  {probe.PoolCensus()}");
                report.Add($"  POST split        {probe.PostSplit()}");
                if (server.Services.GetService(typeof(SalesDash.Web.Hubs.DashboardLifetimeManager)) is RelayProbe relayProbe)
                {
                    report.Add($"  relay split       {relayProbe.Split(pushes, before, probe.PoolQueueMaxBetween, probe.GcPausedBetween)}");
                }
            }

            // Everything the process did while paced, pushes and idle timers included: what a tile interval costs shows here.
            report.Add($"                    {pacedCpu.PerItem(time, paced.Posts.Length, "webhook")} (paced phase until the last tile, tile watchers included, {(sender is null ? "the sender included" : "the sender's process not")})");
        }

        if (rates.Count > 1)
        {
            report.Add(sustained.Count > 0
                ? $"highest sustained   {sustained.Max()}/s offered (every POST sent on time and accepted, every event shown)"
                : "highest sustained   none of the rates offered");
        }

        var fanOutOk = true;
        if (options.Wallboards > 0 && settled)
        {
            var before = pushes.Count > 0 ? pushes[^1].EventsApplied : baseline.EventsApplied;
            var fanOut = await WallboardFanOut.RunAsync(baseAddress, options, Orders, time, report, ct);
            fanOutOk = fanOut.Ok;
            _ = await watcher.WaitForAsync(before + fanOut.Accepted, options.SettleTimeout, ct);
            pushes = watcher.Observations;
            expectedGross += fanOut.AcceptedGross;
        }

        var shownGross = pushes.Count > 0 ? pushes[^1].GrossRevenue : baseline.GrossRevenue.Value;
        report.Add(string.Create(inv, $"gross revenue tile  {shownGross} (expected {expectedGross}): {(shownGross == expectedGross ? "matches" : "MISMATCH")}; {pushes.Count} tile pushes"));
        report.Add($"machine             load average {MachineFacts.LoadAverage()} (at end)");

        if (!settled || !pacedOk || !fanOutOk || accepted < posts.Length || shownGross != expectedGross)
        {
            report.Add(settled ? "Some webhooks failed or the tile disagrees with what was posted." : $"No tile push covered every event within {options.SettleTimeout.TotalSeconds:0} s.");
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// Waits until the process compiled for less than 50 ms over a whole second (at most two minutes), and says how long
    /// that took, so the start-up's compiling is not charged to the first phase measured.
    /// </summary>
    private static async Task<string> SettleCompilingAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var first = System.Runtime.JitInfo.GetCompilationTime(currentThread: false);
        var last = first;
        while (time.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            var now = System.Runtime.JitInfo.GetCompilationTime(currentThread: false);
            var quiet = now - last < TimeSpan.FromMilliseconds(50);
            last = now;
            if (quiet)
            {
                break;
            }
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"start-up settled    after {time.GetElapsedTime(started).TotalSeconds:0} s (threads compiling {(last - first).TotalSeconds:0.0} s meanwhile, load {MachineFacts.LoadAverage()})");
    }

    /// <summary>Tiles computed (the entity's clock) to received, for each push after <paramref name="before"/> events, sorted.</summary>
    private static List<double> RelayLatencies(IReadOnlyList<TileObservation> pushes, long before) =>
        [.. pushes.Where(p => p.EventsApplied > before && p.AsOf != default).Select(p => (p.ReceivedAtUtc - p.AsOf).TotalMilliseconds).Order()];

    private static List<double> Seen(double?[] latencies) => [.. latencies.Where(l => l is not null).Select(l => l!.Value * 1000).Order()];
}
