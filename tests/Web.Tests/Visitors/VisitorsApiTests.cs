using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Web.Channels;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Visitors;

namespace SalesDash.Web.Tests.Visitors;

/// <summary>
/// GA4 realtime visitors, sources and conversion over HTTP: the ga4-realtime job reads a fake GA4 that answers only the
/// documented request bodies, once per property however many stores share it, and the API puts the reading beside the
/// store's orders from history. The frozen clock is 15:30 in London on Wednesday 25 November 2026.
/// </summary>
public sealed class VisitorsApiTests : IAsyncDisposable
{
    private const string Property = "555000111";
    private readonly VisitorsHost app = new();
    private readonly ConcurrentQueue<string> realtimeBodies = new();

    public VisitorsApiTests()
    {
        app.Upstream.On("oauth2.googleapis.com/token", _ => FakeUpstream.Json("""{"access_token":"ya29.v","expires_in":3599,"token_type":"Bearer"}"""));
        app.Upstream.On($"analyticsdata.googleapis.com/v1beta/properties/{Property}:runRealtimeReport", request =>
        {
            var body = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            realtimeBodies.Enqueue(body);
            if (request.Headers.Authorization?.Parameter != "ya29.v")
            {
                return FakeUpstream.Json("""{"error":{"code":401,"status":"UNAUTHENTICATED"}}""", System.Net.HttpStatusCode.Unauthorized);
            }

            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("minuteRanges", out var ranges) && ranges.GetArrayLength() == 2)
            {
                return FakeUpstream.Json("""
                    {"dimensionHeaders":[{"name":"dateRange"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
                     "rows":[{"dimensionValues":[{"value":"last5"}],"metricValues":[{"value":"7"}]},{"dimensionValues":[{"value":"last30"}],"metricValues":[{"value":"19"}]}],
                     "rowCount":2,"kind":"analyticsData#runRealtimeReport"}
                    """);
            }

            return json.RootElement.TryGetProperty("dimensions", out var d) && d[0].GetProperty("name").GetString() == "minutesAgo"
                ? FakeUpstream.Json("""
                    {"dimensionHeaders":[{"name":"minutesAgo"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
                     "rows":[{"dimensionValues":[{"value":"00"}],"metricValues":[{"value":"3"}]},{"dimensionValues":[{"value":"02"}],"metricValues":[{"value":"5"}]}],
                     "rowCount":2,"kind":"analyticsData#runRealtimeReport"}
                    """)
                : FakeUpstream.Json("""{"error":{"code":400,"status":"INVALID_ARGUMENT"}}""", System.Net.HttpStatusCode.BadRequest);
        });
        app.Upstream.On($"analyticsdata.googleapis.com/v1beta/properties/{Property}:runReport", _ => FakeUpstream.Json("""
            {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"}],"metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"}],
             "rows":[{"dimensionValues":[{"value":"20261125"},{"value":"google"}],"metricValues":[{"value":"60"}]},
                     {"dimensionValues":[{"value":"20261125"},{"value":"(direct)"}],"metricValues":[{"value":"40"}]},
                     {"dimensionValues":[{"value":"20261118"},{"value":"google"}],"metricValues":[{"value":"50"}]}],
             "rowCount":3,"kind":"analyticsData#runReport"}
            """));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task ConnectAsync(string storeId, bool enabled = true)
    {
        var connections = app.Services.GetRequiredService<IChannelConnectionStore>();
        await connections.UpsertAsync(new ChannelConnection(new StoreRef("acme", storeId), SalesChannel.GoogleAnalytics, enabled,
            new Dictionary<string, string> { ["propertyId"] = Property, ["timeZone"] = "Europe/London" },
            new Dictionary<string, string> { ["clientId"] = "id", ["clientSecret"] = "secret", ["refreshToken"] = "1//r" },
            TimeSpan.FromHours(1), app.Clock.GetUtcNow()), Ct);
    }

    private Task PollAsync() => ((VisitorsPollJob)app.Services.GetServices<IClusterJob>().Single(j => j.Name == "ga4-realtime")).PollAllAsync(Ct);

    private async Task<JsonElement> VisitorsAsync(string storeId) =>
        await app.CreateSignedInClient().GetFromJsonAsync<JsonElement>($"/api/tenants/acme/stores/{storeId}/visitors", Ct);

    private static OrderPlaced Order(string id, DateTimeOffset placedAt) => new()
    {
        Store = new StoreRef("acme", "uk-shop"),
        Channel = SalesChannel.Shopify,
        EventId = id,
        OccurredAt = placedAt,
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        OrderId = id,
        PlacedAt = placedAt,
        Version = placedAt,
        TotalPrice = 10m,
        Lines = [new OrderLine("SKU", "Thing", 1, 10m)],
        CountryCode = "GB",
    };

