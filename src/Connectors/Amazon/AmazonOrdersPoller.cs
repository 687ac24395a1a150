using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Amazon;

/// <summary>Where and what to read from the Selling Partner API.</summary>
/// <param name="Endpoint">The regional SP-API host, e.g. https://sellingpartnerapi-eu.amazon.com.</param>
/// <param name="MarketplaceIds">The marketplaces to read orders from (e.g. A1F83G8C2ARO7P for amazon.co.uk).</param>
/// <param name="InitialSince">Where the very first poll starts (LastUpdatedAfter) when no cursor is stored.</param>
public sealed record AmazonSettings(Uri Endpoint, IReadOnlyList<string> MarketplaceIds, DateTimeOffset InitialSince);

/// <summary>
/// Polls SP-API Orders v0 getOrders with LastUpdatedAfter and follows NextToken, fetching each order's items
/// (getOrderItems) for units. The cursor holds the query start, the NextToken in flight and the newest LastUpdateDate
/// seen, and is saved after every page once its events are durable; a restart resumes at the same page.
/// Requests carry the LWA access token in x-amz-access-token (SP-API "Connecting to the Selling Partner API").
/// </summary>
public sealed class AmazonOrdersPoller : IChannelPoller
{
    public const string Stream = "amazon-orders";

    private readonly ChannelHttp _http;
    private readonly IAccessTokenSource _tokens;
    private readonly AmazonSettings _settings;
    private readonly StoreProfile _store;
    private readonly TypedCursor<AmazonCursor> _cursor;
    private readonly TimeProvider _time;

    public AmazonOrdersPoller(ChannelHttp http, IAccessTokenSource tokens, AmazonSettings settings, StoreProfile store, ICursorStore cursors, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        if (settings.MarketplaceIds.Count == 0)
        {
            throw new ArgumentException("At least one marketplace id is needed.", nameof(settings));
        }

        (_http, _tokens, _settings, _store, _time) = (http, tokens, settings, store, time);
        _cursor = new TypedCursor<AmazonCursor>(cursors, store.Store, Stream);
    }

    public SalesChannel Channel => SalesChannel.Amazon;

    public async Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        using var document = await _http.GetJsonAsync(token => Request(OrdersUrl(_time.GetUtcNow().AddDays(-1), null, maxResults: 1), token), _tokens, cancellationToken);
        var orders = Payload(document.RootElement).TryGetProperty("Orders", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        return new ConnectionCheck(true, $"Connected to the Selling Partner API for {string.Join(", ", _settings.MarketplaceIds)} ({orders} order(s) updated in the last day on the first page).");
    }

    public async Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var cursor = await _cursor.LoadAsync(cancellationToken) ?? new AmazonCursor(_settings.InitialSince, null, null);
        var published = 0;
        var pages = 0;
        var seen = 0;
        while (true)
        {
            var url = OrdersUrl(cursor.UpdatedAfter, cursor.NextToken, maxResults: 100);
            using var document = await _http.GetJsonAsync(token => Request(url, token), _tokens, cancellationToken);
            pages++;
            var payload = Payload(document.RootElement);
            var events = new List<CommerceEvent>();
            var highWater = cursor.HighWater;
            try
            {
                foreach (var (order, path) in JsonFields.Array(payload, "Orders", "payload.Orders", required: true))
                {
                    seen++;
                    var updated = JsonFields.Date(order, "LastUpdateDate", $"{path}.LastUpdateDate");
                    highWater = highWater is null || updated > highWater ? updated : highWater;
                    var orderId = JsonFields.String(order, "AmazonOrderId", $"{path}.AmazonOrderId");
                    var lines = AmazonOrderNormalizer.IsCountable(order) ? await ItemsAsync(orderId, cancellationToken) : [];
                    if (AmazonOrderNormalizer.Read(order, path, lines, _store) is { } commerceEvent)
                    {
                        events.Add(commerceEvent);
                    }
                }
            }
            catch (FieldException e)
            {
                throw new ChannelResponseException($"getOrders answered an order SalesDash cannot read: {e.Message}");
            }

            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
            var next = JsonFields.OptionalString(payload, "NextToken", "payload.NextToken");
            cursor = next is { Length: > 0 }
                ? cursor with { NextToken = next, HighWater = highWater }
                : new AmazonCursor(highWater ?? cursor.UpdatedAfter, null, null);
            await _cursor.SaveAsync(cursor, cancellationToken);
            if (cursor.NextToken is null)
            {
                break;
            }
        }

        return new PollOutcome(published, pages, $"{seen} order(s) read, {published} new event(s); next poll from {cursor.UpdatedAfter.UtcDateTime:O}");
    }

    private async Task<IReadOnlyList<OrderLine>> ItemsAsync(string orderId, CancellationToken cancellationToken)
    {
        var lines = new List<OrderLine>();
        string? next = null;
        do
        {
            var url = $"{_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/orders/v0/orders/{Uri.EscapeDataString(orderId)}/orderItems"
                + (next is null ? string.Empty : "?NextToken=" + Uri.EscapeDataString(next));
            using var document = await _http.GetJsonAsync(token => Request(url, token), _tokens, cancellationToken);
            var payload = Payload(document.RootElement);
            try
            {
                lines.AddRange(AmazonOrderNormalizer.ReadItems(payload));
            }
            catch (FieldException e)
            {
                throw new ChannelResponseException($"getOrderItems for {orderId} answered an item SalesDash cannot read: {e.Message}");
            }

            next = JsonFields.OptionalString(payload, "NextToken", "payload.NextToken");
        }
        while (!string.IsNullOrEmpty(next));

        return lines;
    }

    private string OrdersUrl(DateTimeOffset updatedAfter, string? nextToken, int maxResults)
    {
        var query = new List<string> { "MarketplaceIds=" + Uri.EscapeDataString(string.Join(',', _settings.MarketplaceIds)) };
        if (nextToken is not null)
        {
            // With NextToken the other filters must not change, and Amazon ignores them; the token carries the query.
            query.Add("NextToken=" + Uri.EscapeDataString(nextToken));
        }
        else
        {
            query.Add("LastUpdatedAfter=" + Uri.EscapeDataString(updatedAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
            query.Add("MaxResultsPerPage=" + maxResults.ToString(CultureInfo.InvariantCulture));
        }

        return $"{_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/orders/v0/orders?{string.Join('&', query)}";
    }

    private static HttpRequestMessage Request(string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("x-amz-access-token", token);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private static JsonElement Payload(JsonElement root)
    {
        if (root.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object)
        {
            return payload;
        }

        var errors = root.TryGetProperty("errors", out var list) ? list.GetRawText() : root.GetRawText();
        throw new ChannelResponseException($"SP-API answered without a payload: {ChannelHttp.Excerpt(errors)}");
    }

    private sealed record AmazonCursor(DateTimeOffset UpdatedAfter, string? NextToken, DateTimeOffset? HighWater);
}
