using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Recommendations;

/// <summary>A row kept per store and channel, so one filter finds a store's (or a store's channel's) rows of either table.</summary>
public interface IStoreChannelRow
{
    string TenantId { get; }
    string StoreId { get; }
    string Channel { get; }
}

/// <summary>One SKU of one store as one channel's catalogue last listed it: its category and, where the channel tracks it, stock on hand.</summary>
public sealed class ProductCatalogueRow : IStoreChannelRow
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
public sealed class ProductCatalogueReadRow : IStoreChannelRow
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

    /// <summary>
    /// The channel refused the read (401/403: a Shopify token without read_products, an SP-API grant without the inventory
    /// role): reconnecting is the fix, so the page asks for that, and the read waits for the connection to be saved again
    /// (or a day, in case access was granted on the channel's side) instead of failing every hour.
    /// </summary>
    public bool AccessDenied { get; set; }
}

/// <summary>The last try at a store's catalogue from one channel: when, and whether the channel refused access.</summary>
public sealed record CatalogueTry(DateTimeOffset AttemptedAt, bool AccessDenied);

/// <summary>How a channel's catalogue stands for the page: read, failed, or waiting for the merchant to reconnect.</summary>
/// <param name="State">"read", "failed" or "reconnect".</param>
/// <param name="Detail">The channel's own words when the last try failed.</param>
public sealed record CatalogueStatus(string Channel, string State, DateTimeOffset? ReadAt, int Items, DateTimeOffset AttemptedAt, string? Message, string? Detail);

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

    /// <summary>A refused read is tried again after this long even if the connection is not saved again: Amazon's roles, say, can be granted in Seller Central.</summary>
    public static readonly TimeSpan DeniedRetryInterval = TimeSpan.FromDays(1);

    /// <summary>The last try at the store's catalogue from this channel; null when never tried.</summary>
    public async Task<CatalogueTry?> LastTryAsync(StoreRef store, SalesChannel channel, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var last = await Of(db.Set<ProductCatalogueReadRow>().AsNoTracking(), store, channel.ToString())
            .Select(r => new { r.AttemptedAt, r.AccessDenied }).FirstOrDefaultAsync(cancellationToken);
        return last is null ? null : new CatalogueTry(StoredTime.To(last.AttemptedAt), last.AccessDenied);
    }

    /// <summary>
    /// Whether a read is due after <paramref name="last"/>: an interval after an ordinary try; after a refusal, once the
    /// connection has been saved since (a reconnect) or <see cref="DeniedRetryInterval"/> has passed. A null
    /// <paramref name="connectionSavedAt"/> asks only whether it could be due, before the connection is read.
    /// </summary>
    public static bool IsDue(CatalogueTry? last, DateTimeOffset now, DateTimeOffset? connectionSavedAt = null) => last switch
    {
        null => true,
        { AccessDenied: false } => now - last.AttemptedAt >= RefreshInterval,
        _ => connectionSavedAt is not { } saved || saved > last.AttemptedAt || now - last.AttemptedAt >= DeniedRetryInterval,
    };

    /// <summary>Replaces the store's rows from this channel with the read, in one transaction, so a reader never sees half a catalogue.</summary>
    public async Task SaveAsync(StoreRef store, SalesChannel channel, CatalogueRead read, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var name = channel.ToString();
        var at = StoredTime.From(readAt);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await Of(db.Set<ProductCatalogueRow>(), store, name).ExecuteDeleteAsync(cancellationToken);
        await Of(db.Set<ProductCatalogueReadRow>(), store, name).ExecuteDeleteAsync(cancellationToken);
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

    /// <summary>
    /// A failed read: the rows already read stay as they were (their read time says how old they are); the try, its error
    /// and whether the channel refused access are kept.
    /// </summary>
    public async Task RecordFailureAsync(StoreRef store, SalesChannel channel, string error, bool accessDenied, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var name = channel.ToString();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await Of(db.Set<ProductCatalogueReadRow>(), store, name).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            row = new ProductCatalogueReadRow { TenantId = store.TenantId, StoreId = store.StoreId, Channel = name };
            db.Add(row);
        }

        row.AttemptedAt = StoredTime.From(at);
        row.LastError = error;
        row.AccessDenied = accessDenied;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The store's last read (or try) of each channel's catalogue.</summary>
    public async Task<IReadOnlyList<ProductCatalogueReadRow>> ReadsAsync(StoreRef store, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await Of(db.Set<ProductCatalogueReadRow>().AsNoTracking(), store).ToListAsync(cancellationToken);
    }

    /// <summary>Each channel's catalogue as the page shows it, a refusal worded as what the merchant should do.</summary>
    public async Task<IReadOnlyList<CatalogueStatus>> StatusesAsync(StoreRef store, CancellationToken cancellationToken) =>
    [
        .. (await ReadsAsync(store, cancellationToken)).OrderBy(r => r.Channel, StringComparer.Ordinal).Select(r => new CatalogueStatus(
            r.Channel, r.AccessDenied ? "reconnect" : r.LastError is null ? "read" : "failed",
            r.ReadAt is { } read ? StoredTime.To(read) : null, r.Items, StoredTime.To(r.AttemptedAt),
            r.AccessDenied
                ? $"{r.Channel} has not given SalesDash access to the store's products. Reconnect {r.Channel} to grant product access; until then categories and stock from it are not used."
                : r.LastError is null ? null : $"The last read of {r.Channel}'s catalogue failed; what was read before is kept.",
            r.LastError)),
    ];

    /// <summary>
    /// Each SKU once across the store's channels: the category of the newest read that names one, and the stock of the
    /// newest read that tracks it (channels that sell the same goods share one stock, so counts are not added up).
    /// </summary>
    public async Task<IReadOnlyList<CatalogueEntry>> ReadAsync(StoreRef store, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await Of(db.Set<ProductCatalogueRow>().AsNoTracking(), store).ToListAsync(cancellationToken);
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

    /// <summary>The store's rows, of every channel or of <paramref name="channel"/> only.</summary>
    private static IQueryable<T> Of<T>(IQueryable<T> rows, StoreRef store, string? channel = null)
        where T : class, IStoreChannelRow
    {
        var (tenantId, storeId) = (store.TenantId, store.StoreId);
        var mine = rows.Where(r => r.TenantId == tenantId && r.StoreId == storeId);
        return channel is null ? mine : mine.Where(r => r.Channel == channel);
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
