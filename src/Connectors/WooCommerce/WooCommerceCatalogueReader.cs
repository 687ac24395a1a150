using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.WooCommerce;

/// <summary>The WooCommerce REST API key of a store (WooCommerce → Settings → Advanced → REST API, read access).</summary>
/// <param name="SiteUrl">The shop's https address ending in a slash, e.g. https://shop.example.com/ (or https://example.com/shop/).</param>
public sealed record WooCommerceRestKey(Uri SiteUrl, string ConsumerKey, string ConsumerSecret);

/// <summary>
/// Reads a WooCommerce catalogue through the REST API v3: GET /wp-json/wc/v3/products page by page (per_page=100, as many
/// pages as X-WP-TotalPages says), and for each variable product its variations. A product's category is the first of
/// its categories[].name; stock is stock_quantity where manage_stock is true. A variation whose stock is kept by its
/// parent (manage_stock "parent") is counted once, under the parent's SKU. Keys go as HTTP Basic over HTTPS, which is
/// how WooCommerce documents them for https sites.
/// </summary>
public sealed class WooCommerceCatalogueReader(ChannelHttp http, WooCommerceRestKey key) : ICatalogueReader
{
    /// <summary>WooCommerce's largest page.</summary>
    public const int PageSize = 100;

    public async Task<CatalogueRead> ReadCatalogueAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(cancellationToken);
        }
        catch (FieldException e)
        {
            throw new ChannelResponseException($"WooCommerce's products answered something SalesDash cannot read: {e.Message}");
        }
    }

    private async Task<CatalogueRead> ReadAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var catalogue = new CatalogueBuilder();
        var pages = 0;
        var variable = new List<(string Id, string? Category)>();
        await foreach (var (product, path) in PagesAsync("products", () => pages++, cancellationToken))
        {
            var category = JsonFields.Array(product, "categories", $"{path}.categories").Select(c => JsonFields.OptionalString(c.Item, "name", $"{c.Path}.name")).FirstOrDefault();
            catalogue.Add(JsonFields.OptionalString(product, "sku", $"{path}.sku"), category, Stock(product, path));
            if (JsonFields.OptionalString(product, "type", $"{path}.type") == "variable")
            {
                variable.Add((JsonFields.Id(product, "id", $"{path}.id"), category));
            }
        }

        foreach (var (id, category) in variable)
        {
            await foreach (var (variation, path) in PagesAsync($"products/{Uri.EscapeDataString(id)}/variations", () => pages++, cancellationToken))
            {
                var sku = JsonFields.OptionalString(variation, "sku", $"{path}.sku");
                catalogue.Add(sku, category, Stock(variation, path));
            }
        }

        return catalogue.Build(pages);
    }

    /// <summary>stock_quantity when the item keeps its own stock (manage_stock true); "parent" or false count nothing here.</summary>
    private static long? Stock(JsonElement item, string path) =>
        item.TryGetProperty("manage_stock", out var manage) && manage.ValueKind == JsonValueKind.True
            ? JsonFields.OptionalLong(item, "stock_quantity", $"{path}.stock_quantity") ?? 0
            : null;

    private async IAsyncEnumerable<(JsonElement Item, string Path)> PagesAsync(string resource, Action counted,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var total = 1;
        for (var page = 1; page <= total; page++)
        {
            var url = new Uri(key.SiteUrl, $"wp-json/wc/v3/{resource}?per_page={PageSize}&page={page}");
            using var response = await http.SendAsync(_ => Request(url), null, cancellationToken);
            counted();
            if (page == 1 && response.Headers.TryGetValues("X-WP-TotalPages", out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
            {
                total = pages;
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            List<(JsonElement Item, string Path)> items;
            try
            {
                using var document = JsonFields.ParseArray(body);
                items = [.. JsonFields.Items(document.RootElement, $"{resource}[page {page}]").Select(i => (i.Item.Clone(), i.Path))];
            }
            catch (FieldException e)
            {
                throw new ChannelResponseException($"{resource} did not answer a list of products: {e.Message}");
            }

            foreach (var item in items)
            {
                yield return item;
            }
        }
    }

    private HttpRequestMessage Request(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key.ConsumerKey}:{key.ConsumerSecret}")));
        return request;
    }
}
