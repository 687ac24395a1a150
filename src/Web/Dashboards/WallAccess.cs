using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// Decides what a share-link holder may see: the linked dashboard, and only the organisation's stores that one of
/// its widgets draws on (by channel filter). The live hub asks here before a wallboard joins a store's updates.
/// </summary>
public sealed class WallAccess(IDashboardStore dashboards, IStoreDirectory stores)
{
    /// <summary>The stores the dashboard's widgets show, in a stable order; a widget without a channel filter shows them all.</summary>
    public async Task<IReadOnlyList<StoreProfile>> StoresOfAsync(Dashboard dashboard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        var own = await stores.ListAsync(dashboard.TenantId, cancellationToken);
        var filters = dashboard.Widgets.Select(w => w.Settings.Channel).ToHashSet();
        return own
            .Where(s => filters.Contains(null) || filters.Contains(s.Channel.ToString()))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The store's profile when the token is live and its dashboard shows the store; null otherwise.</summary>
    public async Task<StoreProfile?> AuthorizeStoreAsync(string token, StoreRef store, CancellationToken cancellationToken) =>
        (await AuthorizeAsync(token, store, cancellationToken))?.Store;

    /// <summary>Like <see cref="AuthorizeStoreAsync"/>, with the link and dashboard the access rests on, for a live connection to hold.</summary>
    public async Task<WallGrant?> AuthorizeAsync(string token, StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await dashboards.ResolveShareTokenAsync(token, cancellationToken) is not ShareResolution.Active active
            || active.Dashboard.TenantId != store.TenantId)
        {
            return null;
        }

        var allowed = await StoresOfAsync(active.Dashboard, cancellationToken);
        return allowed.FirstOrDefault(s => s.Store == store) is { } profile
            ? new WallGrant(profile, active.LinkId, active.Dashboard.Id, active.ExpiresAt)
            : null;
    }
}

/// <summary>A share link's access to one store: the link and dashboard it rests on, and when it ends.</summary>
public sealed record WallGrant(StoreProfile Store, string LinkId, string DashboardId, DateTimeOffset? ExpiresAt);
