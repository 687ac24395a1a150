using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Tenants;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Dashboards;

/// <summary>The live tiles of a store as the dashboard first draws them (then the hub pushes changes): GET {store}/tiles.</summary>
internal static class LiveTilesApi
{
    /// <summary>Maps GET /tiles on the store-scoped group, and moves the old /api/stores/{t}/{s}/tiles there.</summary>
    public static RouteGroupBuilder MapLiveTilesApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        store.MapGet("/tiles", GetTilesAsync).WithName("GetStoreTiles").RequireLiveViewAllowance();
        app.MapMovedStoreRoute("/api/stores", "tiles");
        return store;
    }

    private static async Task<Ok<DashboardTiles>> GetTilesAsync(CurrentStore store, ITileQuery tiles, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tiles.GetTilesAsync(store.Profile, cancellationToken));
}
