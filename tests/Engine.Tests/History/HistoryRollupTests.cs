using Microsoft.Extensions.Time.Testing;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// The dashboard (summary with comparison, daily trend, top-10 products, channel breakdown) against an oracle the test
/// computes from the raw facts, on both stores: to the cent, in zones with and without DST and with a :30 offset, with
/// converted foreign-currency orders, replays and out-of-order versions; and proof that it reads the rollups.
/// </summary>
public sealed class HistoryRollupTests(HistoryRollupTests.WrittenHistories written) : IClassFixture<HistoryRollupTests.WrittenHistories>
{
    /// <summary>The last 30 days hold London's and New York's spring DST changes in their comparison period.</summary>
    private static readonly DateTimeOffset Now = new(2026, 4, 20, 15, 30, 0, TimeSpan.Zero);

    private static readonly StoreRef Second = new("acme", "us-shop");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> KindsAndZones => new()
    {
        { "DuckDb", "Europe/London" },
        { "DuckDb", "America/New_York" },
        { "DuckDb", "Asia/Kolkata" },
        { "ClickHouse", "Europe/London" },
        { "ClickHouse", "America/New_York" },
        { "ClickHouse", "Asia/Kolkata" },
    };

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(KindsAndZones))]
    public async Task Every_dashboard_figure_matches_the_raw_facts_to_the_cent(string kind, string zoneId)
    {
        // The same history written the same way for each zone: what differs is only how it is read, so the zones share it.
        var (sut, events) = await written.ForAsync(kind, Ct);
        var facts = Batch([.. events]);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);

        foreach (var scope in new[] { HistoryScope.Store(Shop.TenantId, Shop.StoreId), HistoryScope.Tenant(Shop.TenantId) })
        {
            var dashboard = await DashboardAsync(sut.Store, scope, zone);
            var oracle = Oracle(facts, scope, zone);
            Assert.True(oracle.Summary.Orders > 300, $"the data should fill the period, got {oracle.Summary.Orders} orders");
            Assert.True(oracle.Products.Count >= 5 && oracle.Products.Any(p => p.Refunds > 0), "the products should include refunded ones");
            Assert.Equal(oracle, dashboard);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_dashboard_reads_the_rollups_and_no_order_line(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var events = await HistoryAsync();
        await sut.Store.WriteFactsAsync(Batch([.. events]), Ct);
        var scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var before = await DashboardAsync(sut.Store, scope, zone);

        // With the facts gone behind the store's back, only the rollups can still give the same figures.
        foreach (var table in new[] { "history_orders", "history_order_lines", "history_refunds", "history_refund_lines", "history_sessions" })
        {
            await sut.ExecuteRawAsync(kind == "ClickHouse" ? $"TRUNCATE TABLE {table}" : $"DELETE FROM {table}", Ct);
        }

        var after = await DashboardAsync(sut.Store, scope, zone);
        Assert.True(before.Summary.Orders > 300);
        Assert.Equal(before, after);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Rollups_are_rebuilt_from_the_facts_of_a_database_written_before_them(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var events = await HistoryAsync();
        await sut.Store.WriteFactsAsync(Batch([.. events]), Ct);

        // What a release without rollups leaves behind: facts, and no rollup rows or rollup version.
        foreach (var table in new[] { "history_hourly", "history_hourly_products", "history_rollup_state" })
        {
            await sut.ExecuteRawAsync(kind == "ClickHouse" ? $"TRUNCATE TABLE {table}" : $"DELETE FROM {table}", Ct);
        }

        await sut.ReopenAsync(Ct);

        var scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(Oracle(Batch([.. events]), scope, zone), await DashboardAsync(sut.Store, scope, zone));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Retention_at_a_cutoff_inside_an_hour_keeps_that_hours_remaining_facts_in_the_rollups(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var hour = new DateTimeOffset(2026, 4, 10, 9, 0, 0, TimeSpan.Zero);
        await sut.Store.WriteFactsAsync(Batch(
            Order("early", hour.AddMinutes(10), [("MUG", 1, 10m)]),
            Order("late", hour.AddMinutes(40), [("TEE", 2, 7.5m)])), Ct);

        await sut.Store.DeleteOlderThanAsync(Shop.TenantId, hour.AddMinutes(30), Ct);

        var scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);
        var day = new HistoryRange(hour.AddHours(-9), hour.AddHours(15));
        var slots = await sut.Store.SlotsAsync(scope, day, TimeSpan.FromDays(1), Ct);
        var products = await sut.Store.BreakdownAsync(scope, day, BreakdownDimension.Product, Ct);
        Assert.Equal((15m, 1L, 2L), (slots.Single().Totals.GrossRevenue, slots.Single().Totals.Orders, slots.Single().Totals.Units));
        Assert.Equal(["TEE"], products.Select(p => p.Key));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Retention_at_a_whole_hour_inside_a_day_keeps_that_days_later_products(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var day = new DateTimeOffset(2026, 4, 10, 0, 0, 0, TimeSpan.Zero);
        await sut.Store.WriteFactsAsync(Batch(
            Order("early", day.AddHours(3), [("MUG", 1, 10m)]),
            Order("late", day.AddHours(14), [("TEE", 2, 7.5m)])), Ct);

        await sut.Store.DeleteOlderThanAsync(Shop.TenantId, day.AddHours(9), Ct);

        var products = await sut.Store.BreakdownAsync(HistoryScope.Store(Shop.TenantId, Shop.StoreId), new HistoryRange(day, day.AddDays(1)),
            BreakdownDimension.Product, Ct);
        Assert.Equal([("TEE", 15m, 1L, 2L)], products.Select(p => (p.Key, p.GrossRevenue, p.Orders, p.Units)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Top_products_of_whole_utc_days_are_read_from_the_daily_rows(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var events = await HistoryAsync();
        await WriteWithReplaysAsync(sut.Store, events);
        var scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);

        // With the hourly product rows and the facts gone behind the store's back, only the daily rows can still give them.
        foreach (var table in new[] { "history_hourly_products", "history_orders", "history_order_lines", "history_refunds", "history_refund_lines", "history_sessions" })
        {
            await sut.ExecuteRawAsync(kind == "ClickHouse" ? $"TRUNCATE TABLE {table}" : $"DELETE FROM {table}", Ct);
        }

        var oracle = Oracle(Batch([.. events]), scope, TimeZoneInfo.Utc);
        Assert.True(oracle.Products.Count >= 5 && oracle.Products.Any(p => p.Refunds > 0), "the products should include refunded ones");
        Assert.Equal(oracle, await DashboardAsync(sut.Store, scope, TimeZoneInfo.Utc));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Database_written_before_the_daily_product_rows_fills_them_on_start_with_the_same_figures(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var events = await HistoryAsync();
        await WriteWithReplaysAsync(sut.Store, events);
        var scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

        // What the release before the daily rows leaves behind: facts, hourly rollups at their version, no daily table.
        await sut.ExecuteRawAsync("DROP TABLE history_daily_products", Ct);
        if (kind == "ClickHouse")
        {
            await sut.ExecuteRawAsync("TRUNCATE TABLE history_rollup_state", Ct);
            await sut.ExecuteRawAsync($"INSERT INTO history_rollup_state (name, version, at) VALUES ('hourly', {HistoryRollups.Version}, 1)", Ct);
        }
        else
        {
            await sut.ExecuteRawAsync("DELETE FROM history_rollup_state WHERE name <> 'hourly'", Ct);
        }

        await sut.ReopenAsync(Ct);

        var facts = Batch([.. events]);
        Assert.Equal(Oracle(facts, scope, london), await DashboardAsync(sut.Store, scope, london));

        // The daily rows were filled from the hourly ones: they answer alone once those and the facts are gone.
        foreach (var table in new[] { "history_hourly_products", "history_orders", "history_order_lines", "history_refunds", "history_refund_lines", "history_sessions" })
        {
            await sut.ExecuteRawAsync(kind == "ClickHouse" ? $"TRUNCATE TABLE {table}" : $"DELETE FROM {table}", Ct);
        }

        Assert.Equal(Oracle(facts, scope, TimeZoneInfo.Utc), await DashboardAsync(sut.Store, scope, TimeZoneInfo.Utc));
    }

    [Fact]
    public async Task Rollups_kept_by_each_writes_delta_equal_rollups_recomputed_from_the_facts()
    {
        await using var sut = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        var events = new List<CommerceEvent>(Varied(Now, orders: 400, seed: 5));
        var random = new Random(3);

        // Edits that move what a rollup row holds: an order re-placed in another hour and channel, its lines' SKUs and
        // titles changed (so a product row can lose its last line or its smallest title), cancelled, or turned returning.
        foreach (var order in events.OfType<OrderPlaced>().Where((_, n) => n % 6 == 0).ToList())
        {
            var version = order.Version.AddMinutes(50 + random.Next(0, 100));
            events.Add(order with
            {
                EventId = order.EventId + "-edit",
                Version = version,
                OccurredAt = version,
                PlacedAt = order.PlacedAt.AddMinutes(random.Next(-120, 120)),
                Channel = order.Channel == SalesChannel.Shopify ? SalesChannel.Amazon : SalesChannel.Shopify,
                Lines = [.. order.Lines.Skip(random.Next(0, 2)).Select(l => l with { Title = "A renamed " + l.Title, Quantity = l.Quantity + 1 })],
                CancelledAt = random.Next(4) == 0 ? version : order.CancelledAt,
                ReturningCustomer = !order.ReturningCustomer,
            });
        }

        // Small batches in a shuffled order, with every event replayed once more in other batches.
        var shuffled = events.OrderBy(_ => random.Next()).ToList();
        foreach (var chunk in shuffled.Chunk(29).Concat(shuffled.OrderBy(_ => random.Next()).Chunk(61)))
        {
            await sut.Store.WriteFactsAsync(Batch(chunk), Ct);
        }

        const string Hourly = "SELECT * FROM history_hourly ORDER BY ALL";
        const string Products = "SELECT * FROM history_hourly_products ORDER BY ALL";
        const string Daily = "SELECT * FROM history_daily_products ORDER BY ALL";
        var kept = (await sut.QueryDuckDbAsync(Hourly, Ct), await sut.QueryDuckDbAsync(Products, Ct), await sut.QueryDuckDbAsync(Daily, Ct));

        await sut.ExecuteRawAsync("DELETE FROM history_rollup_state", Ct);
        await sut.ReopenAsync(Ct);
        var recomputed = (await sut.QueryDuckDbAsync(Hourly, Ct), await sut.QueryDuckDbAsync(Products, Ct), await sut.QueryDuckDbAsync(Daily, Ct));

        Assert.True(recomputed.Item1.Count > 300 && recomputed.Item2.Count > 300 && recomputed.Item3.Count > 30,
            $"{recomputed.Item1.Count} hourly, {recomputed.Item2.Count} hourly product and {recomputed.Item3.Count} daily product rows");
        Assert.Contains(recomputed.Item2, row => row.Contains("A renamed", StringComparison.Ordinal));
        Assert.Contains(recomputed.Item3, row => row.Contains("A renamed", StringComparison.Ordinal));
        Assert.Equal(recomputed.Item1, kept.Item1);
        Assert.Equal(recomputed.Item2, kept.Item2);
        Assert.Equal(recomputed.Item3, kept.Item3);
    }

    /// <summary>Two stores' varied histories; a quarter of the first store's orders and refunds were sold in EUR and converted as ingestion does.</summary>
    private static async Task<IReadOnlyList<CommerceEvent>> HistoryAsync()
    {
        var normalizer = new CurrencyNormalizer(new FixedRates());
        var events = new List<CommerceEvent>();
        var i = 0;
        foreach (var e in Varied(Now, orders: 700))
        {
            events.Add(i++ % 4 == 0 && e is OrderPlaced or RefundIssued
                ? await normalizer.NormalizeAsync(e with { Currency = "EUR" }, "GBP", null, CancellationToken.None)
                : e);
        }

        events.AddRange(Varied(Now, orders: 150, seed: 11).Select(e => e switch
        {
            OrderPlaced o => (CommerceEvent)(o with { Store = Second, OrderId = "us-" + o.OrderId }),
            RefundIssued r => r with { Store = Second, OrderId = "us-" + r.OrderId },
            SessionStarted s => s with { Store = Second },
            _ => e,
        }));
        return events;
    }

    /// <summary>Writes the events in small batches out of order, replays all of them, then replays some again one by one.</summary>
    private static async Task WriteWithReplaysAsync(IHistoryStore store, IReadOnlyList<CommerceEvent> events)
    {
        var shuffled = events.OrderBy(e => e.EventId.GetHashCode(StringComparison.Ordinal) % 97).ThenByDescending(e => e.EventId, StringComparer.Ordinal).ToList();
        foreach (var chunk in shuffled.Chunk(300))
        {
            await store.WriteFactsAsync(Batch(chunk), Ct);
        }

        await store.WriteFactsAsync(Batch([.. events]), Ct);
        foreach (var e in events.Where((_, n) => n % 40 == 0))
        {
            await store.WriteFactsAsync(Batch(e), Ct);
        }
    }

    private sealed record Figures(decimal Gross, long Orders, long Units, long New, long Returning, long Cancelled, decimal Refunds, long RefundedUnits, long Sessions);

    private sealed record Day(DateTime Start, decimal Gross, long Orders, long Units, decimal Refunds, long Sessions);

    private sealed record Group(string Key, string Label, decimal Gross, long Orders, long Units, decimal Refunds, long RefundedUnits, long Sessions);

    private sealed record Dashboard(Figures Summary, Figures Previous, IReadOnlyList<Day> Trend, IReadOnlyList<Group> Products, IReadOnlyList<Group> Channels)
    {
        public bool Equals(Dashboard? other) => other is not null && Summary == other.Summary && Previous == other.Previous
            && Trend.SequenceEqual(other.Trend) && Products.SequenceEqual(other.Products) && Channels.SequenceEqual(other.Channels);

        public override int GetHashCode() => HashCode.Combine(Summary, Previous);

        public override string ToString() =>
            $"{Summary}\n{Previous}\n{string.Join("\n", Trend)}\n{string.Join("\n", Products)}\n{string.Join("\n", Channels)}";
    }

    private static async Task<Dashboard> DashboardAsync(IHistoryStore store, HistoryScope scope, TimeZoneInfo zone)
    {
        var queries = new HistoryQueries(store, new FakeTimeProvider(Now));
        var request = new HistoryRequest(scope, zone, PeriodKind.Last30, ComparisonKind.Previous);
        var summary = await queries.SummaryAsync(request, Ct);
        var trend = await queries.TrendAsync(request, TrendGrain.Day, Ct);
        var products = await queries.BreakdownAsync(request, BreakdownDimension.Product, BreakdownMetric.Revenue, 10, Ct);
        var channels = await queries.BreakdownAsync(request, BreakdownDimension.Channel, BreakdownMetric.Revenue, null, Ct);

        static Figures Kpis(Func<KpiDelta, decimal?> side, HistoryKpis k) => new(side(k.GrossRevenue) ?? 0m, (long)(side(k.Orders) ?? 0m),
            (long)(side(k.UnitsSold) ?? 0m), (long)(side(k.NewCustomers) ?? 0m), (long)(side(k.ReturningCustomers) ?? 0m),
            (long)(side(k.CancelledOrders) ?? 0m), side(k.Refunds) ?? 0m, -1, (long)(side(k.Sessions) ?? 0m));
        return new Dashboard(
            Kpis(d => d.Value, summary.Kpis),
            Kpis(d => d.Previous, summary.Kpis),
            [.. trend.Points.Select(p => new Day(p.Start, p.GrossRevenue, p.Orders, p.Units, p.Refunds, p.Sessions))],
            [.. products.Rows.Select(r => new Group(r.Key, r.Label, r.GrossRevenue, r.Orders, r.Units, r.Refunds, r.RefundedUnits, r.Sessions))],
            [.. channels.Rows.Select(r => new Group(r.Key, r.Label, r.GrossRevenue, r.Orders, r.Units, r.Refunds, r.RefundedUnits, r.Sessions))]);
    }

    /// <summary>The same dashboard computed here from the deduplicated facts, with no store involved.</summary>
    private static Dashboard Oracle(HistoryBatch facts, HistoryScope scope, TimeZoneInfo zone)
    {
        var current = HistoryPeriods.Resolve(PeriodKind.Last30, Now, zone);
        var previous = HistoryPeriods.Compare(PeriodKind.Last30, current, ComparisonKind.Previous, zone)!;
        bool Mine(string tenant, string store) => tenant == scope.TenantId && (scope.StoreId is null || store == scope.StoreId);
        var orders = facts.Orders.Where(o => Mine(o.TenantId, o.StoreId)).ToList();
        var refunds = facts.Refunds.Where(r => Mine(r.TenantId, r.StoreId)).ToList();
        var sessions = facts.Sessions.Where(s => Mine(s.TenantId, s.StoreId)).ToList();
        static bool In(HistoryRange range, DateTimeOffset at) => at >= range.FromUtc && at < range.ToUtc;

        Figures Sum(HistoryRange range)
        {
            var o = orders.Where(x => In(range, x.PlacedAt)).ToList();
            var r = refunds.Where(x => In(range, x.OccurredAt)).ToList();
            return new Figures(o.Sum(x => x.Total), o.Count, o.Sum(x => (long)x.Units), o.Count(x => !x.ReturningCustomer), o.Count(x => x.ReturningCustomer),
                o.Count(x => x.Cancelled), r.Sum(x => x.Amount), -1, sessions.Count(x => In(range, x.StartedAt)));
        }

        DateTime LocalDay(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime.Date;
        var trend = new List<Day>();
        for (var day = current.StartLocal.Date; day < current.EndLocal; day = day.AddDays(1))
        {
            var o = orders.Where(x => In(current.Utc, x.PlacedAt) && LocalDay(x.PlacedAt) == day).ToList();
            var r = refunds.Where(x => In(current.Utc, x.OccurredAt) && LocalDay(x.OccurredAt) == day).ToList();
            trend.Add(new Day(day, o.Sum(x => x.Total), o.Count, o.Sum(x => (long)x.Units), r.Sum(x => x.Amount),
                sessions.Count(x => In(current.Utc, x.StartedAt) && LocalDay(x.StartedAt) == day)));
        }

        var lines = orders.Where(o => In(current.Utc, o.PlacedAt)).SelectMany(o => o.Lines.Select(l => (Order: o, Line: l))).ToList();
        var refundLines = refunds.Where(r => In(current.Utc, r.OccurredAt)).SelectMany(r => r.Lines).ToList();
        var products = lines.Select(x => x.Line.Sku).Concat(refundLines.Select(l => l.Sku)).Distinct()
            .Select(sku =>
            {
                var sold = lines.Where(x => x.Line.Sku == sku).ToList();
                var back = refundLines.Where(l => l.Sku == sku).ToList();
                return new Group(sku, sold.Count == 0 ? sku : sold.Select(x => x.Line.Title).Min(StringComparer.Ordinal)!, sold.Sum(x => x.Line.LineRevenue),
                    sold.Select(x => (x.Order.StoreId, x.Order.OrderId)).Distinct().Count(), sold.Sum(x => (long)x.Line.Quantity),
                    back.Sum(l => l.Amount), back.Sum(l => (long)l.Quantity), 0);
            })
            .OrderByDescending(g => g.Gross).ThenBy(g => g.Key, StringComparer.Ordinal).Take(10).ToList();

        var channels = orders.Where(o => In(current.Utc, o.PlacedAt)).Select(o => o.Channel)
            .Concat(refunds.Where(r => In(current.Utc, r.OccurredAt)).Select(r => r.Channel))
            .Concat(sessions.Where(s => In(current.Utc, s.StartedAt)).Select(s => s.Channel)).Distinct()
            .Select(channel =>
            {
                var o = orders.Where(x => x.Channel == channel && In(current.Utc, x.PlacedAt)).ToList();
                var r = refunds.Where(x => x.Channel == channel && In(current.Utc, x.OccurredAt)).ToList();
                return new Group(channel.ToString(), channel.ToString(), o.Sum(x => x.Total), o.Count, o.Sum(x => (long)x.Units), r.Sum(x => x.Amount),
                    r.Sum(x => (long)x.Units), sessions.Count(x => x.Channel == channel && In(current.Utc, x.StartedAt)));
            })
            .OrderByDescending(g => g.Gross).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

        return new Dashboard(Sum(current.Utc), Sum(previous.Utc), trend, products, channels);
    }

    /// <summary>
    /// One store of each kind holding <see cref="HistoryAsync"/> written with replays, made when a test first asks for that
    /// kind. Only tests that read it and change nothing share it; the others make their own store.
    /// </summary>
    public sealed class WrittenHistories : IAsyncDisposable
    {
        private readonly Dictionary<string, Task<(StoreUnderTest Store, IReadOnlyList<CommerceEvent> Events)>> _kinds = new(StringComparer.Ordinal);

        internal Task<(StoreUnderTest Store, IReadOnlyList<CommerceEvent> Events)> ForAsync(string kind, CancellationToken cancellationToken)
        {
            // A class's tests run one at a time, so no two ask at once.
            if (!_kinds.TryGetValue(kind, out var written))
            {
                written = WriteAsync(kind, cancellationToken);
                _kinds[kind] = written;
            }

            return written;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var written in _kinds.Values)
            {
                if (written.IsCompletedSuccessfully)
                {
                    await written.Result.Store.DisposeAsync();
                }
            }
        }

        private static async Task<(StoreUnderTest Store, IReadOnlyList<CommerceEvent> Events)> WriteAsync(string kind, CancellationToken cancellationToken)
        {
            var sut = await StoreUnderTest.CreateAsync(kind, cancellationToken);
            var events = await HistoryAsync();
            await WriteWithReplaysAsync(sut.Store, events);
            return (sut, events);
        }
    }

    private sealed class FixedRates : IExchangeRates
    {
        public Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken) =>
            Task.FromResult<ExchangeRate?>(from == "EUR" && to == "GBP" ? new ExchangeRate("EUR", "GBP", date, 0.8573m, "test") : null);

        public Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
