using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Web.Channels;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.ChannelInsights;

/// <summary>
/// GA4 connected through the channels API and synced against a local server answering runReport as the Data API
/// reference shows it: users, sessions and conversion rate per source must reach channel insight through the engine and history.
/// </summary>
public sealed class TrafficInsightTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Hourly = """
        {"dimensionHeaders":[{"name":"dateHour"},{"name":"sessionSource"}],
         "metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"},{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
         "rows":[{"dimensionValues":[{"value":"2026112309"},{"value":"google"}],"metricValues":[{"value":"4"},{"value":"3"},{"value":"1"}]}],
         "rowCount":1,"kind":"analyticsData#runReport"}
        """;

    // Two days of google / cpc (40+60 users, 50+70 sessions, 2+5 conversions), a day of google / organic and of (direct) / (none).
    private const string Daily = """
        {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"},{"name":"sessionMedium"}],
         "metricHeaders":[{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"activeUsers","type":"TYPE_INTEGER"},{"name":"sessions","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
         "rows":[
          {"dimensionValues":[{"value":"20261122"},{"value":"google"},{"value":"cpc"}],"metricValues":[{"value":"40"},{"value":"30"},{"value":"50"},{"value":"2"}]},
          {"dimensionValues":[{"value":"20261123"},{"value":"google"},{"value":"cpc"}],"metricValues":[{"value":"60"},{"value":"45"},{"value":"70"},{"value":"5"}]},
          {"dimensionValues":[{"value":"20261123"},{"value":"google"},{"value":"organic"}],"metricValues":[{"value":"25"},{"value":"20"},{"value":"30"},{"value":"0"}]},
          {"dimensionValues":[{"value":"20261123"},{"value":"(direct)"},{"value":"(none)"}],"metricValues":[{"value":"10"},{"value":"8"},{"value":"12"},{"value":"1"}]}],
         "rowCount":4,"kind":"analyticsData#runReport"}
        """;

    [Fact]
    public async Task Ga4_users_sessions_and_conversion_rate_per_source_show_in_channel_insight()
    {
        await using var app = new ChannelsAppFactory();
        app.Upstream.On("oauth2.googleapis.com/token", _ => FakeUpstream.Json("""{"access_token":"ya29.a0","expires_in":3599,"token_type":"Bearer"}"""));
        app.Upstream.On("analyticsdata.googleapis.com/v1beta/properties/123456789:runReport", request =>
            FakeUpstream.Json(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult().Contains("sessionMedium", StringComparison.Ordinal) ? Daily : Hourly));
        var client = app.CreateSignedInClient();
        using var put = await client.PutAsJsonAsync("/api/tenants/acme/stores/us-shop/channels/googleanalytics", new ChannelConnectionRequest(true,
            new() { ["propertyId"] = "123456789", ["timeZone"] = "America/New_York", ["since"] = "2026-11-20" },
            new() { ["clientId"] = "id.apps.googleusercontent.com", ["clientSecret"] = "secret", ["refreshToken"] = "1//refresh" }, null), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var sync = await client.PostAsync("/api/tenants/acme/stores/us-shop/channels/googleanalytics/sync", null, Ct);
        var status = await sync.Content.ReadAsStringAsync(Ct);
        Assert.True(sync.IsSuccessStatusCode, status);
        await app.FlushHistoryAsync();
        var report = JsonDocument.Parse(await client.GetStringAsync("/api/tenants/acme/insights/channels?period=last7", Ct)).RootElement;

        var traffic = report.GetProperty("traffic").EnumerateArray().ToList();
        Assert.Equal(["GoogleAds", "google", "direct"], traffic.Select(t => t.GetProperty("touch").GetString()));
        var ads = traffic[0];
        Assert.Equal((100L, 75L, 120L, 7m, 0.0583m), (ads.GetProperty("users").GetInt64(), ads.GetProperty("activeUsers").GetInt64(),
            ads.GetProperty("sessions").GetInt64(), ads.GetProperty("conversions").GetDecimal(), ads.GetProperty("conversionRate").GetDecimal()));
        Assert.Equal((25L, 0m), (traffic[1].GetProperty("users").GetInt64(), traffic[1].GetProperty("conversionRate").GetDecimal()));
        Assert.Equal(["(direct) / (none)"], traffic[2].GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
    }
}