    [Fact]
    public async Task Without_an_enabled_analytics_connection_the_store_says_not_connected()
    {
        await ConnectAsync("us-shop", enabled: false);
        await PollAsync();

        Assert.False((await VisitorsAsync("uk-shop")).GetProperty("connected").GetBoolean());
        Assert.False((await VisitorsAsync("us-shop")).GetProperty("connected").GetBoolean());
        Assert.Empty(realtimeBodies);
    }

    [Fact]
    public async Task Visitors_sources_and_conversion_today_against_last_week_come_from_one_poll_per_property()
    {
        await ConnectAsync("uk-shop");
        await ConnectAsync("us-shop");
        var now = app.Clock.GetUtcNow();
        var batch = new HistoryBatch();
        // Three orders today, one yesterday (not counted), two on Wednesday last week.
        foreach (var order in new[]
                 {
                     Order("t-1", now.AddHours(-5)), Order("t-2", now.AddHours(-1)), Order("t-3", now.AddMinutes(-2)), Order("y-1", now.AddDays(-1)),
                     Order("w-1", now.AddDays(-7).AddHours(-10)), Order("w-2", now.AddDays(-7).AddHours(5)),
                 })
        {
            batch.Add(order);
        }

        await app.Services.GetRequiredService<IHistoryStore>().WriteFactsAsync(batch, Ct);

        await PollAsync();

        // Two realtime calls (the two minute windows, then minute by minute) for the property, not two per store.
        Assert.Equal(2, realtimeBodies.Count);
        var view = await VisitorsAsync("uk-shop");
        Assert.True(view.GetProperty("connected").GetBoolean());
        Assert.Equal("Google Analytics 4", view.GetProperty("source").GetString());
        Assert.Equal(now, view.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal((7L, 19L), (view.GetProperty("visitorsLast5Minutes").GetInt64(), view.GetProperty("visitorsLast30Minutes").GetInt64()));
        Assert.Equal([3L, 0L, 5L], view.GetProperty("activeUsersPerMinute").EnumerateArray().Take(3).Select(v => v.GetInt64()));
        Assert.Equal(100, view.GetProperty("sessionsToday").GetInt64());
        Assert.Equal(["google:60", "(direct):40"], view.GetProperty("sources").EnumerateArray()
            .Select(s => $"{s.GetProperty("source").GetString()}:{s.GetProperty("sessions").GetInt64()}"));
        var today = view.GetProperty("conversion").GetProperty("today");
        var lastWeek = view.GetProperty("conversion").GetProperty("sameDayLastWeek");
        Assert.Equal(("2026-11-25", 3L, 100L, 0.03m), (today.GetProperty("day").GetString(), today.GetProperty("orders").GetInt64(),
            today.GetProperty("sessions").GetInt64(), today.GetProperty("rate").GetDecimal()));
        Assert.Equal(("2026-11-18", 2L, 50L, 0.04m), (lastWeek.GetProperty("day").GetString(), lastWeek.GetProperty("orders").GetInt64(),
            lastWeek.GetProperty("sessions").GetInt64(), lastWeek.GetProperty("rate").GetDecimal()));

        // The other store on the same property got the same reading, with its own (no) orders.
        var other = await VisitorsAsync("us-shop");
        Assert.Equal(19L, other.GetProperty("visitorsLast30Minutes").GetInt64());
        Assert.Equal(0L, other.GetProperty("conversion").GetProperty("today").GetProperty("orders").GetInt64());
    }

    [Fact]
    public async Task A_failed_read_keeps_the_last_figures_and_says_why()
    {
        await ConnectAsync("uk-shop");
        await PollAsync();
        app.Upstream.On("oauth2.googleapis.com/token", _ => FakeUpstream.Json("""{"error":"invalid_grant","error_description":"Token has been expired or revoked."}""", System.Net.HttpStatusCode.BadRequest));
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await PollAsync();

        var view = await VisitorsAsync("uk-shop");
        Assert.Equal(WebAppFactory.Now, view.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(19L, view.GetProperty("visitorsLast30Minutes").GetInt64());
        Assert.False(string.IsNullOrEmpty(view.GetProperty("error").GetString()));
    }
}

/// <summary>The shared host with GA4 answered by a fake upstream and the scheduled realtime read off (the tests read on demand).</summary>
internal sealed class VisitorsHost() : SalesDashHost(new SalesDashHostOptions { Settings = new Dictionary<string, string> { ["Visitors:PollEnabled"] = "false" } })
{
    public FakeUpstream Upstream { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Upstream);
}
