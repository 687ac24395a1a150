using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>
/// The store directory in the app database: every node sees a store the moment any node created it. Webhook secrets
/// are stored encrypted (<see cref="IWebhookSecretProtector"/>, registered by the web host), so a copy of the database
/// alone signs nothing; without a protector (a test of the directory alone) they are stored as given.
/// </summary>
public sealed class EfStoreDirectory(IDbContextFactory<AppIdentityDbContext> databases, IWebhookSecretProtector? secrets = null) : IStoreDirectory
{
    public async Task<StoreProfile?> FindByShopDomainAsync(SalesChannel channel, string shopDomain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shopDomain);
        var name = channel.ToString();
        var domain = NormaliseDomain(shopDomain);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<StoreRow>().AsNoTracking().SingleOrDefaultAsync(s => s.Channel == name && s.ShopDomain == domain, cancellationToken);
        return row is null ? null : ToProfile(row);
    }

    public async Task<StoreProfile?> GetAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<StoreRow>().AsNoTracking()
            .SingleOrDefaultAsync(s => s.TenantId == store.TenantId && s.StoreId == store.StoreId, cancellationToken);
        return row is null ? null : ToProfile(row);
    }

    public async Task<IReadOnlyList<StoreProfile>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<StoreRow>().AsNoTracking().OrderBy(s => s.TenantId).ThenBy(s => s.StoreId).ToListAsync(cancellationToken);
        return [.. rows.Select(ToProfile)];
    }

    public async Task<IReadOnlyList<StoreProfile>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<StoreRow>().AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.StoreId).ToListAsync(cancellationToken);
        return [.. rows.Select(ToProfile)];
    }

    public async Task UpsertAsync(StoreProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<StoreRow>().SingleOrDefaultAsync(s => s.TenantId == profile.Store.TenantId && s.StoreId == profile.Store.StoreId, cancellationToken);
        if (row is null)
        {
            row = new StoreRow
            {
                TenantId = profile.Store.TenantId, StoreId = profile.Store.StoreId, Name = "", Channel = "", ShopDomain = "", Currency = "", TimeZone = "", WebhookSecret = "",
            };
            db.Set<StoreRow>().Add(row);
        }

        row.Name = profile.Name;
        row.Channel = profile.Channel.ToString();
        row.ShopDomain = NormaliseDomain(profile.ShopDomain);
        row.Currency = profile.Currency;
        row.TimeZone = profile.TimeZone;
        row.WebhookSecret = secrets?.Protect(profile.WebhookSecret) ?? profile.WebhookSecret;
        row.DisconnectedAt = StoredTime.From(profile.DisconnectedAt);

        // A shop domain already held by another store is refused by the unique index (DbUpdateException).
        await db.SaveChangesAsync(cancellationToken);
    }

    // Shop domains arrive in webhook headers in whatever case the platform sends; they compare case-insensitively.
    private static string NormaliseDomain(string shopDomain) => shopDomain.Trim().ToLowerInvariant();

    private StoreProfile ToProfile(StoreRow row) => new(
        new StoreRef(row.TenantId, row.StoreId), row.Name, Enum.Parse<SalesChannel>(row.Channel), row.ShopDomain, row.Currency, row.TimeZone,
        secrets?.Unprotect(row.WebhookSecret) ?? row.WebhookSecret)
    {
        DisconnectedAt = StoredTime.To(row.DisconnectedAt),
    };
}
