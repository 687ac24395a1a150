using System.Text.Json;
using SalesDash.Connectors.GoogleAnalytics;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Tests.Support;

namespace SalesDash.Connectors.Tests.Pollers;

/// <summary>
/// The realtime reader against a fake GA4 written from the documented request and response shapes
/// (properties.runRealtimeReport, properties.runReport): the fake answers only a request whose body asks what the
/// reader must ask, and answers anything else as GA4 does a bad request (400 INVALID_ARGUMENT).
/// </summary>
public sealed class Ga4RealtimeReaderTests
{
    // 10:30 in New York: today there is 25 November, the same weekday last week 18 November.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Property = "123456789";

    private static string Windows(long last5, long last30) => $$"""
        {"dimensionHeaders":[{"name":"dateRange"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
         "rows":[{"dimensionValues":[{"value":"last5"}],"metricValues":[{"value":"{{last5}}"}]},
                 {"dimensionValues":[{"value":"last30"}],"metricValues":[{"value":"{{last30}}"}]}],
         "rowCount":2,"kind":"analyticsData#runRealtimeReport"}
        """;

    private static string Minutes(params (string Minute, long Users)[] rows) => $$"""
        {"dimensionHeaders":[{"name":"minutesAgo"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
         "rows":[{{string.Join(",", rows.Select(r => $$$"""{"dimensionValues":[{"value":"{{{r.Minute}}}"}],"metricValues":[{"value":"{{{r.Users}}}"}]}"""))}}],
         "rowCount":{{rows.Length}},"kind":"analyticsData#runRealtimeReport"}
        """;

    private static string Sessions(int rowCount, params (string Date, string Source, long Sessions)[] rows) => $$"""
        {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"}],"metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"}],
         "rows":[{{string.Join(",", rows.Select(r => $$$"""{"dimensionValues":[{"value":"{{{r.Date}}}"},{"value":"{{{r.Source}}}"}],"metricValues":[{"value":"{{{r.Sessions}}}"}]}"""))}}],
         "rowCount":{{rowCount}},"metadata":{"timeZone":"America/New_York"},"kind":"analyticsData#runReport"}
        """;

    private static readonly HttpResponseMessage BadRequest = FakeChannel.Json(
        """{"error":{"code":400,"message":"Invalid request","status":"INVALID_ARGUMENT"}}""", System.Net.HttpStatusCode.BadRequest);

    private static bool IsWindows(SeenRequest r)
    {
        using var body = JsonDocument.Parse(r.Body);
        var root = body.RootElement;
        return r.Uri.AbsolutePath == $"/v1beta/properties/{Property}:runRealtimeReport"
            && !root.TryGetProperty("dimensions", out _)
            && root.GetProperty("metrics")[0].GetProperty("name").GetString() == "activeUsers"
            && root.GetProperty("minuteRanges").GetArrayLength() == 2
            && root.GetProperty("minuteRanges")[0].GetProperty("name").GetString() == "last5"
            && root.GetProperty("minuteRanges")[0].GetProperty("startMinutesAgo").GetInt32() == 4
            && root.GetProperty("minuteRanges")[0].GetProperty("endMinutesAgo").GetInt32() == 0
            && root.GetProperty("minuteRanges")[1].GetProperty("name").GetString() == "last30"
            && root.GetProperty("minuteRanges")[1].GetProperty("startMinutesAgo").GetInt32() == 29;
    }

    private static bool IsMinutes(SeenRequest r)
    {
        using var body = JsonDocument.Parse(r.Body);
        var root = body.RootElement;
        return r.Uri.AbsolutePath == $"/v1beta/properties/{Property}:runRealtimeReport"
            && root.TryGetProperty("dimensions", out var dimensions) && dimensions[0].GetProperty("name").GetString() == "minutesAgo"
            && root.GetProperty("metrics")[0].GetProperty("name").GetString() == "activeUsers";
    }

    private static bool IsSessions(SeenRequest r, string offset)
    {
        using var body = JsonDocument.Parse(r.Body);
        var root = body.RootElement;
        var range = root.GetProperty("dateRanges")[0];
        var days = root.GetProperty("dimensionFilter").GetProperty("filter").GetProperty("inListFilter").GetProperty("values")
            .EnumerateArray().Select(v => v.GetString()).Order(StringComparer.Ordinal).ToArray();
        return r.Uri.AbsolutePath == $"/v1beta/properties/{Property}:runReport"
            && range.GetProperty("startDate").GetString() == "2026-11-18" && range.GetProperty("endDate").GetString() == "2026-11-25"
            && root.GetProperty("dimensions")[0].GetProperty("name").GetString() == "date"
            && root.GetProperty("dimensions")[1].GetProperty("name").GetString() == "sessionSource"
            && root.GetProperty("metrics")[0].GetProperty("name").GetString() == "sessions"
            && days.SequenceEqual(["20261118", "20261125"])
            && root.GetProperty("offset").GetString() == offset;
    }

