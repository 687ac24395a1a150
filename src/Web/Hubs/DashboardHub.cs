using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Hubs;

/// <summary>
/// Live tiles for browsers. The hub only registers what a connection watches (and joins the store's group for its alert
/// toasts); pushes come from the node's <see cref="TileRelayActor"/>.
/// Subscribe and Unsubscribe need Viewer membership of the store's organisation (a non-member is told the store does not
/// exist, as over HTTP); SubscribeShared needs only a live share token, for wallboards without sign-in.
/// </summary>
public sealed class DashboardHub(
    IStoreDirectory stores, ITileQuery tiles, IRequiredActor<TileRelayActor> relay, WallAccess wall, OrgAccess access, Plans.RevenueMeter revenue,
    LiveConnections live) : Hub<IDashboardClient>
{
    /// <summary>Name of the client method that receives <see cref="DashboardTiles"/>.</summary>
    public const string TilesMethod = "tiles";

    /// <summary>Name of the client method that receives an <see cref="Alerts.AlertToast"/>.</summary>
    public const string AlertMethod = "alert";

    public static string GroupFor(StoreRef store) => $"store:{store.TenantId}:{store.StoreId}";

    /// <summary>The group of an organisation's alert toasts: every page of a member listens, not only a store's dashboard.</summary>
    public static string AlertsGroupFor(string tenantId) => $"alerts:{tenantId}";

    /// <summary>Joins the organisation's alert toasts (Viewer and up), for the toast host every page has.</summary>
    public async Task SubscribeAlerts(string tenantId)
    {
        await RequireViewerAsync(tenantId, storeId: string.Empty);
        live.Hold(Context, GrantsOf(Context.User, tenantId));
        await Groups.AddToGroupAsync(Context.ConnectionId, AlertsGroupFor(tenantId), Context.ConnectionAborted);
    }

    /// <summary>Joins the store's dashboard group and returns its tiles now, so the page needs no other call.</summary>
    public async Task<DashboardTiles> Subscribe(string tenantId, string storeId)
    {
        await RequireViewerAsync(tenantId, storeId);
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), Context.ConnectionAborted)
            ?? throw new HubException(StoreScope.UnknownStoreDetail(tenantId, storeId));
        live.Hold(Context, GrantsOf(Context.User, tenantId));
        return await WatchAsync(store);
    }

    /// <summary>What a signed-in or API-key subscription to the organisation rests on.</summary>
    private static IEnumerable<string> GrantsOf(System.Security.Claims.ClaimsPrincipal? user, string tenantId)
    {
        if (user?.FindFirst(SalesDashClaims.ApiKeyId)?.Value is { } keyId)
        {
            yield return LiveGrants.ApiKey(keyId);
        }

        if (user?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is { } userId)
        {
            yield return LiveGrants.Member(tenantId, userId);
        }
    }

    /// <summary>Like <see cref="Subscribe"/> for a wallboard without sign-in: only a store its share link's dashboard shows.</summary>
    public async Task<DashboardTiles> SubscribeShared(string token, string tenantId, string storeId)
    {
        var grant = await wall.AuthorizeAsync(token, new StoreRef(tenantId, storeId), Context.ConnectionAborted)
            ?? throw new HubException("This share link does not show that store, or it was revoked or has expired.");
        live.Hold(Context, [LiveGrants.ShareLink(grant.LinkId), LiveGrants.Dashboard(tenantId, grant.DashboardId)], grant.ExpiresAt);
        return await WatchAsync(grant.Store);
    }

    private async Task<DashboardTiles> WatchAsync(StoreProfile store)
    {
        // Past the revenue cap's grace period the live view asks for an upgrade (history and exports stay open).
        if (await revenue.LiveViewRefusalAsync(store.Store.TenantId, Context.ConnectionAborted) is { } why)
        {
            throw new HubException(why);
        }

        // Watch before reading, so an update racing with the read is pushed rather than lost. The store's group carries
        // its alert toasts; tiles go to each watching connection from the relay.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(store.Store), Context.ConnectionAborted);
        relay.ActorRef.Tell(new TileRelayActor.Watch(Context.ConnectionId, store));
        return await tiles.GetTilesAsync(store, Context.ConnectionAborted);
    }

    public async Task Unsubscribe(string tenantId, string storeId)
    {
        await RequireViewerAsync(tenantId, storeId);
        var store = new StoreRef(tenantId, storeId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupFor(store), Context.ConnectionAborted);
        relay.ActorRef.Tell(new TileRelayActor.Unwatch(Context.ConnectionId, store));
    }

    private async Task RequireViewerAsync(string tenantId, string storeId)
    {
        var user = Context.User ?? new System.Security.Claims.ClaimsPrincipal();
        var decision = await access.DecideAsync(user, tenantId, OrgRole.Viewer, HttpMethods.Get, userOnly: false, Context.ConnectionAborted);
        if (!decision.Allowed)
        {
            throw new HubException(decision.Outcome == AccessOutcome.NotMember
                ? StoreScope.UnknownStoreDetail(tenantId, storeId)
                : $"{decision.Title}: {decision.Detail}");
        }
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        relay.ActorRef.Tell(new TileRelayActor.ConnectionClosed(Context.ConnectionId));
        live.Release(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
