using System.Net;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.GoogleAds;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Pollers;

public sealed class FacebookInsightsPollerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Rows shaped as the Marketing API "Insights" reference shows them: numbers as strings, date_start/date_stop per day.</summary>
    private static string Page(string spend, string? next) =>
        "{\"data\":[{\"campaign_id\":\"23843\",\"campaign_name\":\"Black Friday\",\"spend\":\"" + spend
        + "\",\"clicks\":\"40\",\"impressions\":\"1200\",\"account_currency\":\"USD\",\"date_start\":\"2026-11-25\",\"date_stop\":\"2026-11-25\"}],"
        + "\"paging\":{\"cursors\":{\"before\":\"MAZDZD\",\"after\":\"MjQZD\"}" + (next is null ? string.Empty : ",\"next\":\"" + next + "\"") + "}}";

    private const string SecondPage = """{"data":[{"campaign_id":"23844","campaign_name":"Retargeting","spend":"5.50","clicks":"3","impressions":"300","account_currency":"USD","date_start":"2026-11-24","date_stop":"2026-11-24"}],"paging":{"cursors":{"before":"a","after":"b"}}}""";

    private static FacebookInsightsPoller Poller(FakeChannel channel, ICursorStore cursors, TimeProvider clock) =>
        new(channel.Client(), new StaticAccessToken("EAAB-token"),
            new FacebookAdsSettings(new Uri("https://graph.facebook.com"), "v21.0", "1234567890", "America/New_York", new DateOnly(2026, 11, 24)),
            TestStores.UsShop, cursors, clock);

    [Fact]
    public async Task Spend_per_campaign_and_day_is_published_once_and_only_its_growth_later()
    {
        var cursors = new MemoryCursors();
        var sink = new CollectingSink();
        var first = new FakeChannel()
            .On(r => r.Uri.Query.Contains("after=MjQZD", StringComparison.Ordinal), _ => FakeChannel.Json(SecondPage))
            .On(r => r.Uri.AbsolutePath.EndsWith("/insights", StringComparison.Ordinal), _ => FakeChannel.Json(Page("12.34", "https://graph.facebook.com/v21.0/act_1234567890/insights?after=MjQZD")));

        var outcome = await Poller(first, cursors, new SteppingClock(Now)).PollAsync(sink, Ct);
        var again = new FakeChannel().On(r => r.Uri.Query.Contains("after=MjQZD", StringComparison.Ordinal), _ => FakeChannel.Json(SecondPage))
            .On(_ => true, _ => FakeChannel.Json(Page("20.00", "https://graph.facebook.com/v21.0/act_1234567890/insights?after=MjQZD")));
        var later = await Poller(again, cursors, new SteppingClock(Now.AddHours(1))).PollAsync(sink, Ct);

        Assert.Equal(2, outcome.Pages);
        Assert.Equal(2, outcome.EventsPublished);
        Assert.Equal(1, later.EventsPublished);
        var spends = sink.Events.Cast<AdSpendRecorded>().ToList();
        Assert.Equal(20.00m + 5.50m, spends.Sum(s => s.Spend));
        Assert.Equal(7.66m, spends[^1].Spend);
        Assert.Equal(0, spends[^1].Clicks);
        Assert.Equal("facebook:23843", spends[0].CampaignId);
        Assert.Equal(["Black Friday", "Retargeting", "Black Friday"], spends.Select(s => s.CampaignName));
        Assert.Equal("Bearer EAAB-token", first.Seen.First().Headers["Authorization"]);
    }

    [Fact]
    public async Task Throttling_error_17_waits_the_business_use_case_time_to_regain_access()
    {
        var clock = new SteppingClock(Now);
        var channel = new FakeChannel().On(_ => true,
            _ =>
            {
                var response = FakeChannel.Json("""{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17,"error_subcode":2446079,"fbtrace_id":"A1"}}""", HttpStatusCode.BadRequest);
                response.Headers.TryAddWithoutValidation("x-business-use-case-usage", """{"1234567890":[{"type":"ads_insights","call_count":100,"total_cputime":30,"total_time":40,"estimated_time_to_regain_access":1}]}""");
                return response;
            },
            _ => FakeChannel.Json(Page("1.00", null)));

        var outcome = await Poller(channel, new MemoryCursors(), clock).PollAsync(new CollectingSink(), Ct);

        Assert.Equal(1, outcome.EventsPublished);
        Assert.Equal([TimeSpan.FromMinutes(1)], clock.Waits);
    }

    [Fact]
    public async Task Expired_session_error_190_is_a_credentials_error()
    {
        var channel = new FakeChannel().On(_ => true,
            _ => FakeChannel.Json("""{"error":{"message":"Error validating access token: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A2"}}""", HttpStatusCode.BadRequest));

        var error = await Assert.ThrowsAsync<ChannelAuthException>(() => Poller(channel, new MemoryCursors(), new SteppingClock(Now)).PollAsync(new CollectingSink(), Ct));

        Assert.Contains("Session has expired", error.Message, StringComparison.Ordinal);
    }
}

