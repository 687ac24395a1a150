using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.GoogleAnalytics;

/// <summary>Which GA4 property to read and how far back.</summary>
/// <param name="Endpoint">The Data API host, https://analyticsdata.googleapis.com.</param>
/// <param name="PropertyTimeZone">The property's reporting time zone (IANA); dateHour values are in it.</param>
/// <param name="LookbackDays">Days re-read on every poll, because GA4 keeps revising recent hours (processing delay).</param>
/// <param name="ConversionMetric">"keyEvents" (GA4's current name) or "conversions" (its name before 2024).</param>
public sealed record Ga4Settings(Uri Endpoint, string PropertyId, string PropertyTimeZone, DateOnly InitialStart, int LookbackDays = 2, string ConversionMetric = "keyEvents");

/// <summary>
/// Polls the GA4 Data API (v1beta properties.runReport), paging with limit/offset until rowCount, with two reports:
/// sessions and conversions by hour and source, where each counted session becomes a <see cref="SessionStarted"/> whose
/// id is derived from property, hour, source and index (re-reading an hour whose count grew adds only the new sessions);
/// and users, active users, sessions and conversions by day, source and medium, each row a <see cref="TrafficReported"/>
/// (users are distinct per day, so they come from the daily report rather than a sum of hours).
/// </summary>
public sealed class Ga4TrafficPoller : IChannelPoller
{
    public const string Stream = "ga4-sessions";
    private const int PageSize = 10000;

    private readonly ChannelHttp _http;
    private readonly IAccessTokenSource _tokens;
    private readonly Ga4Settings _settings;
    private readonly StoreProfile _store;
    private readonly TypedCursor<Ga4Cursor> _cursor;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;

