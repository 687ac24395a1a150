using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web;

/// <summary>
/// The store a store-scoped request is about, resolved once by <see cref="StoreScope"/>'s filter before the handler
/// runs; handlers take it as a parameter instead of each looking the store up and answering 404 themselves.
/// </summary>
public sealed class CurrentStore
{
    private StoreProfile? _profile;

    /// <summary>The resolved store; only endpoints under <see cref="StoreScope.MapStoreScope"/> (or <see cref="StoreScope.RequireStore{TBuilder}"/>) have one.</summary>
    public StoreProfile Profile => _profile
        ?? throw new InvalidOperationException("No store was resolved: the endpoint is not under the store-scoped route group.");

    internal void Resolve(StoreProfile profile) => _profile = profile;
}

/// <summary>
/// The one store-scoped route group, <c>/api/tenants/{tenantId}/stores/{storeId}</c>: membership and role are checked
/// by the organisation filter (Viewer unless an endpoint asks for more), then this filter resolves the store, so
/// "There is no store …" is answered here and nowhere else.
/// </summary>
public static class StoreScope
{
    public const string Prefix = "/api/tenants/{tenantId}/stores/{storeId}";

    /// <summary>The store-scoped group under <paramref name="app"/>; capabilities map their store routes onto it.</summary>
    public static RouteGroupBuilder MapStoreScope(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGroup(Prefix).RequireOrgRole(OrgRole.Viewer).RequireStore();
    }

    /// <summary>Resolves the route's {tenantId}/{storeId} store for endpoints outside the group (exports), with the same 404.</summary>
    public static TBuilder RequireStore<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(ResolveAsync).WithMetadata(StoreResolved.Instance);

    /// <summary>Marks an endpoint whose store this filter resolves, so a test can find a store route that does its own lookup.</summary>
    public sealed class StoreResolved
    {
        public static readonly StoreResolved Instance = new();

        private StoreResolved()
        {
        }
    }

    /// <summary>The one "no such store" problem; also used where the store arrives in a body or hub call, not the route.</summary>
    public static ProblemHttpResult UnknownStore(string tenantId, string storeId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store", detail: UnknownStoreDetail(tenantId, storeId));

    public static string UnknownStoreDetail(string tenantId, string storeId) => $"There is no store '{storeId}' in '{tenantId}'.";

    /// <summary>The methods an old address answers with a move: every one a script may have used, not only reads.</summary>
    public static readonly IReadOnlyList<string> MovedMethods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    /// <summary>
    /// Permanently moves an old route to its store-scoped address with 308, which keeps the method and the body (301
    /// would turn a POST into a GET), and the query string, so scripts written against the old address keep working
    /// while the front end uses the new one.
    /// </summary>
    public static RouteHandlerBuilder MapMoved(this IEndpointRouteBuilder app, string oldPattern, Func<RouteValueDictionary, string> newPath)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(newPath);
        // Anonymous: the redirect reveals nothing, and the new address checks the caller.
        return app.MapMethods(oldPattern, MovedMethods, (HttpContext http) =>
                TypedResults.Redirect(newPath(http.Request.RouteValues) + http.Request.QueryString, permanent: true, preserveMethod: true))
            .AllowAnonymous()
            .ExcludeFromDescription();
    }

    /// <summary>
    /// Moves <c>{oldPrefix}/{tenantId}/{storeId}/{oldRest}</c> (the addresses before the store scope, e.g. /api/stores or
    /// /api/history) to <c>/api/tenants/{tenantId}/stores/{storeId}/{newRest}</c>; <c>{name}</c> in
    /// <paramref name="newRest"/> is the old route's value of that name (e.g. the channel).
    /// </summary>
    public static RouteHandlerBuilder MapMovedStoreRoute(this IEndpointRouteBuilder app, string oldPrefix, string oldRest, string? newRest = null) =>
        app.MapMoved($"{oldPrefix}/{{tenantId}}/{{storeId}}/{oldRest}".TrimEnd('/'),
            v => $"/api/tenants/{v.Segment("tenantId")}/stores/{v.Segment("storeId")}/{Fill(newRest ?? oldRest, v)}".TrimEnd('/'));

    private static string Fill(string rest, RouteValueDictionary values)
    {
        foreach (var name in values.Keys)
        {
            rest = rest.Replace($"{{{name}}}", values.Segment(name), StringComparison.Ordinal);
        }

        return rest;
    }

    /// <summary>A route value as a path segment, escaped as it was in the old address.</summary>
    public static string Segment(this RouteValueDictionary values, string name)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Uri.EscapeDataString(values[name] as string ?? string.Empty);
    }

    private static async ValueTask<object?> ResolveAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var tenantId = http.Request.RouteValues["tenantId"] as string ?? string.Empty;
        var storeId = http.Request.RouteValues["storeId"] as string ?? string.Empty;
        var stores = http.RequestServices.GetRequiredService<IStoreDirectory>();
        if (await stores.GetAsync(new StoreRef(tenantId, storeId), http.RequestAborted) is not { } store)
        {
            return UnknownStore(tenantId, storeId);
        }

        http.RequestServices.GetRequiredService<CurrentStore>().Resolve(store);
        return await next(context);
    }

    /// <summary>The per-request holder the filter fills.</summary>
    public static IServiceCollection AddStoreScope(this IServiceCollection services)
    {
        services.AddScoped<CurrentStore>();
        return services;
    }
}