public sealed class Ga4TrafficPollerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A RunReportResponse as the GA4 Data API reference shows it: headers, rows of string values, rowCount.</summary>
    private static string Report(string rows, int rowCount) => $$"""
        {"dimensionHeaders":[{"name":"dateHour"},{"name":"sessionSource"}],
         "metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"},{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
         "rows":[{{rows}}],"rowCount":{{rowCount}},"metadata":{"currencyCode":"USD","timeZone":"America/New_York"},"kind":"analyticsData#runReport"}
        """;

    private static string Row(string hour, string source, int sessions, int users, string conversions) =>
        $$"""{"dimensionValues":[{"value":"{{hour}}"},{"value":"{{source}}"}],"metricValues":[{"value":"{{sessions}}"},{"value":"{{users}}"},{"value":"{{conversions}}"}]}""";

    private static Ga4TrafficPoller Poller(FakeChannel channel, ICursorStore cursors) =>
        new(new ChannelHttp(channel.Client(), new SteppingClock(Now)),
            new RefreshTokenSource(channel.Client(), new Uri("https://oauth2.googleapis.com/token"), "id.apps.googleusercontent.com", "secret", "1//refresh", new SteppingClock(Now)),
            new Ga4Settings(new Uri("https://analyticsdata.googleapis.com"), "123456789", "America/New_York", new DateOnly(2026, 11, 25)),
            TestStores.UsShop, cursors, new SteppingClock(Now));

    /// <summary>The daily users report (date, sessionSource, sessionMedium) in the same RunReportResponse shape.</summary>
    private static string Daily(params (string Date, string Source, string Medium, int Users, int Active, int Sessions, string Conversions)[] rows) => $$"""
        {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"},{"name":"sessionMedium"}],
         "metricHeaders":[{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"activeUsers","type":"TYPE_INTEGER"},{"name":"sessions","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
         "rows":[{{string.Join(",", rows.Select(r => $$$"""{"dimensionValues":[{"value":"{{{r.Date}}}"},{"value":"{{{r.Source}}}"},{"value":"{{{r.Medium}}}"}],"metricValues":[{"value":"{{{r.Users}}}"},{"value":"{{{r.Active}}}"},{"value":"{{{r.Sessions}}}"},{"value":"{{{r.Conversions}}}"}]}"""))}}],
         "rowCount":{{rows.Length}},"metadata":{"currencyCode":"USD","timeZone":"America/New_York"},"kind":"analyticsData#runReport"}
        """;

    private static FakeChannel Google(string? daily = null) => new FakeChannel()
        .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.a0","expires_in":3599,"token_type":"Bearer"}"""))
        .On(r => r.Body.Contains("sessionMedium", StringComparison.Ordinal), _ => FakeChannel.Json(daily ?? Daily(
            ("20261125", "google", "cpc", 2, 2, 3, "1.0"), ("20261125", "(direct)", "(none)", 2, 1, 2, "0"), ("20261125", "facebook.com", "referral", 1, 1, 1, "0"))))
        .On(r => r.Body.Contains("\"offset\":\"2\"", StringComparison.Ordinal), _ => FakeChannel.Json(Report(Row("2026112510", "facebook.com", 1, 1, "0"), 3)))
        .On(r => r.Uri.AbsolutePath.EndsWith(":runReport", StringComparison.Ordinal),
            _ => FakeChannel.Json(Report(Row("2026112509", "google", 3, 2, "1.0") + "," + Row("2026112509", "(direct)", 2, 2, "0"), 3)));

    [Fact]
    public async Task Sessions_by_hour_and_source_become_session_events_across_pages()
    {
        var sink = new CollectingSink();

        var outcome = await Poller(Google(), new MemoryCursors()).PollAsync(sink, Ct);

        Assert.Equal(3, outcome.Pages);
        Assert.Equal(9, outcome.EventsPublished);
        var sessions = sink.Events.OfType<SessionStarted>().ToList();
        Assert.Equal(6, sessions.Count);
        Assert.Equal(3, sessions.Count(s => s.Source == "google"));
        Assert.Equal(1, sessions.Count(s => s.Converted));
        // 09:00 in New York is 14:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 14, 0, 0, TimeSpan.Zero), sessions.Min(s => s.OccurredAt));
        Assert.Contains("5 user(s)", outcome.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rereading_the_same_hours_adds_no_session_twice()
    {
        var sink = new CollectingSink();
        var cursors = new MemoryCursors();

        await Poller(Google(), cursors).PollAsync(sink, Ct);
        var again = await Poller(Google(), cursors).PollAsync(sink, Ct);

        Assert.Equal(0, again.EventsPublished);
        Assert.Equal(9, sink.Events.Count);
    }

    [Fact]
    public async Task Daily_users_sessions_and_conversions_per_source_become_traffic_figures_and_a_revision_is_a_new_reading()
    {
        var sink = new CollectingSink();
        var cursors = new MemoryCursors();

        await Poller(Google(), cursors).PollAsync(sink, Ct);
        var revised = await Poller(Google(Daily(("20261125", "google", "cpc", 4, 3, 5, "2.5"), ("20261125", "(direct)", "(none)", 2, 1, 2, "0"),
            ("20261125", "facebook.com", "referral", 1, 1, 1, "0"))), cursors).PollAsync(sink, Ct);

        var traffic = sink.Events.OfType<TrafficReported>().ToList();
        Assert.Equal(4, traffic.Count);
        Assert.Equal(1, revised.EventsPublished);
        var google = traffic.Where(t => t.Source == "google").OrderBy(t => t.Users).ToList();
        Assert.Equal((2L, 2L, 3L, 1.0m), (google[0].Users, google[0].ActiveUsers, google[0].Sessions, google[0].Conversions));
        Assert.Equal((4L, 3L, 5L, 2.5m, "cpc"), (google[1].Users, google[1].ActiveUsers, google[1].Sessions, google[1].Conversions, google[1].Medium));
        Assert.Equal(new DateOnly(2026, 11, 25), google[1].Day);
        // Midnight in New York is 05:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero), google[1].OccurredAt);
        Assert.All(traffic, t => Assert.Equal(SalesChannel.GoogleAnalytics, t.Channel));
    }

    [Fact]
    public async Task Report_without_the_requested_metric_is_a_readable_error()
    {
        var channel = new FakeChannel()
            .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.a0","expires_in":3599}"""))
            .On(_ => true, _ => FakeChannel.Json("""{"dimensionHeaders":[{"name":"dateHour"},{"name":"sessionSource"}],"metricHeaders":[{"name":"sessions"}],"rowCount":0}"""));

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => Poller(channel, new MemoryCursors()).PollAsync(new CollectingSink(), Ct));

        Assert.Contains("totalUsers", error.Message, StringComparison.Ordinal);
    }
}

public sealed class GoogleAdsSpendPollerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    /// <summary>SearchGoogleAdsResponse as the Google Ads REST reference shows it: int64 values as strings, camelCase fields.</summary>
    private const string FirstPage = """
        {"results":[{"customer":{"resourceName":"customers/1234567890","currencyCode":"USD"},"campaign":{"resourceName":"customers/1234567890/campaigns/111","name":"Search - Brand","id":"111"},
          "metrics":{"clicks":"25","costMicros":"12340000","impressions":"800"},"segments":{"date":"2026-11-25"}}],
         "nextPageToken":"CPa1","fieldMask":"customer.currencyCode,campaign.id,campaign.name,metrics.costMicros,metrics.clicks,metrics.impressions,segments.date"}
        """;

    private const string SecondPage = """
        {"results":[{"customer":{"resourceName":"customers/1234567890","currencyCode":"USD"},"campaign":{"resourceName":"customers/1234567890/campaigns/222","name":"Shopping","id":"222"},
          "metrics":{"clicks":"4","costMicros":"990000","impressions":"90"},"segments":{"date":"2026-11-24"}}]}
        """;

    [Fact]
    public async Task Cost_micros_per_campaign_and_day_become_spend_across_pages()
    {
        var channel = new FakeChannel()
            .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.ads","expires_in":3599}"""))
            .On(r => r.Body.Contains("\"pageToken\":\"CPa1\"", StringComparison.Ordinal), _ => FakeChannel.Json(SecondPage))
            .On(r => r.Uri.AbsolutePath == "/v18/customers/1234567890/googleAds:search", _ => FakeChannel.Json(FirstPage));
        var clock = new SteppingClock(Now);
        var poller = new GoogleAdsSpendPoller(new ChannelHttp(channel.Client(), clock),
            new RefreshTokenSource(channel.Client(), new Uri("https://oauth2.googleapis.com/token"), "id", "secret", "1//r", clock),
            new GoogleAdsSettings(new Uri("https://googleads.googleapis.com"), "v18", "1234567890", "9876543210", "dev-token-abc", "America/New_York", new DateOnly(2026, 11, 24)),
            TestStores.UsShop, new MemoryCursors(), clock);
        var sink = new CollectingSink();

        var outcome = await poller.PollAsync(sink, TestContext.Current.CancellationToken);

        Assert.Equal(2, outcome.EventsPublished);
        var spends = sink.Events.Cast<AdSpendRecorded>().ToList();
        Assert.Equal([12.34m, 0.99m], spends.Select(s => s.Spend));
        Assert.Equal(25, spends[0].Clicks);
        Assert.Equal("googleads:111", spends[0].CampaignId);
        Assert.Equal(["Search - Brand", "Shopping"], spends.Select(s => s.CampaignName));
        var search = channel.Seen.First(r => r.Uri.AbsolutePath.EndsWith(":search", StringComparison.Ordinal));
        Assert.Equal("dev-token-abc", search.Headers["developer-token"]);
        Assert.Equal("9876543210", search.Headers["login-customer-id"]);
        Assert.Contains("segments.date BETWEEN '2026-11-24' AND '2026-11-25'", System.Text.Json.Nodes.JsonNode.Parse(search.Body)!["query"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

public sealed class ShopifyBackfillPollerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Orders_are_read_through_link_pagination_after_waiting_out_a_429()
    {
        // Page 1 is Shopify's own orders.json fixture; page 2 is an empty list, reached through the Link header.
        var fixture = File.ReadAllText(SharedFiles.Shared("fixtures", "shopify", "orders.json"));
        var channel = new FakeChannel()
            .On(r => r.Uri.Query.Contains("page_info=hijgklmn", StringComparison.Ordinal), _ => FakeChannel.Json("""{"orders":[]}"""))
            .On(r => r.Uri.AbsolutePath == "/admin/api/2024-10/orders.json",
                _ => FakeChannel.Throttled("2.0"),
                _ =>
                {
                    var response = FakeChannel.Json(fixture);
                    response.Headers.TryAddWithoutValidation("Link", "<https://acme-us.myshopify.com/admin/api/2024-10/orders.json?limit=250&page_info=hijgklmn>; rel=\"next\"");
                    return response;
                });
        var clock = new SteppingClock(Now);
        var cursors = new MemoryCursors();
        var poller = new ShopifyBackfillPoller(new ChannelHttp(channel.Client(), clock), new StaticAccessToken("shpat_123"),
            new ShopifyAdminSettings(new Uri("https://acme-us.myshopify.com"), "2024-10", new DateTimeOffset(2008, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            TestStores.UsShop, cursors);
        var sink = new CollectingSink();

        var outcome = await poller.PollAsync(sink, TestContext.Current.CancellationToken);

        Assert.Equal(2, outcome.Pages);
        var order = Assert.IsType<OrderUpdated>(Assert.Single(sink.Events));
        Assert.Equal("450789469", order.OrderId);
        Assert.Equal(598.94m, order.TotalPrice);
        Assert.Equal([TimeSpan.FromSeconds(2)], clock.Waits);
        Assert.All(channel.Seen, r => Assert.Equal("shpat_123", r.Headers["X-Shopify-Access-Token"]));
        Assert.Contains("2008-01-10T16:00:00", cursors.Saved.Values.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_access_token_is_a_credentials_error()
    {
        var channel = new FakeChannel().On(_ => true,
            _ => FakeChannel.Json("""{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}""", HttpStatusCode.Unauthorized));
        var poller = new ShopifyBackfillPoller(new ChannelHttp(channel.Client(), new SteppingClock(Now)), new StaticAccessToken("shpat_revoked"),
            new ShopifyAdminSettings(new Uri("https://acme-us.myshopify.com"), "2024-10", Now.AddDays(-1)), TestStores.UsShop, new MemoryCursors());

        var error = await Assert.ThrowsAsync<ChannelAuthException>(() => poller.TestConnectionAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Invalid API key or access token", error.Message, StringComparison.Ordinal);
    }
}
