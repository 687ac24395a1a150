using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.Amazon;

/// <summary>
/// Reads an Amazon seller's catalogue through SP-API with the orders poller's LWA token: FBA Inventory v1
/// getInventorySummaries (GET /fba/inventory/v1/summaries, details=true, granularityType=Marketplace, followed by
/// pagination.nextToken) for each SKU's fulfillable quantity, then Catalog Items 2022-04-01 searchCatalogItems (GET
/// /catalog/2022-04-01/items by up to 20 ASINs, includedData=summaries) for each ASIN's browse classification as its
/// category. Inventory is read for the first marketplace only: FBA pools (North America's unified pool, pan-European
/// FBA) answer the same units for every marketplace of the pool, so adding marketplaces would count one shelf twice.
/// </summary>
public sealed class AmazonCatalogueReader(ChannelHttp http, IAccessTokenSource tokens, AmazonSettings settings) : ICatalogueReader
{
    /// <summary>searchCatalogItems takes at most 20 identifiers a call, and answers at most 20 items a page.</summary>
    public const int AsinsPerCall = 20;

    public async Task<CatalogueRead> ReadCatalogueAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MarketplaceIds.Count == 0)
        {
            throw new InvalidOperationException("An Amazon connection needs at least one marketplace id.");
        }

        var marketplace = settings.MarketplaceIds[0];
        var pages = 0;
        var summaries = new List<(string? Sku, string? Asin, long? OnHand)>();
        string? next = null;
        do
        {
            var url = $"{Base}/fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId={Uri.EscapeDataString(marketplace)}"
                + $"&marketplaceIds={Uri.EscapeDataString(marketplace)}" + (next is null ? string.Empty : "&nextToken=" + Uri.EscapeDataString(next));
            using var document = await http.GetJsonAsync(token => Request(url, token), tokens, cancellationToken);
            pages++;
            next = Read("getInventorySummaries", () =>
            {
                var payload = JsonFields.Object(document.RootElement, "payload", "payload");
                foreach (var (summary, path) in JsonFields.Array(payload, "inventorySummaries", "payload.inventorySummaries", required: true))
                {
                    // Without inventoryDetails Amazon has not said what is sellable: unknown, not none.
                    var details = JsonFields.OptionalObject(summary, "inventoryDetails", $"{path}.inventoryDetails");
                    summaries.Add((JsonFields.OptionalString(summary, "sellerSku", $"{path}.sellerSku"), JsonFields.OptionalString(summary, "asin", $"{path}.asin"),
                        details is { } d ? JsonFields.OptionalLong(d, "fulfillableQuantity", $"{path}.inventoryDetails.fulfillableQuantity") : null));
                }

                return JsonFields.OptionalObject(document.RootElement, "pagination", "pagination") is { } pagination
                    ? JsonFields.OptionalString(pagination, "nextToken", "pagination.nextToken")
                    : null;
            });
        }
        while (!string.IsNullOrEmpty(next));

        // Only ASINs with a SKU are worth a category: history keys products by SKU, and the rest are left out anyway.
        var asins = summaries.Where(s => !string.IsNullOrWhiteSpace(s.Sku)).Select(s => s.Asin).OfType<string>().Where(a => a.Length > 0)
            .Distinct(StringComparer.Ordinal).ToList();
        var categories = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var chunk in asins.Chunk(AsinsPerCall))
        {
            pages += await CategoriesAsync(chunk, marketplace, categories, cancellationToken);
        }

        var catalogue = new CatalogueBuilder();
        foreach (var (sku, asin, onHand) in summaries)
        {
            catalogue.Add(sku, asin is null ? null : categories.GetValueOrDefault(asin), onHand);
        }

        return catalogue.Build(pages);
    }

    /// <summary>
    /// The browse classification's name of each ASIN (else its website display group, Amazon's coarser product group);
    /// an ASIN the catalogue does not answer stays without a category. Returns the pages read.
    /// </summary>
    private async Task<int> CategoriesAsync(string[] asins, string marketplace, Dictionary<string, string?> categories, CancellationToken cancellationToken)
    {
        var pages = 0;
        string? pageToken = null;
        do
        {
            var url = $"{Base}/catalog/2022-04-01/items?identifiers={Uri.EscapeDataString(string.Join(',', asins))}&identifiersType=ASIN"
                + $"&marketplaceIds={Uri.EscapeDataString(marketplace)}&includedData=summaries&pageSize={AsinsPerCall.ToString(CultureInfo.InvariantCulture)}"
                + (pageToken is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken));
            using var document = await http.GetJsonAsync(token => Request(url, token), tokens, cancellationToken);
            pages++;
            pageToken = Read("searchCatalogItems", () =>
            {
                foreach (var (item, path) in JsonFields.Array(document.RootElement, "items", "items", required: true))
                {
                    var asin = JsonFields.String(item, "asin", $"{path}.asin");
                    var summary = JsonFields.Array(item, "summaries", $"{path}.summaries")
                        .FirstOrDefault(s => JsonFields.OptionalString(s.Item, "marketplaceId", $"{s.Path}.marketplaceId") == marketplace);
                    if (summary.Path is null)
                    {
                        continue;
                    }

                    var browse = JsonFields.OptionalObject(summary.Item, "browseClassification", $"{summary.Path}.browseClassification");
                    categories[asin] = (browse is { } b ? JsonFields.OptionalString(b, "displayName", $"{summary.Path}.browseClassification.displayName") : null)
                        ?? JsonFields.OptionalString(summary.Item, "websiteDisplayGroupName", $"{summary.Path}.websiteDisplayGroupName");
                }

                return JsonFields.OptionalObject(document.RootElement, "pagination", "pagination") is { } pagination
                    ? JsonFields.OptionalString(pagination, "nextToken", "pagination.nextToken")
                    : null;
            });
        }
        while (!string.IsNullOrEmpty(pageToken));

        return pages;
    }

    private string Base => settings.Endpoint.AbsoluteUri.TrimEnd('/');

    private static T Read<T>(string operation, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FieldException e)
        {
            throw new ChannelResponseException($"{operation} answered something SalesDash cannot read: {e.Message}");
        }
    }

    private static HttpRequestMessage Request(string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("x-amz-access-token", token);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }
}

/// <summary>
/// How SP-API says "slow down": HTTP 429 with the operation's rate in x-amzn-RateLimit-Limit (requests a second) and,
/// usually, no Retry-After. The wait is Retry-After when given, else one request's worth of the stated rate.
/// </summary>
public static class AmazonRateLimits
{
    public static ChannelHttpOptions Options(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return new ChannelHttpOptions { Classify = (response, _) => ValueTask.FromResult(Classify(response, time.GetUtcNow())) };
    }

    public static ResponseClass Classify(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        var verdict = ChannelHttp.ClassifyByStatus(response, now);
        if (verdict is { Kind: ResponseKind.Throttled, RetryAfter: null }
            && response.Headers.TryGetValues("x-amzn-RateLimit-Limit", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond) && perSecond > 0)
        {
            return verdict with { RetryAfter = TimeSpan.FromSeconds(Math.Min(1 / perSecond, 3600)) };
        }

        return verdict;
    }
}
