using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.Clustering;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Channels;
using SalesDash.Web.ExchangeRates;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.ExchangeRates;

/// <summary>
/// The rates table refreshed from an ECB-shaped provider (a local fake server, through the outbound policy): new rates
/// convert the next events, a failed or damaged answer keeps the last good rates, and the API says when rates were
/// last refreshed and what went wrong since.
/// </summary>
public sealed class ExchangeRateRefreshTests
{
    private static readonly DateOnly RateDay = DateOnly.FromDateTime(WebAppFactory.Now.UtcDateTime).AddDays(-1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Conversions_after_a_refresh_use_the_new_rate()
    {
        await using var ecb = await FakeEcb.StartAsync();
        await using var app = App(ecb);
        await FirstPassAsync(app);
        var client = app.CreateSignedInClient();
        using var put = await client.PutAsJsonAsync("/api/tenants/globex/stores/shop/channels/stripe",
            new ChannelConnectionRequest(true, null, new() { ["webhookSecret"] = "whsec_test_secret" }, null), Ct);
        put.EnsureSuccessStatusCode();

        // Before any refresh: 100 USD in the EUR store at the configured EUR/USD 1.25 → 80.00 EUR.
        using (var first = await client.SendAsync(StripeCharge("ch_before"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        ecb.Answer = (200, FakeEcb.Daily(RateDay, ("USD", "1.60"), ("GBP", "0.83")));
        var status = await app.Services.GetRequiredService<ExchangeRateRefreshJob>().RefreshAsync(Ct);

        // After it: the ECB's EUR/USD 1.60 of yesterday is newer than the configured rate → 62.50 EUR.
        using (var second = await client.SendAsync(StripeCharge("ch_after"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/globex/stores/shop/tiles", Ct);
        Assert.Null(status.LastError);
        Assert.Equal(2, status.RateCount);
        Assert.Equal(80.00m + 62.50m, tiles!.GrossRevenue.Value);
        Assert.Equal(2m, tiles.Orders.Value);
    }

    [Fact]
    public async Task A_failed_or_damaged_answer_keeps_the_last_good_rates_and_the_api_says_when_they_were_refreshed()
    {
        await using var ecb = await FakeEcb.StartAsync();
        await using var app = App(ecb);
        var refresh = await FirstPassAsync(app);
        var client = app.CreateSignedInClient();

        ecb.Answer = (200, FakeEcb.Daily(RateDay, ("USD", "1.0512"), ("JPY", "162.37")));
        await refresh.RefreshAsync(Ct);
        var refreshedAt = app.Clock.GetUtcNow();

        app.Clock.Advance(TimeSpan.FromHours(1));
        ecb.Answer = (500, "upstream broke");
        var failed = await refresh.RefreshAsync(Ct);
        app.Clock.Advance(TimeSpan.FromHours(1));
        // Well-formed XML, one bad entry: refused whole, so the good USD rate beside it is not half-applied either.
        ecb.Answer = (200, FakeEcb.Daily(RateDay.AddDays(1), ("USD", "9.99"), ("JPY", "-1")));
        var damaged = await refresh.RefreshAsync(Ct);

        var view = await client.GetFromJsonAsync<JsonObject>("/api/exchange-rates", Ct);
        var rates = view!["rates"]!.AsArray();
        var usd = rates.Single(r => (string)r!["to"]! == "USD" && (string)r["source"]! == "ECB reference rate")!;

        Assert.Contains("500", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("JPY", damaged.LastError, StringComparison.Ordinal);
        Assert.Equal(1.0512m, (decimal)usd["rate"]!);
        Assert.Equal(RateDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string)usd["date"]!);
        Assert.DoesNotContain(rates, r => (decimal)r!["rate"]! == 9.99m);
        Assert.True((bool)view["refreshConfigured"]!);
        var last = view["refresh"]!;
        Assert.Equal(refreshedAt, (DateTimeOffset)last["lastSuccessAt"]!);
        Assert.Equal(app.Clock.GetUtcNow(), (DateTimeOffset)last["lastAttemptAt"]!);
        Assert.Equal(RateDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string)last["ratesDate"]!);
        Assert.Equal(2, (int)last["rateCount"]!);
        Assert.Contains("JPY", (string)last["lastError"]!, StringComparison.Ordinal);
        Assert.Equal(4, ecb.Requests);
    }

    [Fact]
    public async Task The_cluster_jobs_singleton_reads_the_provider_when_a_provider_is_configured()
    {
        await using var ecb = await FakeEcb.StartAsync();
        await using var configured = App(ecb);
        await using var unconfigured = new IdentityAppFactory(new Dictionary<string, string>());

        var firstPass = await (await FirstPassAsync(configured)).StatusAsync(Ct);
        Assert.Equal(1, ecb.Requests);
        Assert.Contains("503", firstPass!.LastError, StringComparison.Ordinal);
        Assert.Null(firstPass.LastSuccessAt);
        Assert.Contains("exchange-rates", configured.Services.GetServices<IClusterJob>().Select(j => j.Name));
        Assert.DoesNotContain("exchange-rates", unconfigured.Services.GetServices<IClusterJob>().Select(j => j.Name));
        var view = await unconfigured.CreateSignedInClient().GetFromJsonAsync<JsonObject>("/api/exchange-rates", Ct);
        Assert.False((bool)view!["refreshConfigured"]!);
        Assert.Null(view["refresh"]);
    }

    [Fact]
    public async Task A_provider_url_that_is_not_http_stops_the_start_with_the_reason()
    {
        await using var app = new IdentityAppFactory(new Dictionary<string, string> { ["ExchangeRates:ProviderUrl"] = "file:///etc/passwd" });
        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("ExchangeRates:ProviderUrl", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Waits for the cluster-jobs singleton's first pass, run as soon as the node takes the jobs over, to be recorded (the
    /// fake answers 503 until a test sets a document); the next pass is an hour away, so the test's own passes are alone.
    /// </summary>
    private static async Task<ExchangeRateRefreshJob> FirstPassAsync(IdentityAppFactory app)
    {
        var refresh = app.Services.GetRequiredService<ExchangeRateRefreshJob>();
        while (await refresh.StatusAsync(Ct) is not { } status || status.LastAttemptAt is null)
        {
            await Task.Delay(50, Ct);
        }

        return refresh;
    }

    private static IdentityAppFactory App(FakeEcb ecb) => new(new Dictionary<string, string>
    {
        ["Outbound:AllowedHosts:0"] = "127.0.0.1",
        ["ExchangeRates:ProviderUrl"] = ecb.Url.ToString(),
        ["Channels:SchedulerEnabled"] = "false",
        ["Channels:ExchangeRates:0:From"] = "EUR",
        ["Channels:ExchangeRates:0:To"] = "USD",
        ["Channels:ExchangeRates:0:Date"] = "2026-11-20",
        ["Channels:ExchangeRates:0:Rate"] = "1.25",
        ["Channels:ExchangeRates:0:Source"] = "configuration",
    });

    private static HttpRequestMessage StripeCharge(string chargeId)
    {
        var created = WebAppFactory.Now.AddMinutes(-5).ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_" + chargeId + "\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"created\":" + created
            + ",\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"" + chargeId + "\",\"object\":\"charge\",\"amount\":10000,\"amount_captured\":10000,"
            + "\"captured\":true,\"currency\":\"usd\",\"created\":" + created + ",\"paid\":true,\"status\":\"succeeded\",\"payment_intent\":\"pi_" + chargeId + "\"}}}");
        var timestamp = WebAppFactory.Now.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData("whsec_test_secret"u8, [.. Encoding.UTF8.GetBytes($"{timestamp}."), .. body]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe/globex/shop") { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={timestamp},v1={signature}");
        return request;
    }
}
