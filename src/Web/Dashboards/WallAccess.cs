using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Channels;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// Decides what a share-link holder may see: the linked dashboard, and only the organisation's stores that one of
/// its widgets draws on (by channel filter). The live hub asks here before a wallboard joins a store's updates.
/// </summary>
public sealed class WallAccess(IDashboardStore dashboards, IStoreDirectory stores, IChannelConnectionStore connections)
{
    /// <summary>
    /// The stores the dashboard's widgets show, in a stable order; a widget without a channel filter shows them all, one
    /// with a filter every store that sells on that channel: its own channel, or a connection to it (an Amazon
    /// connection under a Shopify store brings Amazon orders, which the widget counts as Amazon).
    /// </summary>
    public async Task<IReadOnlyList<StoreProfile>> StoresOfAsync(Dashboard dashboard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        var own = await stores.ListAsync(dashboard.TenantId, cancellationToken);
        var filters = dashboard.Widgets.Select(w => w.Settings.Channel).ToHashSet();
        var shown = new List<StoreProfile>();
        foreach (var store in own)
        {
            if (filters.Contains(null) || filters.Contains(store.Channel.ToString())
                || (await connections.ListAsync(store.Store, cancellationToken)).Any(c => filters.Contains(c.Channel.ToString())))
            {
                shown.Add(store);
            }
        }

        return [.. shown.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Store.StoreId, StringComparer.Ordinal)];
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
