using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Web.Audit;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>A tier's limits as the plan page shows them; null counts are unlimited.</summary>
public sealed record PlanLimitsView(string Tier, int? MaxStores, int? MaxChannels, int? MaxDashboards, string HistoryRetention, bool ApiAccess, bool WhiteLabel)
{
    public static PlanLimitsView Of(PlanLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new(limits.Tier.ToString(), limits.MaxStores, limits.MaxChannels, limits.MaxDashboards, RetentionNames.Of(limits.HistoryRetention),
            limits.ApiAccess, limits.WhiteLabel);
    }
}

/// <summary>An organisation's plan: its tier and where it came from, what it allows, what is used, and every tier to compare.</summary>
/// <param name="Source">"stored" when the owner chose the tier, "configured" when it is the operator's default.</param>
public sealed record PlanView(
    string TenantId, string Tier, string Source, PlanLimitsView Limits, PlanUsageCounts Usage, IReadOnlyList<PlanLimitsView> Tiers,
    DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>What an owner sends to change the plan.</summary>
public sealed record PlanChange(string? Tier);

/// <summary>GET/PUT /api/tenants/{tenantId}/plan: the owner reads and changes the organisation's tier.</summary>
public static class PlansApi
{
    public static RouteGroupBuilder MapPlansApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var plan = api.MapGroup("/tenants/{tenantId}/plan").RequireOrgRole(OrgRole.Owner);
        plan.MapGet("/", GetAsync).WithName("GetPlan");
        plan.MapPut("/", PutAsync).WithName("ChangePlan");
        return api;
    }

    private static async Task<Ok<PlanView>> GetAsync(
        string tenantId, IPlanStore store, IPlanService plans, PlanUsage usage, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ViewAsync(tenantId, store, plans, usage, cancellationToken));

    private static async Task<Results<Ok<PlanView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string tenantId, HttpRequest request, ClaimsPrincipal user, IPlanStore store, IPlanService plans, PlanUsage usage, TimeProvider time,
        CancellationToken cancellationToken)
    {
        PlanChange? change;
        try
        {
            change = await request.ReadFromJsonAsync<PlanChange>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [e.Message] }, title: "The body is not a readable plan change");
        }

        if (change?.Tier is null || !Enum.TryParse<PlanTier>(change.Tier, ignoreCase: true, out var tier) || !Enum.IsDefined(tier) || int.TryParse(change.Tier, out _))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["tier"] = [$"Tier must be one of {string.Join(", ", Enum.GetNames<PlanTier>())}."] },
                title: "The plan change is not valid");
        }

        // A downgrade below what is in use would leave the organisation over its limits with no way to tell which
        // dashboard or channel should go: the owner removes them first.
        var limits = PlanCatalog.For(tier);
        var used = await usage.CountAsync(tenantId, cancellationToken);
        var over = new List<string>();
        if (limits.MaxStores is { } stores && used.Stores > stores)
        {
            over.Add($"{used.Stores} stores (allows {stores})");
        }

        if (limits.MaxChannels is { } channels && used.Channels > channels)
        {
            over.Add($"{used.Channels} channel connections (allows {channels})");
        }

        if (limits.MaxDashboards is { } dashboards && used.Dashboards > dashboards)
        {
            over.Add($"{used.Dashboards} dashboards (allows {dashboards})");
        }

        if (over.Count > 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                type: PlanLimitProblems.Type,
                title: "The organisation uses more than that plan allows",
                detail: $"The {tier} plan is too small for this organisation: it has {string.Join(", ", over)}. Remove the extra ones first.");
        }

        var before = (await plans.GetLimitsAsync(tenantId, cancellationToken)).Tier;
        await store.SaveAsync(new StoredPlan(tenantId, tier, time.GetUtcNow(), Actor(user)), cancellationToken);
        request.HttpContext.Note($"tier {before} → {tier}");
        return TypedResults.Ok(await ViewAsync(tenantId, store, plans, usage, cancellationToken));
    }

    private static async Task<PlanView> ViewAsync(string tenantId, IPlanStore store, IPlanService plans, PlanUsage usage, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(tenantId, cancellationToken);
        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        return new PlanView(
            tenantId, limits.Tier.ToString(), stored is null ? "configured" : "stored", PlanLimitsView.Of(limits),
            await usage.CountAsync(tenantId, cancellationToken),
            [.. Enum.GetValues<PlanTier>().Select(t => PlanLimitsView.Of(PlanCatalog.For(t)))],
            stored?.UpdatedAt, stored?.UpdatedBy);
    }

    /// <summary>Who changed it, for the plan page: the e-mail of a signed-in user, else their id, else the API key.</summary>
    private static string? Actor(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? (user.FindFirstValue(SalesDashClaims.ApiKeyId) is { } key ? $"api key {key}" : null);
}
