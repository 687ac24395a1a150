using System.Globalization;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A local stand-in for Google's token endpoint and the GA4 Data API on a loopback port. runReport answers as the Data
/// API reference shows: the hourly sessions report with one row, and the daily users report with yesterday's traffic from
/// google / cpc (<see cref="AdsUsers"/> users, 150 sessions, 6 key events) and (direct) / (none).
/// </summary>
public sealed class FakeGoogleAnalytics : IAsyncDisposable
{
    public const string PropertyId = "987654321";
    public const int AdsUsers = 120;

    /// <summary>Distinct active users the realtime API reports for the last 5 and the last 30 minutes.</summary>
    public const int RealtimeLast5 = 4;
    public const int RealtimeLast30 = 11;

    /// <summary>Today's sessions by source in the intraday report: google 30, (direct) 10; the same weekday last week 80.</summary>
    public const int SessionsToday = 40;

    private readonly LocalJsonServer server = new(Answer);

    public Uri BaseAddress => server.BaseAddress;

    public Uri TokenEndpoint => new(BaseAddress, "token");

    private static LocalAnswer Answer(LocalRequest request)
    {
        var (path, body) = (request.Path, request.Body);
        if (path == "/token")
        {
            return new(200, """{"access_token":"ya29.e2e","expires_in":3599,"scope":"https://www.googleapis.com/auth/analytics.readonly","token_type":"Bearer"}""");
        }

        if (request.Header("Authorization") != "Bearer ya29.e2e")
        {
            return new(401, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""");
        }

        if (path == $"/v1beta/properties/{PropertyId}:runRealtimeReport")
        {
            return Realtime(body);
        }

        if (path == $"/v1beta/properties/{PropertyId}:runReport" && body.Contains("inListFilter", StringComparison.Ordinal))
        {
            return IntradaySessions(body);
        }

        var yesterday = DateTime.UtcNow.AddDays(-1);
        if (path == $"/v1beta/properties/{PropertyId}:runReport" && body.Contains("sessionMedium", StringComparison.Ordinal))
        {
            var day = yesterday.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            return new(200, $$"""
                {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"},{"name":"sessionMedium"}],
                 "metricHeaders":[{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"activeUsers","type":"TYPE_INTEGER"},{"name":"sessions","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
                 "rows":[
                  {"dimensionValues":[{"value":"{{day}}"},{"value":"google"},{"value":"cpc"}],"metricValues":[{"value":"{{AdsUsers}}"},{"value":"100"},{"value":"150"},{"value":"6"}]},
                  {"dimensionValues":[{"value":"{{day}}"},{"value":"(direct)"},{"value":"(none)"}],"metricValues":[{"value":"30"},{"value":"25"},{"value":"40"},{"value":"1"}]}],
                 "rowCount":2,"kind":"analyticsData#runReport"}
                """);
        }

        if (path == $"/v1beta/properties/{PropertyId}:runReport")
        {
            var hour = yesterday.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "10";
            return new(200, $$"""
                {"dimensionHeaders":[{"name":"dateHour"},{"name":"sessionSource"}],
                 "metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"},{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
                 "rows":[{"dimensionValues":[{"value":"{{hour}}"},{"value":"google"}],"metricValues":[{"value":"2"},{"value":"2"},{"value":"0"}]}],
                 "rowCount":1,"kind":"analyticsData#runReport"}
                """);
        }

        return new(404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}""");
    }

    /// <summary>
    /// runRealtimeReport as documented: activeUsers over two named minuteRanges (the response adds a dateRange column
    /// holding each name), or by minutesAgo ("00" is this minute). Any other body is refused as GA4 refuses it.
    /// </summary>
    private static LocalAnswer Realtime(string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.TryGetProperty("minuteRanges", out var ranges) && ranges.GetArrayLength() == 2
            && ranges[0].GetProperty("startMinutesAgo").GetInt32() == 4 && ranges[1].GetProperty("startMinutesAgo").GetInt32() == 29)
        {
            return new(200, $$"""
                {"dimensionHeaders":[{"name":"dateRange"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
                 "rows":[{"dimensionValues":[{"value":"{{ranges[0].GetProperty("name").GetString()}}"}],"metricValues":[{"value":"{{RealtimeLast5}}"}]},
                         {"dimensionValues":[{"value":"{{ranges[1].GetProperty("name").GetString()}}"}],"metricValues":[{"value":"{{RealtimeLast30}}"}]}],
                 "rowCount":2,"kind":"analyticsData#runRealtimeReport"}
                """);
        }

        if (root.TryGetProperty("dimensions", out var dimensions) && dimensions[0].GetProperty("name").GetString() == "minutesAgo")
        {
            return new(200, """
                {"dimensionHeaders":[{"name":"minutesAgo"}],"metricHeaders":[{"name":"activeUsers","type":"TYPE_INTEGER"}],
                 "rows":[{"dimensionValues":[{"value":"00"}],"metricValues":[{"value":"2"}]},{"dimensionValues":[{"value":"03"}],"metricValues":[{"value":"3"}]}],
                 "rowCount":2,"kind":"analyticsData#runRealtimeReport"}
                """);
        }

        return new(400, """{"error":{"code":400,"message":"Did you mean minuteRanges or minutesAgo?","status":"INVALID_ARGUMENT"}}""");
    }

    /// <summary>Sessions by date and sessionSource for the days the request's inListFilter names (today first, then a week ago).</summary>
    private static LocalAnswer IntradaySessions(string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var days = json.RootElement.GetProperty("dimensionFilter").GetProperty("filter").GetProperty("inListFilter").GetProperty("values")
            .EnumerateArray().Select(v => v.GetString()!).ToArray();
        return new(200, $$"""
            {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"}],"metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"}],
             "rows":[{"dimensionValues":[{"value":"{{days[0]}}"},{"value":"google"}],"metricValues":[{"value":"30"}]},
                     {"dimensionValues":[{"value":"{{days[0]}}"},{"value":"(direct)"}],"metricValues":[{"value":"10"}]},
                     {"dimensionValues":[{"value":"{{days[1]}}"},{"value":"google"}],"metricValues":[{"value":"80"}]}],
             "rowCount":3,"kind":"analyticsData#runReport"}
            """);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
