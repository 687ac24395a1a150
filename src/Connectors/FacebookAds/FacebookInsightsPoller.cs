using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.FacebookAds;

/// <param name="Endpoint">The Graph API host, https://graph.facebook.com.</param>
/// <param name="AdAccountId">The ad account number, without the "act_" prefix.</param>
/// <param name="AccountTimeZone">The ad account's time zone (IANA); insights days are in it.</param>
/// <param name="LookbackDays">Days re-read every poll: Meta revises spend for up to a few days (attribution, invalid clicks).</param>
public sealed record FacebookAdsSettings(Uri Endpoint, string ApiVersion, string AdAccountId, string AccountTimeZone, DateOnly InitialStart, int LookbackDays = 3);

/// <summary>
/// Polls the Marketing API Insights edge (GET act_{id}/insights, level=campaign, time_increment=1) for spend, clicks and
/// impressions per campaign per day, following paging.next. Throttling arrives as HTTP 400/403 with error codes
/// 4/17/32/613/80000-80014 and an x-business-use-case-usage header whose estimated_time_to_regain_access (minutes) is
/// the wait; error code 190 means the access token expired.
/// </summary>
public sealed class FacebookInsightsPoller : IChannelPoller
{
    public const string Stream = "facebook-insights";

    private static readonly HashSet<int> ThrottleCodes = [4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014];

    private readonly ChannelHttp _http;
    private readonly IAccessTokenSource _tokens;
    private readonly FacebookAdsSettings _settings;
    private readonly StoreProfile _store;
    private readonly TypedCursor<AdCursor> _cursor;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;

