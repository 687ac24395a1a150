using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>Each organisation's own branding, kept whatever its plan; the plan decides whether it is shown.</summary>
public interface IBrandingStore
{
    Task<Branding?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task SaveAsync(string tenantId, Branding branding, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the organisation's branding; false when it had none.</summary>
    Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>Branding in the app database; the logo is a data URI already checked by <see cref="BrandingValidation"/>.</summary>
public sealed class EfBrandingStore(IDbContextFactory<AppIdentityDbContext> databases) : IBrandingStore
{
    public async Task<Branding?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<OrganisationBrandingRow>().AsNoTracking().SingleOrDefaultAsync(b => b.TenantId == tenantId, cancellationToken);
        return row is null ? null : new Branding(row.ProductName, row.PrimaryColour, row.AccentColour, row.Logo);
    }

    public async Task SaveAsync(string tenantId, Branding branding, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(branding);
        var stamp = StoredTime.From(at);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "OrganisationBranding" ("TenantId", "ProductName", "PrimaryColour", "AccentColour", "Logo", "UpdatedAt")
            VALUES ({tenantId}, {branding.ProductName}, {branding.PrimaryColour}, {branding.AccentColour}, {branding.LogoDataUri}, {stamp})
            ON CONFLICT ("TenantId") DO UPDATE SET "ProductName" = excluded."ProductName", "PrimaryColour" = excluded."PrimaryColour",
                "AccentColour" = excluded."AccentColour", "Logo" = excluded."Logo", "UpdatedAt" = excluded."UpdatedAt"
            """, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<OrganisationBrandingRow>().Where(b => b.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }
}

/// <summary>The branding in force: the organisation's own when its plan includes white-label, else SalesDash's.</summary>
public sealed class StoredBranding(IBrandingStore store, IPlanService plans) : IOrganisationBranding
{
    public async Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        (await plans.GetLimitsAsync(tenantId, cancellationToken)).WhiteLabel && await store.GetAsync(tenantId, cancellationToken) is { } own
            ? own
            : Branding.SalesDash;
}
