using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using static SalesDash.Engine.Tests.History.Facts;

namespace SalesDash.Engine.Tests.History;

/// <summary>Every history behaviour, run against both real stores: DuckDB in-process and the ClickHouse server.</summary>
public sealed class HistoryStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 15, 30, 0, TimeSpan.Zero);
    private static readonly HistoryScope Scope = HistoryScope.Store(Shop.TenantId, Shop.StoreId);
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    private static HistoryQueries Queries(IHistoryStore store) => new(store, new FakeTimeProvider(Now));

    private static HistoryRequest Request(PeriodKind period, ComparisonKind compare = ComparisonKind.None) => new(Scope, London, period, compare);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Replaying_the_same_facts_twice_leaves_the_same_totals(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var events = Varied(Now);
        var queries = Queries(sut.Store);

        await sut.Store.WriteFactsAsync(Batch([.. events]), Ct);
        var once = await queries.SummaryAsync(Request(PeriodKind.Last30), Ct);
        var productsOnce = await queries.BreakdownAsync(Request(PeriodKind.Last30), BreakdownDimension.Product, BreakdownMetric.Revenue, null, Ct);

        // Replayed one event per batch as well as whole, as a journal replay and a retried write would. The first twenty
        // hold every kind of fact the data has (an order, its edit and cancellation, a refund, sessions, both channels).
        // Not more: in ClickHouse each one-event batch leaves a part in every table it touches, and with two hundred of
        // them the teardown's DROP DATABASE, which deletes every part, outran the client's 120 s on a loaded machine.
        await sut.Store.WriteFactsAsync(Batch([.. events]), Ct);
        var singles = events.Take(20).ToList();
        Assert.Equal(["OrderPlaced", "RefundIssued", "SessionStarted"], singles.Select(e => e.GetType().Name).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2, singles.Select(e => e.Channel).Distinct().Count());
        Assert.Contains(singles, e => e is OrderPlaced { CancelledAt: not null });
        Assert.Contains(singles, e => e is OrderPlaced o && o.OccurredAt != o.PlacedAt);
        foreach (var e in singles)
        {
            await sut.Store.WriteFactsAsync(Batch(e), Ct);
        }

        var twice = await queries.SummaryAsync(Request(PeriodKind.Last30), Ct);
        var productsTwice = await queries.BreakdownAsync(Request(PeriodKind.Last30), BreakdownDimension.Product, BreakdownMetric.Revenue, null, Ct);

        Assert.True(once.Kpis.Orders.Value > 300, $"the data should fill the period, got {once.Kpis.Orders.Value} orders");
        Assert.Equal(once.Kpis, twice.Kpis);
        Assert.Equal(productsOnce.Rows, productsTwice.Rows);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Newest_order_version_wins_whatever_order_the_versions_arrive_in(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var placed = Now.AddHours(-2);
        var v1 = Order("o1", placed, [("MUG", 2, 10m), ("TEE", 1, 20m)]);
        var v2 = Order("o1", placed, [("MUG", 3, 10m)], version: placed.AddMinutes(10));

        await sut.Store.WriteFactsAsync(Batch(v2), Ct);
        await sut.Store.WriteFactsAsync(Batch(v1), Ct);

        var queries = Queries(sut.Store);
        var summary = await queries.SummaryAsync(Request(PeriodKind.Today), Ct);
        var products = await queries.BreakdownAsync(Request(PeriodKind.Today), BreakdownDimension.Product, BreakdownMetric.Revenue, null, Ct);

        Assert.Equal((30m, 1m, 3m), (summary.Kpis.GrossRevenue.Value, summary.Kpis.Orders.Value, summary.Kpis.UnitsSold.Value));
        var mug = Assert.Single(products.Rows);
        Assert.Equal(("MUG", 30m, 3L, 1L), (mug.Key, mug.GrossRevenue, mug.Units, mug.Orders));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_edit_with_fewer_lines_drops_the_lines_it_no_longer_has(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var placed = Now.AddHours(-2);
        await sut.Store.WriteFactsAsync(Batch(Order("o1", placed, [("MUG", 2, 10m), ("TEE", 1, 20m), ("CAP", 1, 5m)])), Ct);
        await sut.Store.WriteFactsAsync(Batch(Order("o1", placed, [("MUG", 2, 10m)], version: placed.AddMinutes(1))), Ct);

        var products = await Queries(sut.Store).BreakdownAsync(Request(PeriodKind.Today), BreakdownDimension.Product, BreakdownMetric.Revenue, null, Ct);

        Assert.Equal(["MUG"], products.Rows.Select(r => r.Key));
        Assert.Equal(20m, products.Rows[0].GrossRevenue);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Summary_shows_each_kpi_with_its_delta_against_the_previous_period(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var yesterday = Now.AddDays(-1);
        await sut.Store.WriteFactsAsync(Batch(
            Order("t1", Now.AddHours(-3), [("MUG", 2, 10m)]),
            Order("t2", Now.AddHours(-2), [("TEE", 1, 40m)], returning: true),
            Order("t3", Now.AddHours(-1), [("CAP", 1, 30m)], cancelled: true),
            Refund("rf1", "t1", Now.AddMinutes(-30), [("MUG", 1, 10m)]),
            Session("s1", Now.AddHours(-4)), Session("s2", Now.AddHours(-4)), Session("s3", Now.AddHours(-4)),
            Session("s4", Now.AddHours(-4)), Session("s5", Now.AddHours(-4)), Session("s6", Now.AddHours(-4)),
            Order("y1", yesterday.AddHours(-3), [("MUG", 1, 10m)]),
            Order("y2", yesterday.AddHours(-2), [("MUG", 1, 30m)]),
            // Later in the day yesterday than "now": not part of the comparison.
            Order("y3", yesterday.AddHours(2), [("MUG", 1, 999m)])), Ct);

        var summary = await Queries(sut.Store).SummaryAsync(Request(PeriodKind.Today, ComparisonKind.Previous), Ct);
        var k = summary.Kpis;

        Assert.Equal((90m, 40m, 50m, 1.25m), (k.GrossRevenue.Value, k.GrossRevenue.Previous, k.GrossRevenue.Change, k.GrossRevenue.ChangeRatio));
        Assert.Equal((80m, 40m), (k.NetRevenue.Value, k.NetRevenue.Previous));
        Assert.Equal((3m, 2m, 0.5m), (k.Orders.Value, k.Orders.Previous, k.Orders.ChangeRatio));
        Assert.Equal((30m, 20m), (k.AverageOrderValue.Value, k.AverageOrderValue.Previous));
        Assert.Equal((0.5m, null), (k.ConversionRate.Value, k.ConversionRate.Previous));
        Assert.Equal((4m, 2m), (k.UnitsSold.Value, k.UnitsSold.Previous));
        Assert.Equal((10m, 0m), (k.Refunds.Value, k.Refunds.Previous));
        Assert.Equal((2m, 2m), (k.NewCustomers.Value, k.NewCustomers.Previous));
        Assert.Equal((1m, 0m), (k.ReturningCustomers.Value, k.ReturningCustomers.Previous));
        Assert.Equal(1m, k.CancelledOrders.Value);
        Assert.Equal(new DateOnly(2026, 6, 9), summary.Comparison!.From);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Breakdowns_rank_channels_sources_and_products_and_give_refunds_to_their_orders_source(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var day = Now.AddDays(-2);
        // The refunded order was placed long before the period: its refund still belongs to its source.
        await sut.Store.WriteFactsAsync(Batch(
            Order("old", Now.AddDays(-60), [("INK", 1, 8m)], source: "instagram"),
            Order("a", day, [("MUG", 3, 10m), ("TEE", 1, 25m)], source: "web"),
            Order("b", day.AddHours(1), [("MUG", 1, 10m)], source: "pos", channel: SalesChannel.WooCommerce),
            Order("c", day.AddHours(2), [("CAP", 2, 50m)], source: null, country: null),
            Refund("r-old", "old", day.AddHours(3), [("INK", 1, 8m)]),
            Refund("r-a", "a", day.AddHours(4), [("MUG", 1, 10m)]),
            Session("s1", day, "web"), Session("s2", day, "web"), Session("s3", day, "pos")), Ct);
        var queries = Queries(sut.Store);

        var channels = await queries.BreakdownAsync(Request(PeriodKind.Last7), BreakdownDimension.Channel, BreakdownMetric.Revenue, null, Ct);
        var sources = await queries.BreakdownAsync(Request(PeriodKind.Last7), BreakdownDimension.Source, BreakdownMetric.Revenue, null, Ct);
        var products = await queries.BreakdownAsync(Request(PeriodKind.Last7), BreakdownDimension.Product, BreakdownMetric.Units, null, Ct);
        var countries = await queries.BreakdownAsync(Request(PeriodKind.Last7), BreakdownDimension.Country, BreakdownMetric.Revenue, null, Ct);

        Assert.Equal([("Shopify", 1, 155m, 18m), ("WooCommerce", 2, 10m, 0m)],
            channels.Rows.Select(r => (r.Key, r.Rank, r.GrossRevenue, r.Refunds)));
        Assert.Equal(0.9394m, channels.Rows[0].RevenueShare);
        Assert.Equal([("unknown", 100m, 0m, 0L), ("web", 55m, 10m, 2L), ("pos", 10m, 0m, 1L), ("instagram", 0m, 8m, 0L)],
            sources.Rows.Select(r => (r.Key, r.GrossRevenue, r.Refunds, r.Sessions)));
        Assert.Equal((0.5m, 1m), (sources.Rows.Single(r => r.Key == "web").ConversionRate, sources.Rows.Single(r => r.Key == "pos").ConversionRate));
        Assert.Equal([("MUG", 4L, 40m, 2L, 0.25m), ("CAP", 2L, 100m, 1L, 0m), ("TEE", 1L, 25m, 1L, 0m), ("INK", 0L, 0m, 0L, null)],
            products.Rows.Select(r => (r.Key, r.Units, r.GrossRevenue, r.Orders, r.ReturnRate)));
        Assert.Equal("Title of MUG", products.Rows[0].Label);
        Assert.Equal([("unknown", 100m), ("GB", 65m)], countries.Rows.Select(r => (r.Key, r.GrossRevenue)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Retention_deletes_only_that_tenants_facts_older_than_the_cutoff(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var other = new StoreRef("globex", "shop");
        await sut.Store.WriteFactsAsync(Batch(
            Order("old", Now.AddDays(-45), [("MUG", 1, 10m)]),
            Order("new", Now.AddDays(-5), [("MUG", 1, 20m)]),
            Refund("r-old", "old", Now.AddDays(-44), [("MUG", 1, 10m)]),
            Session("s-old", Now.AddDays(-45)),
            Order("theirs", Now.AddDays(-45), [("MUG", 1, 70m)], store: other)), Ct);
        await sut.Store.WriteAsync([new MinuteKpiRow("acme", "uk-shop", Now.AddDays(-45), "GBP", 10m, 0m, 1, 1, 1, 0, 0)], Ct);

        await sut.Store.DeleteOlderThanAsync("acme", Now.AddDays(-30), Ct);

        var range = new HistoryRange(Now.AddDays(-90), Now);
        var mine = (await sut.Store.SlotsAsync(Scope, range, range.Length, Ct)).Single().Totals;
        var theirs = (await sut.Store.SlotsAsync(HistoryScope.Tenant("globex"), range, range.Length, Ct)).Single().Totals;
        var minuteRows = await sut.Store.ReadAsync(Shop, Now.AddDays(-90), Now, Ct);
        Assert.Equal((20m, 1L, 0m, 0L), (mine.GrossRevenue, mine.Orders, mine.Refunds, mine.Sessions));
        Assert.Equal(70m, theirs.GrossRevenue);
        Assert.Empty(minuteRows);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Minute_rows_are_upserted_by_minute_for_the_live_path(string kind)
    {
        await using var sut = await StoreUnderTest.CreateAsync(kind, Ct);
        var minute = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
        await sut.Store.WriteAsync([new MinuteKpiRow("acme", "uk-shop", minute, "GBP", 10m, 0m, 1, 2, 1, 0, 0)], Ct);
        await sut.Store.WriteAsync([new MinuteKpiRow("acme", "uk-shop", minute, "GBP", 25.5m, 3m, 2, 5, 1, 1, 0),
            new MinuteKpiRow("acme", "uk-shop", minute.AddMinutes(1), "GBP", 7m, 0m, 1, 1, 0, 1, 1)], Ct);

        var rows = await sut.Store.ReadAsync(Shop, minute, minute.AddMinutes(2), Ct);

        Assert.Equal([(minute, 25.5m, 3m, 2, 5), (minute.AddMinutes(1), 7m, 0m, 1, 1)],
            rows.Select(r => (r.Minute, r.GrossRevenue, r.Refunds, r.Orders, r.Units)));
    }

    [Fact]
    public async Task Both_stores_answer_every_query_with_the_same_figures()
    {
        await using var duck = await StoreUnderTest.CreateAsync("DuckDb", Ct);
        await using var click = await StoreUnderTest.CreateAsync("ClickHouse", Ct);
        var events = Varied(Now, orders: 900, seed: 11);
        foreach (var chunk in events.Chunk(250))
        {
            await duck.Store.WriteFactsAsync(Batch(chunk), Ct);
            await click.Store.WriteFactsAsync(Batch(chunk), Ct);
        }

        var a = Queries(duck.Store);
        var b = Queries(click.Store);
        foreach (var period in new[] { PeriodKind.Today, PeriodKind.Yesterday, PeriodKind.Last7, PeriodKind.Last30, PeriodKind.MonthToDate })
        {
            var request = Request(period, ComparisonKind.Previous);
            Assert.Equal((await a.SummaryAsync(request, Ct)).Kpis, (await b.SummaryAsync(request, Ct)).Kpis);
            Assert.Equal((await a.TrendAsync(request, null, Ct)).Points, (await b.TrendAsync(request, null, Ct)).Points);
            foreach (var by in Enum.GetValues<BreakdownDimension>())
            {
                Assert.Equal((await a.BreakdownAsync(request, by, BreakdownMetric.Revenue, null, Ct)).Rows,
                    (await b.BreakdownAsync(request, by, BreakdownMetric.Revenue, null, Ct)).Rows);
            }
        }

        var hourly = await a.TrendAsync(Request(PeriodKind.Yesterday), TrendGrain.Minute, Ct);
        Assert.Equal(hourly.Points, (await b.TrendAsync(Request(PeriodKind.Yesterday), TrendGrain.Minute, Ct)).Points);
        Assert.True((await a.SummaryAsync(Request(PeriodKind.Last30), Ct)).Kpis.Orders.Value > 400);
    }
}