    public FacebookInsightsPoller(HttpClient client, IAccessTokenSource tokens, FacebookAdsSettings settings, StoreProfile store, ICursorStore cursors, TimeProvider time, ChannelHttpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.AdAccountId);
        (_tokens, _settings, _store, _time) = (tokens, settings, store, time);
        _http = new ChannelHttp(client, time, new ChannelHttpOptions
        {
            MaxRetries = options?.MaxRetries ?? 4,
            BaseDelay = options?.BaseDelay ?? TimeSpan.FromSeconds(1),
            MaxInlineWait = options?.MaxInlineWait ?? TimeSpan.FromMinutes(2),
            Classify = (response, ct) => ClassifyAsync(response, time, ct),
        });
        _cursor = new TypedCursor<AdCursor>(cursors, store.Store, Stream);
        _zone = ReportDays.Zone(settings.AccountTimeZone);
    }

    public SalesChannel Channel => SalesChannel.FacebookAds;

    public async Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        var url = $"{Base}/act_{Uri.EscapeDataString(_settings.AdAccountId)}?fields=name,currency";
        using var document = await _http.GetJsonAsync(token => Authorized(url, token), _tokens, cancellationToken);
        var name = document.RootElement.TryGetProperty("name", out var n) ? n.GetString() : _settings.AdAccountId;
        var currency = document.RootElement.TryGetProperty("currency", out var c) ? c.GetString() : "?";
        return new ConnectionCheck(true, $"Connected to ad account '{name}' ({currency}).");
    }

    public Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken) =>
        AdSpendPoll.RunAsync(new AdSpendAccount(_store, SalesChannel.FacebookAds, "facebook", _zone, _settings.InitialStart, _settings.LookbackDays),
            _cursor, sink, _time, (since, today, onPage) => ReadPagesAsync(since, today, onPage, cancellationToken), cancellationToken);

    /// <summary>The insights of every campaign and day in the range, page by page along paging.next.</summary>
    private async Task<int> ReadPagesAsync(DateOnly since, DateOnly today, Func<IReadOnlyList<CampaignDay>, Task> onPage, CancellationToken cancellationToken)
    {
        var timeRange = JsonSerializer.Serialize(new { since = ReportDays.Iso(since), until = ReportDays.Iso(today) });
        string? url = $"{Base}/act_{Uri.EscapeDataString(_settings.AdAccountId)}/insights?level=campaign"
            + "&fields=campaign_id,campaign_name,spend,clicks,impressions,account_currency,date_start,date_stop"
            + $"&time_increment=1&time_range={Uri.EscapeDataString(timeRange)}&limit=500";
        var pages = 0;
        while (url is not null)
        {
            var pageUrl = url;
            using var document = await _http.GetJsonAsync(token => Authorized(pageUrl, token), _tokens, cancellationToken);
            pages++;
            await onPage(ReadPage(document.RootElement));
            url = NextPage(document.RootElement);
        }

        return pages;
    }

    private List<CampaignDay> ReadPage(JsonElement root)
    {
        try
        {
            return
            [
                .. JsonFields.Array(root, "data", "data", required: true).Select(item => new CampaignDay(
                    JsonFields.Id(item.Item, "campaign_id", $"{item.Path}.campaign_id"),
                    JsonFields.OptionalString(item.Item, "campaign_name", $"{item.Path}.campaign_name"),
                    ReportDays.Parse(JsonFields.String(item.Item, "date_start", $"{item.Path}.date_start"), $"{item.Path}.date_start"),
                    new AdSpendLedger.Totals(
                        JsonFields.OptionalMoney(item.Item, "spend", $"{item.Path}.spend") ?? 0m,
                        JsonFields.OptionalLong(item.Item, "clicks", $"{item.Path}.clicks") ?? 0,
                        JsonFields.OptionalLong(item.Item, "impressions", $"{item.Path}.impressions") ?? 0),
                    JsonFields.OptionalString(item.Item, "account_currency", $"{item.Path}.account_currency") ?? _store.Currency)),
            ];
        }
        catch (FieldException e)
        {
            throw new ChannelResponseException($"Insights answered a row SalesDash cannot read: {e.Message}");
        }
    }

    private string Base => $"{_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{_settings.ApiVersion.Trim('/')}";

    /// <summary>paging.next is an absolute URL; it is followed only on the configured Graph host, never elsewhere.</summary>
    private string? NextPage(JsonElement root)
    {
        if (!root.TryGetProperty("paging", out var paging) || !paging.TryGetProperty("next", out var next) || next.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return Uri.TryCreate(next.GetString(), UriKind.Absolute, out var uri) && uri.Host == _settings.Endpoint.Host && uri.Port == _settings.Endpoint.Port
            ? uri.AbsoluteUri
            : throw new ChannelResponseException($"Insights paging.next points outside {_settings.Endpoint.Host}: {next.GetString()}");
    }

    private static HttpRequestMessage Authorized(string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Graph API errors (Graph API docs, "Handling errors") and the business use case header (Marketing API "Rate limiting").</summary>
    internal static async ValueTask<ResponseClass> ClassifyAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var byStatus = ChannelHttp.ClassifyByStatus(response, time.GetUtcNow());
        if (response.IsSuccessStatusCode || byStatus.Kind == ResponseKind.Transient)
        {
            return byStatus;
        }

        int? code = null;
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var c) && c.TryGetInt32(out var value))
            {
                code = value;
            }
        }
        catch (JsonException)
        {
            return byStatus;
        }

        return code switch
        {
            190 or 102 => new ResponseClass(ResponseKind.Unauthorized),
            { } throttle when ThrottleCodes.Contains(throttle) => new ResponseClass(ResponseKind.Throttled, RegainAccess(response)),
            _ => byStatus,
        };
    }

    private static TimeSpan? RegainAccess(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("x-business-use-case-usage", out var values))
        {
            return null;
        }

        try
        {
            using var usage = JsonDocument.Parse(values.First());
            var minutes = usage.RootElement.EnumerateObject()
                .SelectMany(p => p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .Select(e => e.TryGetProperty("estimated_time_to_regain_access", out var m) && m.TryGetInt32(out var v) ? v : 0)
                .DefaultIfEmpty(0)
                .Max();
            return minutes > 0 ? TimeSpan.FromMinutes(minutes) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
