using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;
using SalesDash.Web.Customers;
using SalesDash.Web.Tests.History;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Customers;

/// <summary>
/// The customers API against an oracle written here in LINQ over the seeded orders: customers by channel id, by hashed
/// e-mail and guests, edits that name the buyer later, cancellations, refunds inside and outside the LTV windows, two
/// channels whose ids collide, over two years; on DuckDB and on the ClickHouse server. Now is 2026-11-25 15:30 UTC.
/// </summary>
public sealed class CustomersApiTests
{
    private static readonly DateTimeOffset Now = WebAppFactory.Now;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Customer_figures_and_cohorts_equal_an_oracle_over_the_seeded_orders(string kind)
    {
        await using var app = new HistoryApp(kind);
        var seeded = Seed(seed: 16);
        var batch = new HistoryBatch();
        foreach (var e in seeded)
        {
            batch.Add(e);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);
        var client = app.CreateSignedInClient();
        var oracle = new Oracle(seeded, Now);

        // London dates: GMT in winter, BST in summer (the period ends at 23:00 UTC on 30 June).
        foreach (var (query, from, to) in new[]
        {
            ("period=custom&from=2025-01-01&to=2025-10-31", Utc(2025, 1, 1), Utc(2025, 11, 1)),
            ("period=custom&from=2026-01-01&to=2026-06-30", Utc(2026, 1, 1), Utc(2026, 6, 30, 23)),
            ("period=last30", Utc(2026, 10, 26), Utc(2026, 11, 25)),
        })
        {
            var answer = (await client.GetFromJsonAsync<CustomersSummaryResponse>($"/api/tenants/acme/stores/uk-shop/customers/summary?{query}", HistoryApp.Json, Ct))!;
            var expected = oracle.Summary(from, to);
            Assert.Equal(("GBP", new HistoryRange(from, to)), (answer.Currency, answer.Figures.Period));
            Assert.Equal(expected, answer.Figures);
            Assert.True(expected.Customers > 5 && expected.UnidentifiedOrders > 0, $"the oracle's period {query} should hold customers and guests");
        }

        // The seed is rich enough that each figure is exercised: repeat buyers, closed 12-month windows and refunds in them.
        var old = oracle.Summary(Utc(2025, 1, 1), Utc(2025, 11, 1));
        Assert.True(old.RepeatCustomers > 0 && old.Ltv12Months.Customers > 0 && old.Ltv90Days.NetRevenue != oracle.GrossOnly90(Utc(2025, 1, 1), Utc(2025, 11, 1)),
            "the seed should give repeat buyers, closed 12-month windows and refunds within 90 days");

        var cohorts = (await client.GetFromJsonAsync<CohortsResponse>("/api/tenants/acme/stores/uk-shop/customers/cohorts?months=12", HistoryApp.Json, Ct))!;
        var expectedRows = oracle.Cohorts(new DateOnly(2025, 12, 1), new DateOnly(2026, 11, 1));
        Assert.Equal((new DateOnly(2025, 12, 1), new DateOnly(2026, 11, 1)), (cohorts.Cohorts.FirstMonth, cohorts.Cohorts.LastMonth));
        Assert.Equal(expectedRows.Count, cohorts.Cohorts.Rows.Count);
        foreach (var (want, got) in expectedRows.Zip(cohorts.Cohorts.Rows))
        {
            Assert.Equal((want.Month, want.Customers), (got.Month, got.Customers));
            Assert.Equal(want.Cells, got.Cells);
        }

        Assert.Contains(cohorts.Cohorts.Rows, r => r.Cells.Skip(1).Any(c => c is { Customers: > 0 }));
    }

