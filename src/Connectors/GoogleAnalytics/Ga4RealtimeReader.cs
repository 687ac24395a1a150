using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.GoogleAnalytics;

/// <summary>Active users in one minute of the last 30 (<see cref="MinutesAgo"/> 0 is the current minute).</summary>
public sealed record Ga4MinuteUsers(int MinutesAgo, long ActiveUsers);

/// <summary>Sessions from one traffic source on one day.</summary>
public sealed record Ga4SourceSessions(string Source, long Sessions);

/// <summary>
/// What one realtime reading of a GA4 property says: distinct active users in the last 5 and 30 minutes, active users
/// per minute, and sessions (in total and by source) today and on the same weekday last week, in the property's zone.
/// </summary>
public sealed record Ga4LiveReading(
    string PropertyId,
    string TimeZone,
    DateTimeOffset ReadAt,
    long ActiveUsersLast5Minutes,
    long ActiveUsersLast30Minutes,
    IReadOnlyList<Ga4MinuteUsers> PerMinute,
    DateOnly Today,
    long SessionsToday,
    IReadOnlyList<Ga4SourceSessions> SourcesToday,
    DateOnly SameDayLastWeek,
    long SessionsSameDayLastWeek);

/// <summary>
/// Reads a GA4 property "now", with three documented calls: two to the Realtime API
/// (<c>properties/{id}:runRealtimeReport</c>) and one to the Data API (<c>runReport</c>).
/// <list type="bullet">
/// <item>activeUsers over two named minute ranges (0–4 and 0–29 minutes ago): distinct users in each window. Summing
/// the per-minute figures instead would count a visitor once per minute they were active.</item>
/// <item>activeUsers by <c>minutesAgo</c>, for the last half hour minute by minute.</item>
/// <item>sessions by <c>date</c> and <c>sessionSource</c> for today and the same weekday last week. The Realtime API has
/// no traffic-source dimension (its schema lists appVersion, audience*, city*, country*, deviceCategory, eventName,
/// minutesAgo, platform, stream*, unifiedScreenName), and no sessions metric, so sources and sessions come from the
/// Data API's intraday figures, which trail realtime by a few minutes to hours.</item>
/// </list>
/// </summary>
public sealed class Ga4RealtimeReader(ChannelHttp http, IAccessTokenSource tokens, Uri endpoint, string propertyId, string propertyTimeZone, TimeProvider time)
{
    /// <summary>Standard properties can ask for the last 30 minutes (minutes 0–29); 360 properties for 60.</summary>
    public const int RealtimeWindowMinutes = 30;

    public const string Last5 = "last5";
    public const string Last30 = "last30";

    private readonly TimeZoneInfo _zone = ReportDays.Zone(propertyTimeZone);

    private string Property => $"{endpoint.AbsoluteUri.TrimEnd('/')}/v1beta/properties/{Uri.EscapeDataString(propertyId)}";

    public async Task<Ga4LiveReading> ReadAsync(CancellationToken cancellationToken)
    {
        var readAt = time.GetUtcNow();
        var today = ReportDays.Today(time, _zone);
        var lastWeek = today.AddDays(-7);

        using var windows = await PostAsync(":runRealtimeReport", WindowsRequest(), cancellationToken);
        var (last5, last30) = ReadWindows(windows.RootElement);
        using var minutes = await PostAsync(":runRealtimeReport", MinutesRequest(), cancellationToken);
        var perMinute = ReadMinutes(minutes.RootElement);

        var sessions = new List<(DateOnly Day, string Source, long Sessions)>();
        var offset = 0;
        while (true)
        {
            using var page = await PostAsync(":runReport", SessionsRequest(today, lastWeek, offset), cancellationToken);
            var (rows, rowCount) = ReadSessions(page.RootElement);
            sessions.AddRange(rows);
            offset += rows.Count;
            if (rows.Count == 0 || offset >= rowCount)
            {
                break;
            }
        }

        var sources = sessions.Where(s => s.Day == today).GroupBy(s => s.Source, StringComparer.Ordinal)
            .Select(g => new Ga4SourceSessions(g.Key, g.Sum(s => s.Sessions)))
            .OrderByDescending(s => s.Sessions).ThenBy(s => s.Source, StringComparer.Ordinal).ToList();
        return new Ga4LiveReading(propertyId, _zone.Id, readAt, last5, last30, perMinute, today, sources.Sum(s => s.Sessions), sources,
            lastWeek, sessions.Where(s => s.Day == lastWeek).Sum(s => s.Sessions));
    }

    internal static object WindowsRequest() => new
    {
        metrics = new[] { new { name = "activeUsers" } },
        minuteRanges = new[]
        {
            new { name = Last5, startMinutesAgo = 4, endMinutesAgo = 0 },
            new { name = Last30, startMinutesAgo = RealtimeWindowMinutes - 1, endMinutesAgo = 0 },
        },
    };

    internal static object MinutesRequest() => new
    {
        dimensions = new[] { new { name = "minutesAgo" } },
        metrics = new[] { new { name = "activeUsers" } },
        limit = RealtimeWindowMinutes.ToString(CultureInfo.InvariantCulture),
    };

