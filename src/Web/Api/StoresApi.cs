using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Web.Api;

/// <summary>A store as the dashboard lists it; the webhook secret never leaves the server.</summary>
public sealed record StoreSummary(string TenantId, string StoreId, string Name, string Channel, string Currency, string TimeZone);

/// <summary>Read endpoints for stores and their live tiles.</summary>
internal static class StoresApi
{
    public static RouteGroupBuilder MapStoresApi(this RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithName("ListStores");
        group.MapGet("/{tenantId}/{storeId}/tiles", GetTilesAsync).WithName("GetStoreTiles");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<StoreSummary>>> ListAsync(IStoreDirectory stores, CancellationToken cancellationToken)
    {
        var all = await stores.ListAsync(cancellationToken);
        IReadOnlyList<StoreSummary> summaries = all
            .OrderBy(s => s.Store.TenantId, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new StoreSummary(s.Store.TenantId, s.Store.StoreId, s.Name, s.Channel.ToString(), s.Currency, s.TimeZone))
            .ToList();
        return TypedResults.Ok(summaries);
    }

    internal static async Task<Results<Ok<DashboardTiles>, ProblemHttpResult>> GetTilesAsync(
        string tenantId, string storeId, IStoreDirectory stores, ITileQuery tiles, CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store",
                detail: $"There is no store '{storeId}' in '{tenantId}'.");
        }

        return TypedResults.Ok(await tiles.GetTilesAsync(store, cancellationToken));
    }
}
