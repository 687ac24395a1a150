using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Polling;

/// <summary>One SKU as a channel's catalogue lists it.</summary>
/// <param name="Category">The product's category (Shopify's product type, WooCommerce's first category); null when it has none.</param>
/// <param name="OnHand">Units in stock; null when the channel does not track this product's stock, which is not the same as none.</param>
public sealed record CatalogueItem(string Sku, string? Category, long? OnHand);

/// <summary>A whole read of a channel's catalogue: every SKU once, and how many variants were left out for having no SKU.</summary>
public sealed record CatalogueRead(IReadOnlyList<CatalogueItem> Items, int Pages, int WithoutSku);

/// <summary>
/// A channel whose API lists the store's products: their categories and, where the channel tracks it, stock on hand. Read
/// whole each time (catalogues have no "changed since" that covers stock), so a product deleted on the channel goes too.
/// </summary>
public interface ICatalogueReader
{
    Task<CatalogueRead> ReadCatalogueAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A channel whose catalogue is read apart from its orders (WooCommerce's orders come by webhook): the reader for a
/// connection, or null when the connection has not been given what the catalogue needs.
/// </summary>
public interface ICatalogueModule
{
    SalesChannel Channel { get; }

    /// <exception cref="InvalidOperationException">A stored value the reader would use is unsafe or malformed (named in the message).</exception>
    ICatalogueReader? CreateCatalogueReader(ConnectionValues values, PollerContext context);
}

/// <summary>Builds a <see cref="CatalogueRead"/> from variants as they are read, one entry per SKU.</summary>
public sealed class CatalogueBuilder
{
    private readonly Dictionary<string, CatalogueItem> _items = new(StringComparer.Ordinal);
    private int _withoutSku;

    /// <summary>
    /// Adds a variant. Its SKU is what history's products are keyed by, so one without a SKU is counted and left out.
    /// The same SKU twice (two variants, or two products, sharing it) keeps the first category and adds the stock both
    /// track, since they are the same goods on two shelves.
    /// </summary>
    public void Add(string? sku, string? category, long? onHand)
    {
        var key = sku?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            _withoutSku++;
            return;
        }

        var named = string.IsNullOrWhiteSpace(category) ? null : category.Trim();
        _items[key] = _items.TryGetValue(key, out var held)
            ? new CatalogueItem(key, held.Category ?? named, held.OnHand is null && onHand is null ? null : (held.OnHand ?? 0) + (onHand ?? 0))
            : new CatalogueItem(key, named, onHand);
    }

    public CatalogueRead Build(int pages) => new([.. _items.Values.OrderBy(i => i.Sku, StringComparer.Ordinal)], pages, _withoutSku);
}
