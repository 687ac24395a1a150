using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Forecasts;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Insights;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Alerts;

/// <summary>GET /api/tenants/{t}/stores/{s}/forecast and /insights over history fed through the real ingest path.</summary>
public sealed class StoreInsightsApiTests(AlertsAppFactory app) : IClassFixture<AlertsAppFactory>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_that_sells_the_same_every_day_is_on_pace_for_that_day_and_month()
    {
        // London (UTC in November), now 15:30 on the 25th. Every day: £50 orders at 09:00, 11:00, 13:00 and 17:00.
        var store = TestStore.London;
        var today = new DateOnly(2026, 11, 25);
        TimeOnly[] times = [new(9, 0), new(11, 0), new(13, 0), new(17, 0)];
        for (var day = today.AddDays(-40); day <= today; day = day.AddDays(1))
        {
            foreach (var t in times.Where(t => day < today || t < new TimeOnly(15, 30)))
            {
                await PlaceAsync(store, new DateTimeOffset(day.ToDateTime(t), TimeSpan.Zero), 50m);
            }
        }

        var forecast = await WaitForAsync(async () =>
        {
            var f = await app.CreateSignedInClient().GetFromJsonAsync<RevenueForecast>($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/forecast", Json, Ct);
            return f is { TodaySoFar: 150m, EndOfDay: not null, DaysOfHistory: 40 } ? f : null;
        });

        // Three of the day's four orders are in, which is the usual share by 15:30: on pace for exactly four.
        Assert.Equal(0.75m, forecast.ShareOfDayDone);
        Assert.Equal(200.00m, forecast.EndOfDay!.Estimate);
        Assert.True(forecast.EndOfDay.Low <= 200m && forecast.EndOfDay.High >= 200m && forecast.EndOfDay.Low >= 150m);

        // The month: 24 days of 200 before today, today's 200 and five more days of 200.
        Assert.Equal(24 * 200m + 150m, forecast.MonthToDate);
        Assert.Equal(30 * 200m, forecast.EndOfMonth!.Estimate);
        Assert.Equal(0d, forecast.Backtest!.Mape, 6);
        Assert.Contains(forecast.Model, new[] { "seasonal-naive", "seasonal-mean", "fasttree", "blend" });
        Assert.StartsWith("On pace for GBP 200.00 today (GBP ", forecast.Text, StringComparison.Ordinal);
        Assert.Contains("and GBP 6,000.00 this month", forecast.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revenue_falling_while_orders_hold_is_explained_by_order_value_with_its_figures()
    {
        // New York, now 10:30 local. Last week by 10:30: ten orders of $100; today by 10:30: ten orders of $50.
        var store = TestStore.NewYork;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);
        var localToday = TimeZoneInfo.ConvertTime(WebAppFactory.Now, zone).Date;
        for (var i = 0; i < 10; i++)
        {
            await PlaceAsync(store, new DateTimeOffset(localToday.AddDays(-7).AddHours(8).AddMinutes(10 * i), zone.GetUtcOffset(localToday.AddDays(-7))), 100m);
            await PlaceAsync(store, new DateTimeOffset(localToday.AddHours(8).AddMinutes(10 * i), zone.GetUtcOffset(localToday)), 50m);
        }

        // An order later in last week's day is not "the same time": it must not count.
        await PlaceAsync(store, new DateTimeOffset(localToday.AddDays(-7).AddHours(12), zone.GetUtcOffset(localToday.AddDays(-7))), 999m);

        var weekday = localToday.ToString("dddd", CultureInfo.InvariantCulture);
        var insights = await WaitForAsync(async () =>
        {
            var s = await app.CreateSignedInClient().GetFromJsonAsync<StoreInsights>($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/insights", Json, Ct);
            return s?.Insights.FirstOrDefault(i => i.Kind == "revenue-change") is { } found && found.Figures[0].Value == 500m ? s : null;
        });

        var revenue = Assert.Single(insights.Insights, i => i.Kind == "revenue-change");
        Assert.Equal(
            $"Revenue fell 50% against last {weekday} at this time (USD 500.00 against USD 1,000.00) while orders held (+0%): average order value dropped 50% to USD 50.00.",
            revenue.Text);
        Assert.Equal(new InsightFigure("Revenue", 500m, 1000m, "USD"), revenue.Figures[0]);
        Assert.Equal(new InsightFigure("Orders", 10m, 10m, "orders"), revenue.Figures[1]);
        Assert.Equal(new InsightFigure("Average order value", 50m, 100m, "USD"), revenue.Figures[2]);
        Assert.DoesNotContain(insights.Insights, i => i.Text.Contains("sell", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_channel_that_fell_and_an_ad_channel_paying_less_for_its_spend_are_said_with_their_figures()
    {
        // Berlin, now 16:30 local. By 10:00 last week: Amazon 10 x 40, the storefront 10 x 50 (6 of them from Facebook
        // ads), Facebook spend 100. By 10:00 today: Amazon 4 x 40, the storefront 10 x 50 (3 from Facebook), spend 112.
        var store = TestStore.Other;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.TimeZone);
        var localToday = TimeZoneInfo.ConvertTime(WebAppFactory.Now, zone).Date;
        DateTimeOffset Local(DateTime day, int minutes) => new(day.AddHours(8).AddMinutes(minutes), zone.GetUtcOffset(day));
        var lastWeek = localToday.AddDays(-7);
        for (var i = 0; i < 10; i++)
        {
            await PlaceAsync(store, Local(lastWeek, 10 * i), 40m, SalesChannel.Amazon);
            await PlaceAsync(store, Local(lastWeek, (10 * i) + 5), 50m, SalesChannel.Shopify, utmSource: i < 6 ? "facebook" : null);
            await PlaceAsync(store, Local(localToday, (10 * i) + 5), 50m, SalesChannel.Shopify, utmSource: i < 3 ? "facebook" : null);
        }

        for (var i = 0; i < 4; i++)
        {
            await PlaceAsync(store, Local(localToday, 10 * i), 40m, SalesChannel.Amazon);
        }

        await SpendAsync(store, Local(lastWeek, 1), 100m);
        await SpendAsync(store, Local(localToday, 1), 112m);

        var weekday = localToday.ToString("dddd", CultureInfo.InvariantCulture);
        var insights = await WaitForAsync(async () =>
        {
            var s = await app.CreateSignedInClient().GetFromJsonAsync<StoreInsights>($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/insights", Json, Ct);
            return s is not null && s.Insights.Any(i => i.Kind == "channel-change" && i.Figures[0].Value == 160m) && s.Insights.Any(i => i.Kind == "ad-channel") ? s : null;
        });

        // The figures are recomputed here from the orders placed above, not copied from the answer.
        var channel = Assert.Single(insights.Insights, i => i.Kind == "channel-change");
        Assert.Equal(new InsightFigure("Channel revenue", 4 * 40m, 10 * 40m, "EUR"), channel.Figures[0]);
        Assert.Equal(new InsightFigure("Channel orders", 4m, 10m, "orders"), channel.Figures[1]);
        Assert.Equal($"Revenue from Amazon fell 60% against last {weekday} at this time (EUR 160.00 against EUR 400.00, 4 orders against 10).", channel.Text);

        var ads = Assert.Single(insights.Insights, i => i.Kind == "ad-channel");
        Assert.Equal(new InsightFigure("Facebook Ads last-touch revenue", 3 * 50m, 6 * 50m, "EUR"), ads.Figures[0]);
        Assert.Equal(new InsightFigure("Facebook Ads spend", 112m, 100m, "EUR"), ads.Figures[1]);
        Assert.Equal(new InsightFigure("Facebook Ads return on spend", Math.Round(150m / 112m, 2), 3.00m, "x"), ads.Figures[2]);
        // The one campaign, named as the ad platform reported it, with its own spend.
        Assert.Equal(new InsightFigure("Campaign 'Autumn Sale' spend", 112m, 100m, "EUR"), ads.Figures[3]);
        Assert.Equal(
            $"Revenue from Facebook Ads visits fell 50% against last {weekday} at this time (EUR 150.00 against EUR 300.00) while spend rose 12% "
                + "(EUR 112.00 against EUR 100.00): each EUR 1 of spend brought EUR 1.34 against 3.00 — check campaign 'Autumn Sale' "
                + "(spend EUR 112.00 against EUR 100.00).",
            ads.Text);
    }

    [Fact]
    public async Task Unknown_store_is_a_404_problem()
    {
        var client = app.CreateSignedInClient();
        foreach (var path in new[] { "/api/tenants/acme/stores/nowhere/forecast", "/api/tenants/acme/stores/nowhere/insights" })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private int _orders;

    private async Task SpendAsync(TestStore store, DateTimeOffset at, decimal spend)
    {
        var id = $"{store.StoreId}-spend-{Interlocked.Increment(ref _orders)}";
        var ingest = app.Services.GetRequiredService<ICommerceEventIngest>();
        Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(new AdSpendRecorded
        {
            Store = new StoreRef(store.TenantId, store.StoreId),
            Channel = SalesChannel.FacebookAds,
            EventId = id,
            OccurredAt = at,
            StoreTimeZone = store.TimeZone,
            Currency = store.Currency,
            CampaignId = "facebook:autumn",
            CampaignName = "Autumn Sale",
            Spend = spend,
        }, Ct));
    }

    private async Task PlaceAsync(TestStore store, DateTimeOffset at, decimal total, SalesChannel channel = SalesChannel.Shopify, string? utmSource = null)
    {
        var id = $"{store.StoreId}-{Interlocked.Increment(ref _orders)}";
        var ingest = app.Services.GetRequiredService<ICommerceEventIngest>();
        Assert.Equal(IngestOutcome.Accepted, await ingest.IngestAsync(new OrderPlaced
        {
            Store = new StoreRef(store.TenantId, store.StoreId),
            Channel = channel,
            UtmSource = utmSource,
            EventId = id,
            OccurredAt = at,
            StoreTimeZone = store.TimeZone,
            Currency = store.Currency,
            OrderId = id,
            PlacedAt = at,
            Version = at,
            TotalPrice = total,
            Lines = [new OrderLine("MUG", "Mug", 1, total)],
        }, Ct));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for history");
            await Task.Delay(200, Ct);
        }
    }
}