    [Fact]
    public async Task Bad_periods_and_month_counts_are_problems_that_say_what_is_accepted()
    {
        await using var app = new HistoryApp("DuckDb");
        var client = app.CreateSignedInClient();
        foreach (var url in new[]
        {
            "/api/tenants/acme/stores/uk-shop/customers/summary?period=fortnight",
            "/api/tenants/acme/stores/uk-shop/customers/summary?period=custom&from=2026-02-01",
            "/api/tenants/acme/stores/uk-shop/customers/cohorts?months=0",
            "/api/tenants/acme/stores/uk-shop/customers/cohorts?months=abc",
        })
        {
            using var response = await client.GetAsync(url, Ct);
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains(url.Contains("cohorts", StringComparison.Ordinal) ? "between 1 and 36" : "period is one of", body, StringComparison.Ordinal);
        }

        using var unknown = await client.GetAsync("/api/tenants/acme/stores/no-such-shop/customers/summary", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static string Hash(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));

    /// <summary>
    /// About 420 orders over 700 days: a quarter by Shopify customer ids, a quarter by e-mail only, a quarter with both, a
    /// fifth of all by guests with neither; WooCommerce orders reuse Shopify's ids (different people); some orders are
    /// cancelled, some edited (a guest order later naming its buyer), a sixth refunded at once or months later.
    /// </summary>
    private static List<CommerceEvent> Seed(int seed)
    {
        var random = new Random(seed);
        var events = new List<CommerceEvent>();
        for (var i = 0; i < 420; i++)
        {
            var placed = Now.AddSeconds(-random.Next(3600, 700 * 86_400));
            var buyer = random.Next(60);
            var guest = random.Next(5) == 0;
            var channel = random.Next(6) == 0 ? SalesChannel.WooCommerce : SalesChannel.Shopify;
            string? id = guest || buyer % 4 == 1 ? null : $"{buyer}";
            string? email = guest || buyer % 4 == 0 ? null : Hash($"buyer{buyer}@example.com");
            var total = Math.Round((decimal)random.Next(500, 20_000) / 100m, 2);
            var cancelled = random.Next(15) == 0;
            var namedLater = !guest && random.Next(8) == 0;
            events.Add(Order($"o{i}", placed, placed, channel, total, namedLater ? null : id, namedLater ? null : email, cancelled: false));
            if (namedLater || cancelled || random.Next(10) == 0)
            {
                // A later version: the buyer named (a guest checkout linked afterwards), a cancellation, or a changed total.
                events.Add(Order($"o{i}", placed, placed.AddMinutes(40), channel, total + (cancelled ? 0m : 1.5m), id, email, cancelled));
            }

            if (random.Next(6) == 0)
            {
                var at = placed.AddDays(random.Next(2) == 0 ? random.Next(0, 20) : random.Next(60, 400)).AddSeconds(random.Next(3600));
                if (at < Now)
                {
                    events.Add(new RefundIssued
                    {
                        Store = new StoreRef("acme", "uk-shop"), Channel = channel, EventId = $"refund-r{i}", OccurredAt = at, StoreTimeZone = "Europe/London",
                        Currency = "GBP", RefundId = $"r{i}", OrderId = $"o{i}", Amount = Math.Round(total / 3m, 2), Units = 1, Lines = [],
                    });
                }
            }
        }

        return events;
    }

    private static OrderPlaced Order(string orderId, DateTimeOffset placed, DateTimeOffset version, SalesChannel channel, decimal total,
        string? customerId, string? emailHash, bool cancelled) => new()
        {
            Store = new StoreRef("acme", "uk-shop"),
            Channel = channel,
            EventId = $"order-{orderId}-{version.ToUnixTimeMilliseconds()}",
            OccurredAt = version,
            StoreTimeZone = "Europe/London",
            Currency = "GBP",
            OrderId = orderId,
            PlacedAt = placed,
            Version = version,
            TotalPrice = total,
            Lines = [new OrderLine("MUG", "Mug", 1, total)],
            CustomerId = customerId,
            CustomerEmailHash = emailHash,
            CancelledAt = cancelled ? version : null,
        };

    /// <summary>The figures worked out from the seeded events alone, as a person with a spreadsheet would.</summary>
    private sealed class Oracle
    {
        private readonly List<(string Id, DateTimeOffset At, decimal Total, string? Buyer)> _orders;
        private readonly List<(string OrderId, DateTimeOffset At, decimal Amount)> _refunds;
        private readonly DateTimeOffset _asOf;

        public Oracle(IReadOnlyList<CommerceEvent> events, DateTimeOffset asOf)
        {
            _asOf = asOf;
            _orders = [.. events.OfType<OrderEvent>()
                .GroupBy(o => o.OrderId)
                .Select(g => g.MaxBy(o => o.Version)!)
                .Where(o => o.CancelledAt is null)
                .Select(o => (o.OrderId, o.PlacedAt, o.TotalPrice,
                    o.CustomerId is { } c ? $"{o.Channel}/{c}" : o.CustomerEmailHash is { } h ? $"mail/{h}" : null))];
            _refunds = [.. events.OfType<RefundIssued>().Select(r => (r.OrderId, r.OccurredAt, r.Amount))];
        }

        private Dictionary<string, DateTimeOffset> Firsts() => _orders.Where(o => o.Buyer is not null)
            .GroupBy(o => o.Buyer!).ToDictionary(g => g.Key, g => g.Min(o => o.At));

        public CustomerSummary Summary(DateTimeOffset from, DateTimeOffset to)
        {
            var firsts = Firsts();
            var inPeriod = _orders.Where(o => o.At >= from && o.At < to).ToList();
            var buyers = inPeriod.Where(o => o.Buyer is not null).GroupBy(o => o.Buyer!).ToList();
            var customers = buyers.Count;
            var fresh = buyers.Count(g => firsts[g.Key] >= from);
            var repeat = buyers.Count(g => g.Count() >= 2);
            var identified = buyers.Sum(g => g.Count());
            var cohort = firsts.Where(f => f.Value >= from && f.Value < to).ToList();
            return new CustomerSummary(new HistoryRange(from, to), customers, fresh, customers - fresh, repeat,
                customers == 0 ? null : Math.Round((decimal)repeat / customers, 4, MidpointRounding.AwayFromZero),
                customers == 0 ? null : Math.Round((decimal)identified / customers, 2, MidpointRounding.AwayFromZero),
                identified, inPeriod.Count(o => o.Buyer is null),
                Ltv(cohort, first => first.AddDays(90), refunds: true), Ltv(cohort, first => first.AddMonths(12), refunds: true));
        }

        /// <summary>The 90-day value without refunds, to show the seed has refunds inside the window.</summary>
        public decimal GrossOnly90(DateTimeOffset from, DateTimeOffset to) =>
            Ltv([.. Firsts().Where(f => f.Value >= from && f.Value < to)], first => first.AddDays(90), refunds: false).NetRevenue;

        private LifetimeValue Ltv(List<KeyValuePair<string, DateTimeOffset>> cohort, Func<DateTimeOffset, DateTimeOffset> end, bool refunds)
        {
            var closed = cohort.Where(c => end(c.Value) <= _asOf).ToList();
            var net = 0m;
            foreach (var (buyer, first) in closed)
            {
                var theirs = _orders.Where(o => o.Buyer == buyer).ToList();
                net += theirs.Where(o => o.At >= first && o.At < end(first)).Sum(o => o.Total);
                if (refunds)
                {
                    net -= _refunds.Where(r => theirs.Any(o => o.Id == r.OrderId) && r.At >= first && r.At < end(first)).Sum(r => r.Amount);
                }
            }

            return new LifetimeValue(closed.Count, net, closed.Count == 0 ? null : Math.Round(net / closed.Count, 2, MidpointRounding.AwayFromZero));
        }

        public List<CohortRow> Cohorts(DateOnly firstMonth, DateOnly currentMonth)
        {
            static DateOnly MonthOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1);
            var firsts = Firsts();
            var rows = new List<CohortRow>();
            for (var month = firstMonth; month <= currentMonth; month = month.AddMonths(1))
            {
                var members = firsts.Where(f => MonthOf(f.Value) == month).Select(f => f.Key).ToHashSet();
                var cells = new CohortCell?[12];
                for (var k = 0; k < 12 && month.AddMonths(k) <= currentMonth; k++)
                {
                    var target = month.AddMonths(k);
                    var active = _orders.Where(o => o.Buyer is not null && members.Contains(o.Buyer) && MonthOf(o.At) == target).Select(o => o.Buyer).Distinct().Count();
                    cells[k] = new CohortCell(k, active, members.Count == 0 ? 0m : Math.Round((decimal)active / members.Count, 4, MidpointRounding.AwayFromZero));
                }

                rows.Add(new CohortRow(month, members.Count, cells));
            }

            return rows;
        }
    }
}