    public Ga4TrafficPoller(ChannelHttp http, IAccessTokenSource tokens, Ga4Settings settings, StoreProfile store, ICursorStore cursors, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.PropertyId);
        (_http, _tokens, _settings, _store, _time) = (http, tokens, settings, store, time);
        _cursor = new TypedCursor<Ga4Cursor>(cursors, store.Store, Stream);
        _zone = ReportDays.Zone(settings.PropertyTimeZone);
    }

    public SalesChannel Channel => SalesChannel.GoogleAnalytics;

    public async Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        var url = $"{Base}/v1beta/properties/{Uri.EscapeDataString(_settings.PropertyId)}/metadata";
        using var document = await _http.GetJsonAsync(token => Ga4Json.Authorized(new HttpRequestMessage(HttpMethod.Get, url), token), _tokens, cancellationToken);
        var metrics = document.RootElement.TryGetProperty("metrics", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        return new ConnectionCheck(true, $"Connected to GA4 property {_settings.PropertyId} ({metrics} metrics available).");
    }

    public async Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var today = ReportDays.Today(_time, _zone);
        var cursor = await _cursor.LoadAsync(cancellationToken);
        var start = cursor is null ? _settings.InitialStart : cursor.LastPolledDay.AddDays(-Math.Max(0, _settings.LookbackDays));
        if (start > today)
        {
            start = today;
        }

        var offset = 0;
        var pages = 0;
        var published = 0;
        long sessions = 0, users = 0, conversions = 0;
        while (true)
        {
            var url = $"{Base}/v1beta/properties/{Uri.EscapeDataString(_settings.PropertyId)}:runReport";
            var body = Report(start, today, offset);
            using var document = await _http.GetJsonAsync(
                token => Ga4Json.Authorized(new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }, token), _tokens, cancellationToken);
            pages++;
            var page = ReadPage(document.RootElement);
            var events = new List<CommerceEvent>();
            foreach (var row in page.Rows)
            {
                sessions += row.Sessions;
                users += row.Users;
                conversions += row.Conversions;
                events.AddRange(Sessions(row));
            }

            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
            offset += page.Rows.Count;
            if (page.Rows.Count == 0 || offset >= page.RowCount)
            {
                break;
            }
        }

        var (dailyPublished, dailyPages, dailyUsers) = await PollDailyAsync(sink, start, today, cancellationToken);
        await _cursor.SaveAsync(new Ga4Cursor(today), cancellationToken);
        return new PollOutcome(published + dailyPublished, pages + dailyPages,
            $"{ReportDays.Iso(start)}..{ReportDays.Iso(today)}: {sessions} session(s), {dailyUsers} user(s), {conversions} conversion(s); "
            + $"{published} new session event(s), {dailyPublished} new daily traffic figure(s)");
    }

    /// <summary>The daily users report; returns what it published, the pages read and the users summed over its rows.</summary>
    private async Task<(int Published, int Pages, long Users)> PollDailyAsync(ICommerceEventSink sink, DateOnly start, DateOnly end, CancellationToken cancellationToken)
    {
        var offset = 0;
        var pages = 0;
        var published = 0;
        long users = 0;
        var readAt = _time.GetUtcNow();
        while (true)
        {
            var url = $"{Base}/v1beta/properties/{Uri.EscapeDataString(_settings.PropertyId)}:runReport";
            var body = DailyReport(start, end, offset);
            using var document = await _http.GetJsonAsync(
                token => Ga4Json.Authorized(new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }, token), _tokens, cancellationToken);
            pages++;
            var page = ReadDailyPage(document.RootElement);
            users += page.Rows.Sum(r => r.Users);
            var events = page.Rows.Select(row => Traffic(row, readAt)).ToList();
            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
            offset += page.Rows.Count;
            if (page.Rows.Count == 0 || offset >= page.RowCount)
            {
                return (published, pages, users);
            }
        }
    }

    private object DailyReport(DateOnly start, DateOnly end, int offset) => new
    {
        dateRanges = new[] { new { startDate = ReportDays.Iso(start), endDate = ReportDays.Iso(end) } },
        dimensions = new[] { new { name = "date" }, new { name = "sessionSource" }, new { name = "sessionMedium" } },
        metrics = new[] { new { name = "totalUsers" }, new { name = "activeUsers" }, new { name = "sessions" }, new { name = _settings.ConversionMetric } },
        limit = PageSize.ToString(CultureInfo.InvariantCulture),
        offset = offset.ToString(CultureInfo.InvariantCulture),
        orderBys = new[] { new { dimension = new { dimensionName = "date" } } },
    };

    /// <summary>Reads the daily report's RunReportResponse, by header names.</summary>
    internal Ga4DailyPage ReadDailyPage(JsonElement root)
    {
        var dimensions = Ga4Json.Headers(root, "dimensionHeaders");
        var metrics = Ga4Json.Headers(root, "metricHeaders");
        int Column(List<string> headers, string name, string kind) => headers.IndexOf(name) is >= 0 and var i
            ? i
            : throw new ChannelResponseException($"runReport answered without the {kind} '{name}' (got: {string.Join(", ", headers)})");
        var dateAt = Column(dimensions, "date", "dimension");
        var sourceAt = Column(dimensions, "sessionSource", "dimension");
        var mediumAt = Column(dimensions, "sessionMedium", "dimension");
        var usersAt = Column(metrics, "totalUsers", "metric");
        var activeAt = Column(metrics, "activeUsers", "metric");
        var sessionsAt = Column(metrics, "sessions", "metric");
        var conversionsAt = Column(metrics, _settings.ConversionMetric, "metric");

        var rows = new List<Ga4DailyRow>();
        if (root.TryGetProperty("rows", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new ChannelResponseException("runReport: rows is not an array");
            }

            var i = 0;
            foreach (var row in list.EnumerateArray())
            {
                var path = $"rows[{i++}]";
                var d = Ga4Json.Values(row, "dimensionValues", path);
                var m = Ga4Json.Values(row, "metricValues", path);
                var dateText = Ga4Json.Cell(d, dateAt, $"{path}.dimensionValues");
                if (!DateOnly.TryParseExact(dateText, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw new ChannelResponseException($"{path}: date '{dateText}' is not yyyyMMdd");
                }

                var conversionsText = Ga4Json.Cell(m, conversionsAt, $"{path}.metricValues");
                if (!decimal.TryParse(conversionsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var conversions) || conversions < 0)
                {
                    throw new ChannelResponseException($"{path}: metric value '{conversionsText}' is not a count");
                }

                rows.Add(new Ga4DailyRow(date, Ga4Json.Cell(d, sourceAt, $"{path}.dimensionValues"), Ga4Json.Cell(d, mediumAt, $"{path}.dimensionValues"),
                    Ga4Json.Count(Ga4Json.Cell(m, usersAt, $"{path}.metricValues"), path), Ga4Json.Count(Ga4Json.Cell(m, activeAt, $"{path}.metricValues"), path),
                    Ga4Json.Count(Ga4Json.Cell(m, sessionsAt, $"{path}.metricValues"), path), conversions));
            }
        }

        var rowCount = root.TryGetProperty("rowCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : rows.Count;
        return new Ga4DailyPage(rows, rowCount);
    }

    private TrafficReported Traffic(Ga4DailyRow row, DateTimeOffset readAt)
    {
        var figures = string.Join(':', row.Users, row.ActiveUsers, row.Sessions, row.Conversions.ToString(CultureInfo.InvariantCulture));
        return new TrafficReported
        {
            Store = _store.Store,
            Channel = SalesChannel.GoogleAnalytics,
            // The figures are part of the id: an unchanged re-read is a duplicate, a revised day is a new reading that replaces the old.
            EventId = $"ga4-traffic:{_settings.PropertyId}:{ReportDays.Iso(row.Date)}:{row.Source}:{row.Medium}:{figures}",
            OccurredAt = ReportDays.ToUtc(row.Date.ToDateTime(TimeOnly.MinValue), _zone),
            StoreTimeZone = _store.TimeZone,
            Currency = _store.Currency,
            Day = row.Date,
            Source = row.Source,
            Medium = row.Medium,
            Users = row.Users,
            ActiveUsers = row.ActiveUsers,
            Sessions = row.Sessions,
            Conversions = row.Conversions,
            ReportedAt = readAt,
        };
    }

    private string Base => _settings.Endpoint.AbsoluteUri.TrimEnd('/');

    private object Report(DateOnly start, DateOnly end, int offset) => new
    {
        dateRanges = new[] { new { startDate = ReportDays.Iso(start), endDate = ReportDays.Iso(end) } },
        dimensions = new[] { new { name = "dateHour" }, new { name = "sessionSource" } },
        metrics = new[] { new { name = "sessions" }, new { name = "totalUsers" }, new { name = _settings.ConversionMetric } },
        limit = PageSize.ToString(CultureInfo.InvariantCulture),
        offset = offset.ToString(CultureInfo.InvariantCulture),
        orderBys = new[] { new { dimension = new { dimensionName = "dateHour" } } },
    };

    /// <summary>Reads a RunReportResponse, finding columns by their header names rather than by position.</summary>
    internal Ga4Page ReadPage(JsonElement root)
    {
        var dimensions = Ga4Json.Headers(root, "dimensionHeaders");
        var metrics = Ga4Json.Headers(root, "metricHeaders");
        int Column(List<string> headers, string name, string kind) => headers.IndexOf(name) is >= 0 and var i
            ? i
            : throw new ChannelResponseException($"runReport answered without the {kind} '{name}' (got: {string.Join(", ", headers)})");
        var hourAt = Column(dimensions, "dateHour", "dimension");
        var sourceAt = Column(dimensions, "sessionSource", "dimension");
        var sessionsAt = Column(metrics, "sessions", "metric");
        var usersAt = Column(metrics, "totalUsers", "metric");
        var conversionsAt = Column(metrics, _settings.ConversionMetric, "metric");

        var rows = new List<Ga4Row>();
        if (root.TryGetProperty("rows", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new ChannelResponseException("runReport: rows is not an array");
            }

            var i = 0;
            foreach (var row in list.EnumerateArray())
            {
                var path = $"rows[{i++}]";
                var d = Ga4Json.Values(row, "dimensionValues", path);
                var m = Ga4Json.Values(row, "metricValues", path);
                var hourText = Ga4Json.Cell(d, hourAt, $"{path}.dimensionValues");
                if (!DateTime.TryParseExact(hourText, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.None, out var hour))
                {
                    throw new ChannelResponseException($"{path}: dateHour '{hourText}' is not yyyyMMddHH");
                }

                rows.Add(new Ga4Row(hourText, hour, Ga4Json.Cell(d, sourceAt, $"{path}.dimensionValues"),
                    Ga4Json.Count(Ga4Json.Cell(m, sessionsAt, $"{path}.metricValues"), path), Ga4Json.Count(Ga4Json.Cell(m, usersAt, $"{path}.metricValues"), path),
                    Ga4Json.Count(Ga4Json.Cell(m, conversionsAt, $"{path}.metricValues"), path)));
            }
        }

        var rowCount = root.TryGetProperty("rowCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : rows.Count;
        return new Ga4Page(rows, rowCount);
    }

    private IEnumerable<SessionStarted> Sessions(Ga4Row row)
    {
        var hourStart = ReportDays.ToUtc(row.Hour, _zone);
        for (var i = 0; i < row.Sessions; i++)
        {
            // Spread over the hour so per-minute charts show traffic as it came, not as one spike at :00.
            var at = hourStart.AddSeconds(i * 3600.0 / row.Sessions);
            var id = $"ga4:{_settings.PropertyId}:{row.HourText}:{row.Source}:{i}";
            yield return new SessionStarted
            {
                Store = _store.Store,
                Channel = SalesChannel.GoogleAnalytics,
                EventId = id,
                OccurredAt = at,
                StoreTimeZone = _store.TimeZone,
                Currency = _store.Currency,
                SessionId = id,
                Source = row.Source,
                // GA4 reports conversions per row, not per session: the first N sessions of the row carry them.
                Converted = i < row.Conversions,
            };
        }
    }

    internal sealed record Ga4Row(string HourText, DateTime Hour, string Source, long Sessions, long Users, long Conversions);

    internal sealed record Ga4Page(IReadOnlyList<Ga4Row> Rows, int RowCount);

    internal sealed record Ga4DailyRow(DateOnly Date, string Source, string Medium, long Users, long ActiveUsers, long Sessions, decimal Conversions);

    internal sealed record Ga4DailyPage(IReadOnlyList<Ga4DailyRow> Rows, int RowCount);

    private sealed record Ga4Cursor(DateOnly LastPolledDay);
}
