using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Stores;
using SalesDash.Web.Stores;
using SalesDash.Web.Audit;
using SalesDash.Web.Hubs;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// Dashboards per organisation under /api/tenants/{tenantId}/dashboards, their share links, and /api/wall/{token}
/// for wallboards. Until sign-in exists the organisation is the tenant id in the route.
/// </summary>
public static class DashboardsApi
{
    /// <summary>Maps the tenant routes and the wall route under <paramref name="api"/> (the "/api" group).</summary>
    public static RouteGroupBuilder MapDashboardsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var dashboards = api.MapGroup("/tenants/{tenantId}/dashboards");
        dashboards.MapGet("/", ListAsync).WithName("ListDashboards").RequireOrgRole(OrgRole.Viewer);
        dashboards.MapPost("/", CreateAsync).WithName("CreateDashboard").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapGet("/{id}", GetAsync).WithName("GetDashboard").RequireOrgRole(OrgRole.Viewer);
        dashboards.MapPut("/{id}", UpdateAsync).WithName("UpdateDashboard").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapDelete("/{id}", DeleteAsync).WithName("DeleteDashboard").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapPost("/{id}/duplicate", DuplicateAsync).WithName("DuplicateDashboard").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapPost("/{id}/share", ShareAsync).WithName("ShareDashboard").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapGet("/{id}/share", ListSharesAsync).WithName("ListDashboardShares").RequireOrgRole(OrgRole.Analyst);
        dashboards.MapDelete("/{id}/share/{tokenId}", RevokeAsync).WithName("RevokeDashboardShare").RequireOrgRole(OrgRole.Analyst);
        api.MapGet("/wall/{token}", WallAsync).WithName("GetWall").AllowAnonymous();
        api.MapWidgetDataApi();
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<DashboardSummary>>, ProblemHttpResult>> ListAsync(
        string tenantId, IDashboardStore store, IStoreDirectory stores, CancellationToken cancellationToken)
    {
        if (await UnknownTenantAsync(tenantId, stores, cancellationToken) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(await store.ListAsync(tenantId, cancellationToken));
    }

    private static async Task<Results<Created<Dashboard>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, HttpRequest request, IDashboardStore store, IStoreDirectory stores, IPlanService plans, CancellationToken cancellationToken)
    {
        if (await UnknownTenantAsync(tenantId, stores, cancellationToken) is { } problem)
        {
            return problem;
        }

        var (input, invalid) = await ReadDashboardAsync(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await DashboardLimitAsync(tenantId, store, plans, cancellationToken) is { } refused)
        {
            return refused;
        }

        var created = await store.CreateAsync(tenantId, input!, cancellationToken);
        return TypedResults.Created(Location(tenantId, created.Id), created);
    }

    private static async Task<Results<Ok<Dashboard>, ProblemHttpResult>> GetAsync(
        string tenantId, string id, IDashboardStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, id, cancellationToken) is { } dashboard ? TypedResults.Ok(dashboard) : NoDashboard(tenantId, id);

