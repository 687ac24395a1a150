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

        var published = 0;
        long sessions = 0, conversions = 0;
        var pages = await ReadAllAsync(offset => Report(start, today, offset), ReadPage, async rows =>
        {
            sessions += rows.Sum(r => r.Sessions);
            conversions += rows.Sum(r => r.Conversions);
            var events = rows.SelectMany(Sessions).ToList<CommerceEvent>();
            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
        }, cancellationToken);

        var (dailyPublished, dailyPages, dailyUsers) = await PollDailyAsync(sink, start, today, cancellationToken);
        await _cursor.SaveAsync(new Ga4Cursor(today), cancellationToken);
        return new PollOutcome(published + dailyPublished, pages + dailyPages,
            $"{ReportDays.Iso(start)}..{ReportDays.Iso(today)}: {sessions} session(s), {dailyUsers} user(s), {conversions} conversion(s); "
            + $"{published} new session event(s), {dailyPublished} new daily traffic figure(s)");
    }

    /// <summary>The daily users report; returns what it published, the pages read and the users summed over its rows.</summary>
    private async Task<(int Published, int Pages, long Users)> PollDailyAsync(ICommerceEventSink sink, DateOnly start, DateOnly end, CancellationToken cancellationToken)
    {
        var published = 0;
        long users = 0;
        var readAt = _time.GetUtcNow();
        var pages = await ReadAllAsync(offset => DailyReport(start, end, offset), ReadDailyPage, async rows =>
        {
            users += rows.Sum(r => r.Users);
            var events = rows.Select(row => Traffic(row, readAt)).ToList<CommerceEvent>();
            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
        }, cancellationToken);
        return (published, pages, users);
    }

    /// <summary>Runs one report page by page (limit and offset, until its rowCount), handing each page's rows on; returns the pages read.</summary>
    private async Task<int> ReadAllAsync<TRow>(Func<int, object> report, Func<JsonElement, Ga4Page<TRow>> read, Func<IReadOnlyList<TRow>, Task> onPage,
        CancellationToken cancellationToken)
    {
        var url = $"{Base}/v1beta/properties/{Uri.EscapeDataString(_settings.PropertyId)}:runReport";
        var offset = 0;
        var pages = 0;
        while (true)
        {
            var body = report(offset);
            using var document = await _http.GetJsonAsync(
                token => Ga4Json.Authorized(new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }, token), _tokens, cancellationToken);
            pages++;
            var page = read(document.RootElement);
            await onPage(page.Rows);
            offset += page.Rows.Count;
            if (page.Rows.Count == 0 || offset >= page.RowCount)
            {
                return pages;
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
    internal Ga4Page<Ga4DailyRow> ReadDailyPage(JsonElement root)
    {
        var report = new Ga4Report(root);
        var dateAt = report.Dimension("date");
        var sourceAt = report.Dimension("sessionSource");
        var mediumAt = report.Dimension("sessionMedium");
        var usersAt = report.Metric("totalUsers");
        var activeAt = report.Metric("activeUsers");
        var sessionsAt = report.Metric("sessions");
        var conversionsAt = report.Metric(_settings.ConversionMetric);
        var rows = report.Rows(cells =>
        {
            var dateText = cells.Dimension(dateAt);
            if (!DateOnly.TryParseExact(dateText, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new ChannelResponseException($"{cells.Path}: date '{dateText}' is not yyyyMMdd");
            }

            var conversionsText = cells.Metric(conversionsAt);
            if (!decimal.TryParse(conversionsText, NumberStyles.Float, CultureInfo.InvariantCulture, out var conversions) || conversions < 0)
            {
                throw new ChannelResponseException($"{cells.Path}: metric value '{conversionsText}' is not a count");
            }

            return new Ga4DailyRow(date, cells.Dimension(sourceAt), cells.Dimension(mediumAt), cells.Count(usersAt), cells.Count(activeAt),
                cells.Count(sessionsAt), conversions);
        });
        return new Ga4Page<Ga4DailyRow>(rows, report.RowCount(rows.Count));
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
    internal Ga4Page<Ga4Row> ReadPage(JsonElement root)
    {
        var report = new Ga4Report(root);
        var hourAt = report.Dimension("dateHour");
        var sourceAt = report.Dimension("sessionSource");
        var sessionsAt = report.Metric("sessions");
        var usersAt = report.Metric("totalUsers");
        var conversionsAt = report.Metric(_settings.ConversionMetric);
        var rows = report.Rows(cells =>
        {
            var hourText = cells.Dimension(hourAt);
            if (!DateTime.TryParseExact(hourText, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.None, out var hour))
            {
                throw new ChannelResponseException($"{cells.Path}: dateHour '{hourText}' is not yyyyMMddHH");
            }

            return new Ga4Row(hourText, hour, cells.Dimension(sourceAt), cells.Count(sessionsAt), cells.Count(usersAt), cells.Count(conversionsAt));
        });
        return new Ga4Page<Ga4Row>(rows, report.RowCount(rows.Count));
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

    /// <summary>One page of a report's rows, and how many rows the whole report has.</summary>
    internal sealed record Ga4Page<TRow>(IReadOnlyList<TRow> Rows, int RowCount);

    internal sealed record Ga4DailyRow(DateOnly Date, string Source, string Medium, long Users, long ActiveUsers, long Sessions, decimal Conversions);

    private sealed record Ga4Cursor(DateOnly LastPolledDay);
}
