using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.Clustering;
using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Visitors;

/// <summary>Live visitors, traffic sources and conversion from GA4's realtime figures (issue 16 point 3).</summary>
public static class VisitorsApi
{
    /// <summary>The reading store, the query, and the realtime poll as a cluster job.</summary>
    public static IServiceCollection AddVisitors(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VisitorsOptions>()
            .Bind(configuration.GetSection(VisitorsOptions.Section))
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Visitors:PollInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<VisitorReadings>();
        services.TryAddSingleton<VisitorsQuery>();
        // One node polls each property, however many run.
        services.AddClusterJob<VisitorsPollJob>();
        return services;
    }

    /// <summary>GET {store}/visitors for signed-in pages, and the same answer through a wallboard's share link.</summary>
    public static RouteGroupBuilder MapVisitorsApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(app);
        store.MapGet("/visitors", VisitorsAsync).WithName("GetStoreVisitors");
        app.MapGet("/api/wall/{token}/stores/{tenantId}/{storeId}/visitors", WallVisitorsAsync).AllowAnonymous().WithName("GetWallVisitors");
        return store;
    }

    private static async Task<Ok<VisitorsView>> VisitorsAsync(CurrentStore store, VisitorsQuery visitors, CancellationToken cancellationToken) =>
        TypedResults.Ok(await visitors.ForAsync(store.Profile, cancellationToken));

    private static async Task<Results<Ok<VisitorsView>, ProblemHttpResult>> WallVisitorsAsync(
        [AsParameters] WallStore wall, VisitorsQuery visitors) =>
        await wall.AuthorizeAsync() is { } store
            ? TypedResults.Ok(await visitors.ForAsync(store, wall.CancellationToken))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
                detail: "This link does not show that store, or the link is no longer valid.");
}