    private static FakeChannel Google() => new FakeChannel()
        .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.rt","expires_in":3599,"token_type":"Bearer"}"""))
        .On(r => r.Headers.GetValueOrDefault("Authorization") != "Bearer ya29.rt", _ => FakeChannel.Json("""{"error":{"code":401,"status":"UNAUTHENTICATED"}}""", System.Net.HttpStatusCode.Unauthorized))
        .On(IsWindows, _ => FakeChannel.Json(Windows(7, 19)))
        .On(IsMinutes, _ => FakeChannel.Json(Minutes(("00", 3), ("01", 2), ("04", 4), ("12", 6))))
        .On(r => IsSessions(r, "0"), _ => FakeChannel.Json(Sessions(4, ("20261125", "google", 40), ("20261125", "(direct)", 25), ("20261118", "google", 80))))
        .On(r => IsSessions(r, "3"), _ => FakeChannel.Json(Sessions(4, ("20261118", "(direct)", 20))))
        .On(_ => true, _ => BadRequest);

    private static Ga4RealtimeReader Reader(FakeChannel channel) =>
        new(new ChannelHttp(channel.Client(), new SteppingClock(Now)),
            new RefreshTokenSource(channel.Client(), new Uri("https://oauth2.googleapis.com/token"), "id.apps.googleusercontent.com", "secret", "1//refresh", new SteppingClock(Now)),
            new Uri("https://analyticsdata.googleapis.com"), Property, "America/New_York", new SteppingClock(Now));

    [Fact]
    public async Task Visitors_in_the_last_5_and_30_minutes_are_the_distinct_users_of_each_window_not_a_sum_of_minutes()
    {
        var reading = await Reader(Google()).ReadAsync(Ct);

        Assert.Equal(7, reading.ActiveUsersLast5Minutes);
        Assert.Equal(19, reading.ActiveUsersLast30Minutes);
        Assert.Equal(30, reading.PerMinute.Count);
        Assert.Equal([3L, 2L, 0L, 0L, 4L], reading.PerMinute.Take(5).Select(m => m.ActiveUsers));
        Assert.Equal(6, reading.PerMinute[12].ActiveUsers);
        Assert.Equal(Now, reading.ReadAt);
    }

    [Fact]
    public async Task Sessions_today_by_source_and_on_the_same_weekday_last_week_come_from_the_data_api_across_pages()
    {
        var channel = Google();

        var reading = await Reader(channel).ReadAsync(Ct);

        Assert.Equal(new DateOnly(2026, 11, 25), reading.Today);
        Assert.Equal(65, reading.SessionsToday);
        Assert.Equal([("google", 40L), ("(direct)", 25L)], reading.SourcesToday.Select(s => (s.Source, s.Sessions)));
        Assert.Equal(new DateOnly(2026, 11, 18), reading.SameDayLastWeek);
        Assert.Equal(100, reading.SessionsSameDayLastWeek);
        Assert.Equal(2, channel.Seen.Count(r => r.Uri.AbsolutePath.EndsWith(":runReport", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_realtime_answer_without_the_minute_ranges_column_is_a_readable_error()
    {
        var channel = new FakeChannel()
            .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.rt","expires_in":3599}"""))
            .On(_ => true, _ => FakeChannel.Json("""{"dimensionHeaders":[],"metricHeaders":[{"name":"activeUsers"}],"rowCount":0}"""));

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => Reader(channel).ReadAsync(Ct));

        Assert.Contains("dateRange", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_minute_outside_the_realtime_window_is_refused()
    {
        var channel = new FakeChannel()
            .On(r => r.Uri.Host == "oauth2.googleapis.com", _ => FakeChannel.Json("""{"access_token":"ya29.rt","expires_in":3599}"""))
            .On(IsWindows, _ => FakeChannel.Json(Windows(1, 1)))
            .On(_ => true, _ => FakeChannel.Json(Minutes(("45", 1))));

        var error = await Assert.ThrowsAsync<ChannelResponseException>(() => Reader(channel).ReadAsync(Ct));

        Assert.Contains("minutesAgo '45'", error.Message, StringComparison.Ordinal);
    }
}
