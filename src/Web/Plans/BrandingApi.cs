using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Web.Audit;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Plans;

/// <summary>The organisation's own branding as its settings page edits it, and whether it is the one in force.</summary>
/// <param name="Stored">What the owner saved, or null when nothing was.</param>
/// <param name="InEffect">What the app, wallboards, reports and e-mails show now.</param>
public sealed record BrandingSettings(string TenantId, Branding? Stored, Branding InEffect, Branding Default, int MaxProductNameLength, int MaxLogoBytes);

/// <summary>
/// White-label: GET/PUT/DELETE /api/tenants/{tenantId}/branding for owners whose plan includes it, the branding in force
/// for every member (the app's header, colours and title), and for a wallboard's share token.
/// </summary>
public static class BrandingApi
{
    public static RouteGroupBuilder MapBrandingApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var branding = api.MapGroup("/tenants/{tenantId}/branding");
        branding.MapGet("/", GetAsync).WithName("GetBranding").RequireOrgRole(OrgRole.Owner);
        branding.MapPut("/", PutAsync).WithName("SaveBranding").RequireOrgRole(OrgRole.Owner);
        branding.MapDelete("/", DeleteAsync).WithName("DeleteBranding").RequireOrgRole(OrgRole.Owner);
        branding.MapGet("/effective", EffectiveAsync).WithName("GetEffectiveBranding").RequireOrgRole(OrgRole.Viewer);
        api.MapGet("/wall/{token}/branding", WallAsync).WithName("GetWallBranding").AllowAnonymous();
        return api;
    }

    private static async Task<Results<Ok<BrandingSettings>, ProblemHttpResult>> GetAsync(
        string tenantId, IBrandingStore store, IPlanService plans, IOrganisationBranding branding, CancellationToken cancellationToken)
    {
        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        if (!limits.WhiteLabel)
        {
            return PlanLimitProblems.Feature(limits, "white-label branding", l => l.WhiteLabel);
        }

        return TypedResults.Ok(await SettingsAsync(tenantId, store, branding, cancellationToken));
    }

    private static async Task<Results<Ok<BrandingSettings>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string tenantId, HttpRequest request, IBrandingStore store, IPlanService plans, IOrganisationBranding branding, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var limits = await plans.GetLimitsAsync(tenantId, cancellationToken);
        if (!limits.WhiteLabel)
        {
            return PlanLimitProblems.Feature(limits, "white-label branding", l => l.WhiteLabel);
        }

        Branding? input;
        try
        {
            input = await request.ReadFromJsonAsync<Branding>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [e.Message] }, title: "The body is not readable branding");
        }

        var errors = BrandingValidation.Validate(input);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The branding is not valid");
        }

        var before = await store.GetAsync(tenantId, cancellationToken) ?? Branding.SalesDash;
        var after = BrandingValidation.Normalise(input!);
        await store.SaveAsync(tenantId, after, time.GetUtcNow(), cancellationToken);
        request.HttpContext.Note(BrandingChange(before, after));
        return TypedResults.Ok(await SettingsAsync(tenantId, store, branding, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenantId, IBrandingStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(tenantId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No branding", detail: $"'{tenantId}' has no branding of its own.");

    private static async Task<Ok<Branding>> EffectiveAsync(string tenantId, IOrganisationBranding branding, CancellationToken cancellationToken) =>
        TypedResults.Ok(await branding.GetAsync(tenantId, cancellationToken));

    /// <summary>A wallboard has no sign-in; its live share token names the organisation whose branding it shows.</summary>
    [AllowAnonymous]
    private static async Task<Results<Ok<Branding>, ProblemHttpResult>> WallAsync(
        string token, IDashboardStore dashboards, IOrganisationBranding branding, HttpContext http, CancellationToken cancellationToken)
    {
        http.Response.Headers.CacheControl = "no-store";
        return await dashboards.ResolveShareTokenAsync(token, cancellationToken) is ShareResolution.Active active
            ? TypedResults.Ok(await branding.GetAsync(active.Dashboard.TenantId, cancellationToken))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown share link", detail: "No dashboard is shared under this link.");
    }

    /// <summary>What changed, for the audit log; the logo by whether it changed, not its bytes.</summary>
    private static string BrandingChange(Branding before, Branding after)
    {
        var parts = new List<string>();
        if (before.ProductName != after.ProductName)
        {
            parts.Add($"product name '{before.ProductName}' → '{after.ProductName}'");
        }

        if (before.PrimaryColour != after.PrimaryColour)
        {
            parts.Add($"primary colour {before.PrimaryColour} → {after.PrimaryColour}");
        }

        if (before.AccentColour != after.AccentColour)
        {
            parts.Add($"accent colour {before.AccentColour} → {after.AccentColour}");
        }

        if (before.LogoDataUri != after.LogoDataUri)
        {
            parts.Add(after.LogoDataUri is null ? "logo removed" : before.LogoDataUri is null ? "logo added" : "logo replaced");
        }

        return parts.Count == 0 ? "no change" : string.Join("; ", parts);
    }

    private static async Task<BrandingSettings> SettingsAsync(
        string tenantId, IBrandingStore store, IOrganisationBranding branding, CancellationToken cancellationToken) =>
        new(tenantId, await store.GetAsync(tenantId, cancellationToken), await branding.GetAsync(tenantId, cancellationToken), Branding.SalesDash,
            BrandingValidation.MaxProductNameLength, BrandingValidation.MaxLogoBytes);
}
