using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// Dashboards and share links in the app database, so a board saved through one node opens on every other. Layout and
/// widgets are JSON columns: they are always read and written whole, and their shape belongs to the front end.
/// </summary>
public sealed class EfDashboardStore(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider clock) : IDashboardStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<DashboardSummary>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<DashboardRow>().AsNoTracking().Where(d => d.TenantId == tenantId).ToListAsync(cancellationToken);

        // Case-insensitive by name the same way on both providers, so sorted here rather than by each database's collation.
        return [.. rows.Select(ToDashboard)
            .OrderBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.CreatedAt)
            .Select(d => new DashboardSummary(d.Id, d.Name, d.Widgets.Count, d.CreatedAt, d.UpdatedAt))];
    }

    public async Task<Dashboard?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<DashboardRow>().AsNoTracking().SingleOrDefaultAsync(d => d.TenantId == tenantId && d.Id == id, cancellationToken);
        return row is null ? null : ToDashboard(row);
    }

    public async Task<Dashboard> CreateAsync(string tenantId, DashboardInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = StoredTime.Truncate(clock.GetUtcNow());
        var dashboard = new Dashboard(Guid.CreateVersion7(now).ToString("N"), tenantId, input.Name.Trim(), input.Layout, input.Widgets, now, now);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Set<DashboardRow>().Add(new DashboardRow
        {
            Id = dashboard.Id, TenantId = tenantId, Name = dashboard.Name,
            Layout = JsonSerializer.Serialize(dashboard.Layout, Json), Widgets = JsonSerializer.Serialize(dashboard.Widgets, Json),
            CreatedAt = StoredTime.From(now), UpdatedAt = StoredTime.From(now),
        });
        await db.SaveChangesAsync(cancellationToken);
        return dashboard;
    }

    public async Task<Dashboard?> UpdateAsync(string tenantId, string id, DashboardInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<DashboardRow>().SingleOrDefaultAsync(d => d.TenantId == tenantId && d.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        row.Name = input.Name.Trim();
        row.Layout = JsonSerializer.Serialize(input.Layout, Json);
        row.Widgets = JsonSerializer.Serialize(input.Widgets, Json);
        row.UpdatedAt = StoredTime.From(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ToDashboard(row);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Set<DashboardRow>().Where(d => d.TenantId == tenantId && d.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }

        // The links go with the dashboard, so a TV showing it stops at its next check rather than showing nothing.
        await db.Set<ShareLinkRow>().Where(l => l.DashboardId == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<ShareLinkCreated?> CreateShareLinkAsync(string tenantId, string dashboardId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (!await OwnsAsync(db, tenantId, dashboardId, cancellationToken))
        {
            return null;
        }

        var now = StoredTime.Truncate(clock.GetUtcNow());
        var token = ShareTokens.Create();
        var id = Guid.CreateVersion7(now).ToString("N");
        db.Set<ShareLinkRow>().Add(new ShareLinkRow { Id = id, TokenHash = ShareTokens.Hash(token), DashboardId = dashboardId, CreatedAt = StoredTime.From(now),
            ExpiresAt = StoredTime.From(expiresAt) });
        await db.SaveChangesAsync(cancellationToken);
        return new ShareLinkCreated(id, token, $"/wall/{token}", now, StoredTime.To(StoredTime.From(expiresAt)));
    }

    public async Task<IReadOnlyList<ShareLink>?> ListShareLinksAsync(string tenantId, string dashboardId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (!await OwnsAsync(db, tenantId, dashboardId, cancellationToken))
        {
            return null;
        }

        var rows = await db.Set<ShareLinkRow>().AsNoTracking().Where(l => l.DashboardId == dashboardId)
            .OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(l => new ShareLink(l.Id, l.DashboardId, StoredTime.To(l.CreatedAt), StoredTime.To(l.RevokedAt), StoredTime.To(l.ExpiresAt)))];
    }

    public async Task<bool> RevokeShareLinkAsync(string tenantId, string dashboardId, string linkId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (!await OwnsAsync(db, tenantId, dashboardId, cancellationToken))
        {
            return false;
        }

        var now = StoredTime.From(clock.GetUtcNow());
        var found = await db.Set<ShareLinkRow>().AnyAsync(l => l.Id == linkId && l.DashboardId == dashboardId, cancellationToken);

        // Idempotent: the first revocation time stays.
        await db.Set<ShareLinkRow>().Where(l => l.Id == linkId && l.DashboardId == dashboardId && l.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now), cancellationToken);
        return found;
    }

    public async Task<ShareResolution> ResolveShareTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!ShareTokens.LooksValid(token))
        {
            return new ShareResolution.Unknown();
        }

        var hash = ShareTokens.Hash(token);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var link = await db.Set<ShareLinkRow>().AsNoTracking().SingleOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        if (link is null)
        {
            return new ShareResolution.Unknown();
        }

        if (link.RevokedAt is { } revoked)
        {
            return new ShareResolution.Revoked(StoredTime.To(revoked));
        }

        DateTimeOffset? expiresAt = link.ExpiresAt is { } expiry ? StoredTime.To(expiry) : null;
        if (expiresAt <= clock.GetUtcNow())
        {
            return new ShareResolution.Expired(expiresAt.Value);
        }

        var row = await db.Set<DashboardRow>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == link.DashboardId, cancellationToken);
        return row is null ? new ShareResolution.Unknown() : new ShareResolution.Active(ToDashboard(row), link.Id, expiresAt);
    }

    private static Task<bool> OwnsAsync(AppIdentityDbContext db, string tenantId, string dashboardId, CancellationToken cancellationToken) =>
        db.Set<DashboardRow>().AnyAsync(d => d.TenantId == tenantId && d.Id == dashboardId, cancellationToken);

    private static Dashboard ToDashboard(DashboardRow row) => new(
        row.Id,
        row.TenantId,
        row.Name,
        JsonSerializer.Deserialize<List<LayoutItem>>(row.Layout, Json) ?? [],
        JsonSerializer.Deserialize<List<Widget>>(row.Widgets, Json) ?? [],
        StoredTime.To(row.CreatedAt),
        StoredTime.To(row.UpdatedAt));
}
