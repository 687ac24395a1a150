namespace SalesDash.Web.Dashboards;

/// <summary>What a share token leads to: nothing, a revoked or expired link, or a dashboard (with the link's id and expiry).</summary>
public abstract record ShareResolution
{
    private ShareResolution()
    {
    }

    public sealed record Unknown : ShareResolution;

    public sealed record Revoked(DateTimeOffset RevokedAt) : ShareResolution;

    public sealed record Expired(DateTimeOffset ExpiredAt) : ShareResolution;

    public sealed record Active(Dashboard Dashboard, string LinkId, DateTimeOffset? ExpiresAt) : ShareResolution;
}

/// <summary>Dashboards and their share links, per organisation (tenant). Every read and write is scoped to the tenant.</summary>
public interface IDashboardStore
{
    Task<IReadOnlyList<DashboardSummary>> ListAsync(string tenantId, CancellationToken cancellationToken);

    Task<Dashboard?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Stores a new dashboard; the input must have passed <see cref="DashboardValidation"/>.</summary>
    Task<Dashboard> CreateAsync(string tenantId, DashboardInput input, CancellationToken cancellationToken);

    /// <summary>Replaces name, layout and widgets; null when the dashboard does not exist in the tenant.</summary>
    Task<Dashboard?> UpdateAsync(string tenantId, string id, DashboardInput input, CancellationToken cancellationToken);

    /// <summary>Deletes the dashboard and its share links; false when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>A new share link for the dashboard, working until <paramref name="expiresAt"/> when given; null when the dashboard does not exist in the tenant.</summary>
    Task<ShareLinkCreated?> CreateShareLinkAsync(string tenantId, string dashboardId, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>The dashboard's links, newest first; null when the dashboard does not exist in the tenant.</summary>
    Task<IReadOnlyList<ShareLink>?> ListShareLinksAsync(string tenantId, string dashboardId, CancellationToken cancellationToken);

    /// <summary>Revokes a link (idempotent: the first revocation time stays); false when there is no such link.</summary>
    Task<bool> RevokeShareLinkAsync(string tenantId, string dashboardId, string linkId, CancellationToken cancellationToken);

    Task<ShareResolution> ResolveShareTokenAsync(string token, CancellationToken cancellationToken);
}
