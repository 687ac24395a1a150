using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.ShopifyAdmin;

/// <param name="ShopUrl">https://{shop}.myshopify.com</param>
/// <param name="ApiVersion">The Admin API version, e.g. "2024-10".</param>
/// <param name="InitialSince">How far back the first backfill reaches (updated_at_min).</param>
public sealed record ShopifyAdminSettings(Uri ShopUrl, string ApiVersion, DateTimeOffset InitialSince);

/// <summary>
/// Backfills and reconciles Shopify orders through the Admin REST API (GET orders.json?status=any&amp;updated_at_min=...),
/// following the Link header's rel="next" page_info cursor. Each order and each of its refunds goes through the same
/// normaliser as the webhooks, with ids that agree with them (order id + updated_at version, refund id), so an order
/// seen by both paths is counted once. Shopify throttles with 429 and Retry-After ("2.0"), refuses a bad token with 401.
/// It also reads the catalogue (products.json): each variant's SKU, its product's product_type as the category, and its
/// inventory_quantity when Shopify tracks its stock (inventory_management "shopify").
/// </summary>
public sealed class ShopifyBackfillPoller : IChannelPoller, ICatalogueReader
{
    public const string Stream = "shopify-orders";

    private readonly ChannelHttp _http;
    private readonly IAccessTokenSource _tokens;
    private readonly ShopifyAdminSettings _settings;
    private readonly StoreProfile _store;
    private readonly TypedCursor<ShopifyCursor> _cursor;

