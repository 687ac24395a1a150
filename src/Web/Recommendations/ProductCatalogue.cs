using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Recommendations;

/// <summary>One SKU of one store as one channel's catalogue last listed it: its category and, where the channel tracks it, stock on hand.</summary>
public sealed class ProductCatalogueRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Channel { get; set; }
    public required string Sku { get; set; }
    public string? Category { get; set; }

    /// <summary>Null when the channel does not track this product's stock.</summary>
    public long? OnHand { get; set; }

    /// <summary>When the catalogue was read: the stock figure is as of then.</summary>
    public DateTime ReadAt { get; set; }
}

/// <summary>When a store's catalogue was last read (or tried) from a channel, so reads keep to <see cref="ProductCatalogue.RefreshInterval"/>.</summary>
public sealed class ProductCatalogueReadRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Channel { get; set; }

    /// <summary>The last whole read; null until one succeeds.</summary>
    public DateTime? ReadAt { get; set; }
    public int Items { get; set; }
    public int WithoutSku { get; set; }

    /// <summary>The last try, read or not: a failing channel is asked again an interval later, not on every scheduler tick.</summary>
    public DateTime AttemptedAt { get; set; }

    /// <summary>Why the last try failed; null when it succeeded.</summary>
    public string? LastError { get; set; }
}

/// <summary>A SKU's category and stock as the recommendations read them; <see cref="OnHand"/> null when no channel tracks its stock.</summary>
public sealed record CatalogueEntry(string Sku, string? Category, long? OnHand, DateTimeOffset ReadAt);

/// <summary>
/// The SKU → category and stock table of each store, kept in the app database from the channels' catalogues. Each read
/// replaces that channel's rows whole, so a product the channel no longer lists goes with it.
/// </summary>
public sealed class ProductCatalogue(IDbContextFactory<AppIdentityDbContext> databases)
{
    /// <summary>
    /// A catalogue is read at most hourly, on the poll that falls due after that: listing every product costs pages of the
    /// channel's rate limit on every poll otherwise, and an hour-old stock count is close enough for a restock measured in days.
    /// </summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);

    /// <summary>Whether the store's catalogue from this channel has not been tried for <see cref="RefreshInterval"/>.</summary>
    public async Task<bool> IsDueAsync(StoreRef store, SalesChannel channel, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var name = channel.ToString();
        var last = await db.Set<ProductCatalogueReadRow>().AsNoTracking()
            .Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId && r.Channel == name).Select(r => (DateTime?)r.AttemptedAt).FirstOrDefaultAsync(cancellationToken);
        return last is not { } at || now - StoredTime.To(at) >= RefreshInterval;
    }

    /// <summary>Replaces the store's rows from this channel with the read, in one transaction, so a reader never sees half a catalogue.</summary>
    public async Task SaveAsync(StoreRef store, SalesChannel channel, CatalogueRead read, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var name = channel.ToString();
        var at = StoredTime.From(readAt);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<ProductCatalogueRow>().Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId && r.Channel == name).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ProductCatalogueReadRow>().Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId && r.Channel == name).ExecuteDeleteAsync(cancellationToken);
        db.AddRange(read.Items.Select(i => new ProductCatalogueRow
        {
            TenantId = store.TenantId, StoreId = store.StoreId, Channel = name, Sku = i.Sku, Category = i.Category, OnHand = i.OnHand, ReadAt = at,
        }));
        db.Add(new ProductCatalogueReadRow
        {
            TenantId = store.TenantId, StoreId = store.StoreId, Channel = name, ReadAt = at, Items = read.Items.Count, WithoutSku = read.WithoutSku, AttemptedAt = at,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A failed read: the rows already read stay as they were (their read time says how old they are); the try and its error are kept.</summary>
    public async Task RecordFailureAsync(StoreRef store, SalesChannel channel, string error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var name = channel.ToString();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ProductCatalogueReadRow>().FirstOrDefaultAsync(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId && r.Channel == name, cancellationToken);
        if (row is null)
        {
            row = new ProductCatalogueReadRow { TenantId = store.TenantId, StoreId = store.StoreId, Channel = name };
            db.Add(row);
        }

        row.AttemptedAt = StoredTime.From(at);
        row.LastError = error;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The store's last read (or try) of each channel's catalogue.</summary>
    public async Task<IReadOnlyList<ProductCatalogueReadRow>> ReadsAsync(StoreRef store, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<ProductCatalogueReadRow>().AsNoTracking().Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Each SKU once across the store's channels: the category of the newest read that names one, and the stock of the
    /// newest read that tracks it (channels that sell the same goods share one stock, so counts are not added up).
    /// </summary>
    public async Task<IReadOnlyList<CatalogueEntry>> ReadAsync(StoreRef store, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<ProductCatalogueRow>().AsNoTracking().Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId).ToListAsync(cancellationToken);
        return
        [
            .. rows.GroupBy(r => r.Sku, StringComparer.Ordinal).Select(g =>
            {
                var newest = g.OrderByDescending(r => r.ReadAt).ThenBy(r => r.Channel, StringComparer.Ordinal).ToList();
                var stocked = newest.FirstOrDefault(r => r.OnHand is not null);
                return new CatalogueEntry(g.Key, newest.FirstOrDefault(r => r.Category is not null)?.Category, stocked?.OnHand, StoredTime.To((stocked ?? newest[0]).ReadAt));
            }),
        ];
    }

    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<ProductCatalogueRow>(e =>
        {
            e.ToTable("ProductCatalogue");
            e.HasKey(r => new { r.TenantId, r.StoreId, r.Channel, r.Sku });
        });
        builder.Entity<ProductCatalogueReadRow>(e =>
        {
            e.ToTable("ProductCatalogueReads");
            e.HasKey(r => new { r.TenantId, r.StoreId, r.Channel });
        });
    }
}