    private static async Task<Results<Ok<Dashboard>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string id, HttpRequest request, IDashboardStore store, CancellationToken cancellationToken)
    {
        var (input, invalid) = await ReadDashboardAsync(request, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var before = await store.GetAsync(tenantId, id, cancellationToken);
        if (await store.UpdateAsync(tenantId, id, input!, cancellationToken) is not { } updated)
        {
            return NoDashboard(tenantId, id);
        }

        request.HttpContext.Note(DashboardChange(before, updated));
        return TypedResults.Ok(updated);
    }

    /// <summary>What an update changed, for the audit log: the name and the widget count, not the whole layout.</summary>
    private static string DashboardChange(Dashboard? before, Dashboard after)
    {
        if (before is null)
        {
            return $"'{after.Name}', {after.Widgets.Count} widgets";
        }

        var parts = new List<string>();
        if (before.Name != after.Name)
        {
            parts.Add($"name '{before.Name}' → '{after.Name}'");
        }

        if (before.Widgets.Count != after.Widgets.Count)
        {
            parts.Add($"widgets {before.Widgets.Count} → {after.Widgets.Count}");
        }

        return parts.Count == 0 ? "layout or widget settings" : string.Join("; ", parts);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenantId, string id, IDashboardStore store, LiveAccessRevocations live, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(tenantId, id, cancellationToken))
        {
            return NoDashboard(tenantId, id);
        }

        // Its share links went with it: wallboards showing it live stop now, not at their next reconnect.
        live.Revoke(LiveGrants.Dashboard(tenantId, id));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<Dashboard>, ValidationProblem, ProblemHttpResult>> DuplicateAsync(
        string tenantId, string id, HttpRequest request, IDashboardStore store, IPlanService plans, CancellationToken cancellationToken)
    {
        DuplicateInput? input = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            (input, var unreadable) = await ReadBodyAsync<DuplicateInput>(request, cancellationToken);
            if (unreadable is not null)
            {
                return unreadable;
            }
        }

        var original = await store.GetAsync(tenantId, id, cancellationToken);
        if (original is null)
        {
            return NoDashboard(tenantId, id);
        }

        var name = input?.Name ?? CopyName(original.Name);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DashboardValidation.ValidateName(name, (key, message) => errors[key] = [message]);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The copy's name is not valid");
        }

        if (await DashboardLimitAsync(tenantId, store, plans, cancellationToken) is { } refused)
        {
            return refused;
        }

        var copy = await store.CreateAsync(tenantId, new DashboardInput(name, original.Layout, original.Widgets), cancellationToken);
        return TypedResults.Created(Location(tenantId, copy.Id), copy);
    }

    private static async Task<Results<Created<ShareLinkCreated>, ValidationProblem, ProblemHttpResult>> ShareAsync(
        string tenantId, string id, HttpRequest request, IDashboardStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        ShareLinkInput? input = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            (input, var unreadable) = await ReadBodyAsync<ShareLinkInput>(request, cancellationToken);
            if (unreadable is not null)
            {
                return unreadable;
            }
        }

        if (input?.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["expiresAt"] = [$"{expiresAt:O} has passed; give a time in the future, or none."] },
                title: "The share link is not valid");
        }

        return await store.CreateShareLinkAsync(tenantId, id, input?.ExpiresAt, cancellationToken) is { } link
            ? TypedResults.Created(link.Url, link)
            : NoDashboard(tenantId, id);
    }

    private static async Task<Results<Ok<IReadOnlyList<ShareLink>>, ProblemHttpResult>> ListSharesAsync(
        string tenantId, string id, IDashboardStore store, CancellationToken cancellationToken) =>
        await store.ListShareLinksAsync(tenantId, id, cancellationToken) is { } links ? TypedResults.Ok(links) : NoDashboard(tenantId, id);

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string tenantId, string id, string tokenId, IDashboardStore store, LiveAccessRevocations live, CancellationToken cancellationToken)
    {
        if (!await store.RevokeShareLinkAsync(tenantId, id, tokenId, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown share link",
                detail: $"Dashboard '{id}' of '{tenantId}' has no share link '{tokenId}'.");
        }

        // Wallboards showing the link live stop now, on whichever node they are connected.
        live.Revoke(LiveGrants.ShareLink(tokenId));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WallView>, ProblemHttpResult>> WallAsync(
        string token, IDashboardStore store, WallAccess access, IOrganisationBranding branding, HttpContext http, CancellationToken cancellationToken)
    {
        // A wallboard polls this; the answer must never come from a cache once a link is revoked.
        http.Response.Headers.CacheControl = "no-store";
        switch (await store.ResolveShareTokenAsync(token, cancellationToken))
        {
            case ShareResolution.Active active:
                var stores = await access.StoresOfAsync(active.Dashboard, cancellationToken);
                return TypedResults.Ok(new WallView(
                    active.Dashboard.TenantId,
                    active.Dashboard,
                    stores.Select(s => new StoreSummary(s.Store.TenantId, s.Store.StoreId, s.Name, s.Channel.ToString(), s.Currency, s.TimeZone)).ToList(),
                    await branding.GetAsync(active.Dashboard.TenantId, cancellationToken)));
            case ShareResolution.Revoked:
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Share link revoked",
                    detail: "This link was switched off by the dashboard's owner.");
            case ShareResolution.Expired expired:
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Share link expired",
                    detail: $"This link stopped working at {expired.ExpiredAt:yyyy-MM-dd HH:mm} UTC; ask the dashboard's owner for a new one.");
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown share link",
                    detail: "No dashboard is shared under this link.");
        }
    }

    /// <summary>
    /// Reads a JSON body, answering 400 problem+json for a body that is not JSON of the right shape. Binding by
    /// parameter would throw in Development and answer an empty 400 elsewhere; this says what was wrong in both.
    /// </summary>
    /// <summary>The body as a dashboard that passes <see cref="DashboardValidation"/>, or the problem to answer with.</summary>
    private static async Task<(DashboardInput? Input, ValidationProblem? Problem)> ReadDashboardAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (input, unreadable) = await ReadBodyAsync<DashboardInput>(request, cancellationToken);
        if (unreadable is not null)
        {
            return (null, unreadable);
        }

        var errors = DashboardValidation.Validate(input);
        return errors.Count > 0 ? (null, TypedResults.ValidationProblem(errors, title: "The dashboard is not valid")) : (input, null);
    }

    private static async Task<(T? Value, ValidationProblem? Problem)> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await request.ReadFromJsonAsync<T>(cancellationToken);
            return value is null ? (null, Unreadable("The body is empty.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Unreadable(e.Message));
        }
        catch (InvalidOperationException e)
        {
            // ReadFromJsonAsync's answer to a body that is not application/json.
            return (null, Unreadable(e.Message));
        }
    }

    private static ValidationProblem Unreadable(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [message] }, title: "The body is not a readable dashboard");

    private static async Task<ProblemHttpResult?> UnknownTenantAsync(string tenantId, IStoreDirectory stores, CancellationToken cancellationToken)
    {
        return (await stores.ListAsync(tenantId, cancellationToken)).Count > 0
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown organisation",
                detail: $"There is no organisation '{tenantId}' with a connected store.");
    }

    /// <summary>The plan's refusal when the organisation already has as many dashboards as its tier allows.</summary>
    private static async Task<ProblemHttpResult?> DashboardLimitAsync(string tenantId, IDashboardStore store, IPlanService plans, CancellationToken cancellationToken)
    {
        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        return limits.MaxDashboards is null
            ? null
            : PlanLimitProblems.CountLimit(limits, "dashboards", (await store.ListAsync(tenantId, cancellationToken)).Count, l => l.MaxDashboards);
    }

    private static ProblemHttpResult NoDashboard(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown dashboard",
            detail: $"There is no dashboard '{id}' in '{tenantId}'.");

    private static string Location(string tenantId, string id) =>
        $"/api/tenants/{Uri.EscapeDataString(tenantId)}/dashboards/{Uri.EscapeDataString(id)}";

    private static string CopyName(string name)
    {
        var copy = $"{name} (copy)";
        return copy.Length <= DashboardValidation.MaxNameLength ? copy : $"{name[..(DashboardValidation.MaxNameLength - 7)]} (copy)";
    }
}