    private static object SessionsRequest(DateOnly today, DateOnly lastWeek, int offset) => new
    {
        dateRanges = new[] { new { startDate = ReportDays.Iso(lastWeek), endDate = ReportDays.Iso(today) } },
        dimensions = new[] { new { name = "date" }, new { name = "sessionSource" } },
        metrics = new[] { new { name = "sessions" } },
        // Only the two days compared; the six between are not needed.
        dimensionFilter = new
        {
            filter = new
            {
                fieldName = "date",
                inListFilter = new { values = new[] { Compact(today), Compact(lastWeek) } },
            },
        },
        limit = "10000",
        offset = offset.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>With more than one minute range GA4 adds a <c>dateRange</c> column holding each range's name.</summary>
    internal static (long Last5, long Last30) ReadWindows(JsonElement root)
    {
        var dimensions = Ga4Json.Headers(root, "dimensionHeaders");
        var rangeAt = Ga4Json.Column(dimensions, "dateRange", "dimension");
        var usersAt = Ga4Json.Column(Ga4Json.Headers(root, "metricHeaders"), "activeUsers", "metric");
        long last5 = 0, last30 = 0;
        var i = 0;
        foreach (var row in Ga4Json.Rows(root))
        {
            var path = $"rows[{i++}]";
            var range = Ga4Json.Cell(Ga4Json.Values(row, "dimensionValues", path), rangeAt, $"{path}.dimensionValues");
            var users = Ga4Json.Count(Ga4Json.Cell(Ga4Json.Values(row, "metricValues", path), usersAt, $"{path}.metricValues"), path);
            switch (range)
            {
                case Last5:
                    last5 = users;
                    break;
                case Last30:
                    last30 = users;
                    break;
                default:
                    throw new ChannelResponseException($"{path}: minute range '{range}' was not asked for");
            }
        }

        return (last5, last30);
    }

    /// <summary>minutesAgo comes as "00".."29"; minutes nobody was active in are left out by GA4 and come back as zero here.</summary>
    internal static IReadOnlyList<Ga4MinuteUsers> ReadMinutes(JsonElement root)
    {
        var minuteAt = Ga4Json.Column(Ga4Json.Headers(root, "dimensionHeaders"), "minutesAgo", "dimension");
        var usersAt = Ga4Json.Column(Ga4Json.Headers(root, "metricHeaders"), "activeUsers", "metric");
        var users = new long[RealtimeWindowMinutes];
        var i = 0;
        foreach (var row in Ga4Json.Rows(root))
        {
            var path = $"rows[{i++}]";
            var text = Ga4Json.Cell(Ga4Json.Values(row, "dimensionValues", path), minuteAt, $"{path}.dimensionValues");
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute >= RealtimeWindowMinutes)
            {
                throw new ChannelResponseException($"{path}: minutesAgo '{text}' is not a minute of the last {RealtimeWindowMinutes}");
            }

            users[minute] += Ga4Json.Count(Ga4Json.Cell(Ga4Json.Values(row, "metricValues", path), usersAt, $"{path}.metricValues"), path);
        }

        return [.. users.Select((count, minute) => new Ga4MinuteUsers(minute, count))];
    }

    internal static (List<(DateOnly Day, string Source, long Sessions)> Rows, int RowCount) ReadSessions(JsonElement root)
    {
        var dimensions = Ga4Json.Headers(root, "dimensionHeaders");
        var dateAt = Ga4Json.Column(dimensions, "date", "dimension");
        var sourceAt = Ga4Json.Column(dimensions, "sessionSource", "dimension");
        var sessionsAt = Ga4Json.Column(Ga4Json.Headers(root, "metricHeaders"), "sessions", "metric");
        var rows = new List<(DateOnly, string, long)>();
        var i = 0;
        foreach (var row in Ga4Json.Rows(root))
        {
            var path = $"rows[{i++}]";
            var d = Ga4Json.Values(row, "dimensionValues", path);
            var dateText = Ga4Json.Cell(d, dateAt, $"{path}.dimensionValues");
            if (!DateOnly.TryParseExact(dateText, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                throw new ChannelResponseException($"{path}: date '{dateText}' is not yyyyMMdd");
            }

            rows.Add((day, Ga4Json.Cell(d, sourceAt, $"{path}.dimensionValues"),
                Ga4Json.Count(Ga4Json.Cell(Ga4Json.Values(row, "metricValues", path), sessionsAt, $"{path}.metricValues"), path)));
        }

        var rowCount = root.TryGetProperty("rowCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : rows.Count;
        return (rows, rowCount);
    }

    private static string Compact(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private Task<JsonDocument> PostAsync(string method, object body, CancellationToken cancellationToken) =>
        http.GetJsonAsync(token => Ga4Json.Authorized(new HttpRequestMessage(HttpMethod.Post, Property + method) { Content = JsonContent.Create(body) }, token),
            tokens, cancellationToken);
}
