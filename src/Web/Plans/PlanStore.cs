using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>An organisation's chosen tier, as stored when its owner set it.</summary>
public sealed record StoredPlan(string TenantId, PlanTier Tier, DateTimeOffset UpdatedAt, string? UpdatedBy);

/// <summary>The tiers organisations have chosen; an organisation without a row is on its configured tier.</summary>
public interface IPlanStore
{
    Task<StoredPlan?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task SaveAsync(StoredPlan plan, CancellationToken cancellationToken);
}

/// <summary>Plans in the app database, beside the organisations they belong to.</summary>
public sealed class EfPlanStore(IDbContextFactory<AppIdentityDbContext> databases) : IPlanStore
{
    public async Task<StoredPlan?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<OrganisationPlanRow>().AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, cancellationToken);

        // A tier name a later version removed reads as the configured default rather than failing every request.
        return row is not null && Enum.TryParse<PlanTier>(row.Tier, out var tier)
            ? new StoredPlan(tenantId, tier, StoredTime.To(row.UpdatedAt), row.UpdatedBy)
            : null;
    }

    public async Task SaveAsync(StoredPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var tier = plan.Tier.ToString();
        var at = StoredTime.From(plan.UpdatedAt);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "OrganisationPlans" ("TenantId", "Tier", "UpdatedAt", "UpdatedBy") VALUES ({plan.TenantId}, {tier}, {at}, {plan.UpdatedBy})
            ON CONFLICT ("TenantId") DO UPDATE SET "Tier" = excluded."Tier", "UpdatedAt" = excluded."UpdatedAt", "UpdatedBy" = excluded."UpdatedBy"
            """, cancellationToken);
    }
}