    public ShopifyBackfillPoller(ChannelHttp http, IAccessTokenSource tokens, ShopifyAdminSettings settings, StoreProfile store, ICursorStore cursors)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        (_http, _tokens, _settings, _store) = (http, tokens, settings, store);
        _cursor = new TypedCursor<ShopifyCursor>(cursors, store.Store, Stream);
    }

    public SalesChannel Channel => SalesChannel.Shopify;

    public async Task<ConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken)
    {
        using var document = await _http.GetJsonAsync(token => Request($"{Base}/shop.json", token), _tokens, cancellationToken);
        var shop = JsonFields.OptionalObject(document.RootElement, "shop", "shop");
        var name = shop is { } s ? JsonFields.OptionalString(s, "name", "shop.name") : null;
        return new ConnectionCheck(true, $"Connected to Shopify shop '{name ?? _settings.ShopUrl.Host}'.");
    }

    public async Task<PollOutcome> PollAsync(ICommerceEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var cursor = await _cursor.LoadAsync(cancellationToken) ?? new ShopifyCursor(_settings.InitialSince, null, null);
        var pages = 0;
        var published = 0;
        var orders = 0;
        while (true)
        {
            var url = cursor.NextPage ?? $"{Base}/orders.json?status=any&limit=250&order=updated_at%20asc&updated_at_min="
                + Uri.EscapeDataString(cursor.UpdatedAtMin.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(token => Request(url, token), _tokens, cancellationToken);
            pages++;
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var events = new List<CommerceEvent>();
            var highWater = cursor.HighWater;
            try
            {
                using var document = JsonFields.ParseObject(body);
                foreach (var (order, path) in JsonFields.Array(document.RootElement, "orders", "orders", required: true))
                {
                    orders++;
                    var id = JsonFields.Id(order, "id", $"{path}.id");
                    var updated = JsonFields.OptionalDate(order, "updated_at", $"{path}.updated_at") ?? JsonFields.Date(order, "created_at", $"{path}.created_at");
                    highWater = highWater is null || updated > highWater ? updated : highWater;
                    events.AddRange(Normalize(ShopifyTopics.OrdersUpdated, order, $"shopify-backfill:{id}:{updated.ToUnixTimeMilliseconds()}", path));
                    foreach (var (refund, refundPath) in JsonFields.Array(order, "refunds", $"{path}.refunds"))
                    {
                        var refundId = JsonFields.Id(refund, "id", $"{refundPath}.id");
                        events.AddRange(Normalize(ShopifyTopics.RefundsCreate, refund, $"shopify-backfill:refund:{refundId}", refundPath));
                    }
                }
            }
            catch (FieldException e)
            {
                throw new ChannelResponseException($"orders.json answered something SalesDash cannot read: {e.Message}");
            }

            published += events.Count == 0 ? 0 : await sink.PublishAsync(events, cancellationToken);
            var next = NextLink(response);
            cursor = next is not null
                ? cursor with { NextPage = next, HighWater = highWater }
                : new ShopifyCursor(highWater ?? cursor.UpdatedAtMin, null, null);
            await _cursor.SaveAsync(cursor, cancellationToken);
            if (next is null)
            {
                break;
            }
        }

        return new PollOutcome(published, pages, $"{orders} order(s) read, {published} new event(s); next poll from {cursor.UpdatedAtMin.UtcDateTime:O}");
    }

    public async Task<CatalogueRead> ReadCatalogueAsync(CancellationToken cancellationToken)
    {
        var catalogue = new CatalogueBuilder();
        var pages = 0;
        string? url = $"{Base}/products.json?limit=250&fields=id,product_type,variants";
        while (url is not null)
        {
            var page = url;
            using var response = await _http.SendAsync(token => Request(page, token), _tokens, cancellationToken);
            pages++;
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                using var document = JsonFields.ParseObject(body);
                foreach (var (product, path) in JsonFields.Array(document.RootElement, "products", "products", required: true))
                {
                    var category = JsonFields.OptionalString(product, "product_type", $"{path}.product_type");
                    foreach (var (variant, variantPath) in JsonFields.Array(product, "variants", $"{path}.variants"))
                    {
                        // Without inventory_management Shopify does not count the variant's stock: its quantity means nothing.
                        var tracked = JsonFields.OptionalString(variant, "inventory_management", $"{variantPath}.inventory_management") is { Length: > 0 };
                        var onHand = tracked ? JsonFields.OptionalLong(variant, "inventory_quantity", $"{variantPath}.inventory_quantity") : null;
                        catalogue.Add(JsonFields.OptionalString(variant, "sku", $"{variantPath}.sku"), category, onHand);
                    }
                }
            }
            catch (FieldException e)
            {
                throw new ChannelResponseException($"products.json answered something SalesDash cannot read: {e.Message}");
            }

            url = NextLink(response);
        }

        return catalogue.Build(pages);
    }

    private string Base => $"{_settings.ShopUrl.GetLeftPart(UriPartial.Authority)}/admin/api/{_settings.ApiVersion.Trim('/')}";

    private IEnumerable<CommerceEvent> Normalize(string topic, JsonElement item, string eventId, string path)
    {
        var result = ShopifyWebhookNormalizer.Normalize(topic, JsonSerializer.SerializeToUtf8Bytes(item), new ShopifyDelivery(eventId, null), _store);
        return result switch
        {
            ShopifyNormalizeResult.Ok ok => ok.Events,
            ShopifyNormalizeResult.Invalid invalid => throw new FieldException($"{path}: {invalid.Detail}"),
            _ => [],
        };
    }

    /// <summary>The rel="next" URL of Shopify's Link header (cursor-based pagination), only on the shop's own host.</summary>
    private string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var part in string.Join(',', values).Split(','))
        {
            var pieces = part.Split(';');
            if (pieces.Length < 2 || !pieces.Skip(1).Any(p => p.Trim().Equals("rel=\"next\"", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var link = pieces[0].Trim().TrimStart('<').TrimEnd('>');
            return Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Authority == _settings.ShopUrl.Authority
                ? uri.AbsoluteUri
                : throw new ChannelResponseException($"Shopify's next page points outside the shop: {link}");
        }

        return null;
    }

    private static HttpRequestMessage Request(string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("X-Shopify-Access-Token", token);
        return request;
    }

    private sealed record ShopifyCursor(DateTimeOffset UpdatedAtMin, string? NextPage, DateTimeOffset? HighWater);
}
