using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.FacebookAds;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.GoogleAds;

/// <param name="Endpoint">The Google Ads API host, https://googleads.googleapis.com.</param>
/// <param name="CustomerId">The account to read, digits only (no dashes).</param>
/// <param name="LoginCustomerId">The manager account the access goes through, when there is one.</param>
/// <param name="AccountTimeZone">The account's time zone (IANA); segments.date is in it.</param>
public sealed record GoogleAdsSettings(
    Uri Endpoint, string ApiVersion, string CustomerId, string? LoginCustomerId, string DeveloperToken, string AccountTimeZone,
    DateOnly InitialStart, int LookbackDays = 3);

/// <summary>
/// Polls Google Ads (GoogleAdsService.Search, POST customers/{id}/googleAds:search with a GAQL query) for cost, clicks and
/// impressions per campaign per day, following nextPageToken. cost_micros is millionths of the account currency.
/// Authorised with an OAuth access token plus the developer-token (and login-customer-id) headers.
/// </summary>
public sealed class GoogleAdsSpendPoller : IChannelPoller
{
    public const string Stream = "google-ads-spend";

    private readonly ChannelHttp _http;
    private readonly IAccessTokenSource _tokens;
    private readonly GoogleAdsSettings _settings;
    private readonly StoreProfile _store;
    private readonly TypedCursor<AdCursor> _cursor;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;

    public GoogleAdsSpendPoller(ChannelHttp http, IAccessTokenSource tokens, GoogleAdsSettings settings, StoreProfile store, ICursorStore cursors, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.CustomerId);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.DeveloperToken);
        (_http, _tokens, _settings, _store, _time) = (http, tokens, settings, store, time);
        _cursor = new TypedCursor<AdCursor>(cursors, store.Store, Stream);
        _zone = ReportDays.Zone(settings.AccountTimeZone);
    }

    public SalesChannel Channel => SalesChannel.GoogleAds;

    public async Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        using var document = await _http.GetJsonAsync(
            token => Search(new { query = "SELECT customer.id, customer.descriptive_name, customer.currency_code FROM customer LIMIT 1" }, token),
            _tokens, cancellationToken);
        var customer = JsonFields.Array(document.RootElement, "results", "results").Select(r => r.Item).FirstOrDefault();
        var name = customer.ValueKind == JsonValueKind.Object && customer.TryGetProperty("customer", out var c) && c.TryGetProperty("descriptiveName", out var n)
            ? n.GetString()
            : _settings.CustomerId;
        return new ConnectionCheck(true, $"Connected to Google Ads account '{name}'.");
    }

    public Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken) =>
        AdSpendPoll.RunAsync(new AdSpendAccount(_store, SalesChannel.GoogleAds, "googleads", _zone, _settings.InitialStart, _settings.LookbackDays),
            _cursor, sink, _time, (since, today, onPage) => ReadPagesAsync(since, today, onPage, cancellationToken), cancellationToken);

    /// <summary>Every campaign's metrics per day in the range, page by page along nextPageToken.</summary>
    private async Task<int> ReadPagesAsync(DateOnly since, DateOnly today, Func<IReadOnlyList<CampaignDay>, Task> onPage, CancellationToken cancellationToken)
    {
        var query = "SELECT customer.currency_code, campaign.id, campaign.name, metrics.cost_micros, metrics.clicks, metrics.impressions, segments.date "
            + $"FROM campaign WHERE segments.date BETWEEN '{ReportDays.Iso(since)}' AND '{ReportDays.Iso(today)}' ORDER BY segments.date";
        string? pageToken = null;
        var pages = 0;
        do
        {
            var token = pageToken;
            using var document = await _http.GetJsonAsync(
                access => Search(token is null ? new { query } : new { query, pageToken = token }, access), _tokens, cancellationToken);
            pages++;
            await onPage(ReadPage(document.RootElement));
            pageToken = JsonFields.OptionalString(document.RootElement, "nextPageToken", "nextPageToken") is { Length: > 0 } next ? next : null;
        }
        while (pageToken is not null);

        return pages;
    }

    private List<CampaignDay> ReadPage(JsonElement root)
    {
        try
        {
            return [.. JsonFields.Array(root, "results", "results").Select(item => ReadRow(item.Item, item.Path))];
        }
        catch (FieldException e)
        {
            throw new ChannelResponseException($"googleAds:search answered a row SalesDash cannot read: {e.Message}");
        }
    }

    private CampaignDay ReadRow(JsonElement row, string path)
    {
        var campaign = JsonFields.Object(row, "campaign", $"{path}.campaign");
        var metrics = JsonFields.OptionalObject(row, "metrics", $"{path}.metrics");
        var segments = JsonFields.Object(row, "segments", $"{path}.segments");
        var customer = JsonFields.OptionalObject(row, "customer", $"{path}.customer");
        var micros = metrics is { } m ? JsonFields.OptionalLong(m, "costMicros", $"{path}.metrics.costMicros") ?? 0 : 0;
        var totals = new AdSpendLedger.Totals(
            micros / 1_000_000m,
            metrics is { } mc ? JsonFields.OptionalLong(mc, "clicks", $"{path}.metrics.clicks") ?? 0 : 0,
            metrics is { } mi ? JsonFields.OptionalLong(mi, "impressions", $"{path}.metrics.impressions") ?? 0 : 0);
        var day = ReportDays.Parse(JsonFields.String(segments, "date", $"{path}.segments.date"), $"{path}.segments.date");
        var currency = customer is { } cu ? JsonFields.OptionalString(cu, "currencyCode", $"{path}.customer.currencyCode") ?? _store.Currency : _store.Currency;
        return new CampaignDay(JsonFields.Id(campaign, "id", $"{path}.campaign.id"), JsonFields.OptionalString(campaign, "name", $"{path}.campaign.name"),
            day, totals, currency);
    }

    private HttpRequestMessage Search(object body, string? token)
    {
        var url = $"{_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{_settings.ApiVersion.Trim('/')}/customers/{Uri.EscapeDataString(_settings.CustomerId)}/googleAds:search";
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("developer-token", _settings.DeveloperToken);
        if (!string.IsNullOrWhiteSpace(_settings.LoginCustomerId))
        {
            request.Headers.TryAddWithoutValidation("login-customer-id", _settings.LoginCustomerId);
        }

        return request;
    }
}
