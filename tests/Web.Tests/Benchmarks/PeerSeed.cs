using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Identity;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Benchmarks;

/// <summary>Organisations with known figures for the benchmark tests (the "you vs peers" page and the public report), and the quartile oracle.</summary>
public static class PeerSeed
{
    /// <summary>The windows end at the start of the host's frozen day.</summary>
    public static readonly DateTimeOffset End = new(WebAppFactory.Now.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>The q-th quartile the test's own way: the 1-based position 1 + q(n − 1)/4, between its two neighbours.</summary>
    public static decimal Quartile(List<decimal> values, int q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var position = 1m + (q * (sorted.Length - 1) / 4m);
        var whole = (int)position;
        var fraction = position - whole;
        var below = sorted[whole - 1];
        var above = whole < sorted.Length ? sorted[whole] : below;
        return Math.Round(below + (fraction * (above - below)), 4, MidpointRounding.AwayFromZero);
    }

    /// <summary>The one exchange rate the seeded organisations and uploaded files need: EUR → USD at 1.1, ten days before today.</summary>
    public static Task RateAsync(SalesDashHost app, CancellationToken ct) =>
        app.Services.GetRequiredService<IExchangeRates>().UpsertAsync(new ExchangeRate("EUR", "USD", DateOnly.FromDateTime(End.UtcDateTime).AddDays(-10), 1.1m, "test"), ct);

    /// <summary>
    /// Seven organisations: five small apparel shops (one selling in euros), one apparel shop twenty times their size, one
    /// small pet shop; each with random orders over the last 56 days, refunds and sessions, and consent given through the API.
    /// </summary>
    public static async Task<List<SeededOrg>> SeedAsync(SalesDashHost app, CancellationToken ct)
    {
        var history = app.Services.GetRequiredService<IHistoryStore>();
        await history.InitializeAsync(ct);
        await RateAsync(app, ct);
        var random = new Random(19);
        var orgs = new List<SeededOrg>();
        (string Industry, bool Big, string Currency)[] shapes =
        [
            ("apparel", false, "USD"), ("apparel", false, "USD"), ("apparel", false, "EUR"), ("apparel", false, "USD"), ("apparel", false, "USD"),
            ("apparel", true, "USD"), ("pets", false, "USD"),
        ];
        foreach (var (industry, big, currency) in shapes)
        {
            var tenant = $"bench-{Guid.NewGuid():N}"[..16];
            await app.Services.GetRequiredService<IStoreDirectory>().UpsertAsync(new StoreProfile(new StoreRef(tenant, "shop"), tenant, SalesChannel.Shopify,
                $"{tenant}.myshopify.com", currency, "UTC", "secret-0123456789-abcdef"), ct);
            var batch = new HistoryBatch();
            var orders = new List<(DateTimeOffset At, decimal Total, bool Returning)>();
            for (var i = 0; i < 40 + random.Next(40); i++)
            {
                var at = End.AddMinutes(-random.Next(1, 56 * 24 * 60));
                var total = Math.Round((decimal)(10 + (random.NextDouble() * 90)) * (big ? 20m : 1m), 2);
                var returning = random.Next(3) == 0;
                orders.Add((at, total, returning));
                batch.Add(new OrderFact(tenant, "shop", SalesChannel.Shopify, $"o{i}", 1, at, currency, total, 1, returning, false, "direct", "DE", []));
            }

            var refunds = new List<(DateTimeOffset At, decimal Amount)>();
            for (var i = 0; i < 2 + random.Next(5); i++)
            {
                var at = End.AddMinutes(-random.Next(1, 28 * 24 * 60));
                var amount = Math.Round((decimal)(5 + (random.NextDouble() * 20)), 2);
                refunds.Add((at, amount));
                batch.Add(new RefundFact(tenant, "shop", SalesChannel.Shopify, $"r{i}", "o0", at, amount, 1, []));
            }

            var sessions = 200 + random.Next(800);
            for (var i = 0; i < sessions; i++)
            {
                batch.Add(new SessionFact(tenant, "shop", SalesChannel.Shopify, $"s{i}", End.AddMinutes(-random.Next(1, 28 * 24 * 60)), "direct"));
            }

            await history.WriteFactsAsync(batch, ct);
            var admin = app.CreateSignedInClient(OrgRole.Admin, tenant);
            using var consent = await admin.PutAsJsonAsync($"/api/tenants/{tenant}/benchmarks/settings", new { industry, takesPart = true }, ct);
            Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
            orgs.Add(new SeededOrg(tenant, industry, big, admin, currency == "EUR" ? 1.1m : 1m, orders, refunds, sessions));
        }

        return orgs;
    }
}

/// <summary>One seeded organisation: who it is, its admin client, and what the test wrote for it.</summary>
public sealed record SeededOrg(
    string Tenant, string Industry, bool Big, HttpClient Admin, decimal Rate,
    List<(DateTimeOffset At, decimal Total, bool Returning)> Orders, List<(DateTimeOffset At, decimal Amount)> Refunds, int Sessions)
{
    /// <summary>The figure as the test computes it from what it wrote.</summary>
    public decimal? Expected(BenchmarkMetric metric)
    {
        decimal Revenue(int fromDaysAgo, int toDaysAgo) =>
            Orders.Where(o => o.At >= PeerSeed.End.AddDays(-fromDaysAgo) && o.At < PeerSeed.End.AddDays(-toDaysAgo)).Sum(o => o.Total) * Rate;
        var last28 = Orders.Where(o => o.At >= PeerSeed.End.AddDays(-28)).ToList();
        static decimal R(decimal top, decimal bottom) => Math.Round(top / bottom, 4, MidpointRounding.AwayFromZero);
        return metric switch
        {
            BenchmarkMetric.ConversionRate => R(last28.Count, Sessions),
            BenchmarkMetric.AverageOrderValue => R(Revenue(28, 0), last28.Count),
            BenchmarkMetric.RepeatRate => R(last28.Count(o => o.Returning), last28.Count),
            BenchmarkMetric.RefundRate => R(Refunds.Sum(r => r.Amount) * Rate, Revenue(28, 0)),
            BenchmarkMetric.RevenueGrowthWoW => R(Revenue(7, 0), Revenue(14, 7)) - 1m,
            BenchmarkMetric.RevenueGrowthMoM => R(Revenue(28, 0), Revenue(56, 28)) - 1m,
            _ => null,
        };
    }
}
