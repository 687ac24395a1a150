using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Web.AppData;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Onboarding;

/// <summary>The checklist with what the page needs beside it: the organisation's Shopify app installs and whether the app is set up.</summary>
public sealed record OnboardingView(OnboardingChecklist Checklist, IReadOnlyList<ShopifyInstallation> ShopifyInstallations, bool ShopifyAppAvailable);

/// <summary>What the manual Shopify path shows: the exact webhook address, the topics to add there, and a fresh secret.</summary>
public sealed record ShopifyManualSetup(Uri WebhookUrl, IReadOnlyList<string> Topics, string WebhookSecret);

/// <summary>
/// Reads and records an organisation's onboarding: stores from the directory, choices from the app database, and the
/// "live" step from the stores' own entities (the first event folded), remembered once seen.
/// </summary>
public sealed class OnboardingService(
    IDbContextFactory<AppIdentityDbContext> databases,
    IStoreDirectory stores,
    ITileQuery tiles,
    IDashboardStore dashboards,
    ShopifyAppInstaller shopify,
    Plans.IPlanService plans,
    TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Asking each entity costs a round trip; an organisation being onboarded has a handful of stores, and once one has
    // an event the answer is stored, so only the first stores are asked.
    private const int StoresAskedForLive = 20;

    public async Task<OnboardingView> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var profiles = await stores.ListAsync(tenantId, cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<OnboardingRow>().SingleOrDefaultAsync(o => o.TenantId == tenantId, cancellationToken);
        if (row?.LiveAt is null && profiles.Count > 0)
        {
            foreach (var profile in profiles.Take(StoresAskedForLive))
            {
                if ((await tiles.GetTilesAsync(profile, cancellationToken)).EventsApplied > 0)
                {
                    row ??= db.Set<OnboardingRow>().Add(new OnboardingRow { TenantId = tenantId }).Entity;
                    row.LiveAt = StoredTime.From(time.GetUtcNow());
                    await db.SaveChangesAsync(cancellationToken);
                    break;
                }
            }
        }

        var facts = new OnboardingFacts(profiles.Count, Tracked(row), row?.TemplateId, row?.DashboardId, StoredTime.To(row?.LiveAt));
        return new OnboardingView(OnboardingSteps.Evaluate(tenantId, facts), await shopify.ListAsync(tenantId, cancellationToken), shopify.Options.Configured);
    }

    /// <summary>Stores the figures to track; the problem when the choice is not valid.</summary>
    public async Task<string?> ChooseTrackingAsync(string tenantId, IReadOnlyList<string>? metrics, CancellationToken cancellationToken)
    {
        if (OnboardingSteps.CheckMetrics(metrics) is { } problem)
        {
            return problem;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await RowAsync(db, tenantId, cancellationToken);
        row.TrackedMetrics = JsonSerializer.Serialize(metrics, Json);
        row.TrackingChosenAt = StoredTime.From(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Makes (or, when chosen before, remakes) the organisation's dashboard from the template and the tracked figures;
    /// the problem when the template is unknown or nothing is tracked yet.
    /// </summary>
    public async Task<(Dashboard? Dashboard, ProblemHttpResult? Problem)> PickTemplateAsync(string tenantId, string? templateId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await RowAsync(db, tenantId, cancellationToken);
        var tracked = Tracked(row);
        if (tracked is null || tracked.Count == 0)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing tracked yet",
                detail: "Choose what to track first: the template is filled with those figures."));
        }

        if (templateId is null || OnboardingSteps.Build(templateId, tracked) is not { } input)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown template",
                detail: $"Template must be one of {string.Join(", ", OnboardingSteps.Templates.Select(t => t.Id))}."));
        }

        var dashboard = row.DashboardId is { } id ? await dashboards.UpdateAsync(tenantId, id, input, cancellationToken) : null;
        if (dashboard is null)
        {
            // A new dashboard counts against the plan's allowance like one made on the Dashboards page.
            if (Plans.PlanLimitProblems.CountLimit(await plans.GetLimitsAsync(tenantId, cancellationToken), "dashboards",
                    (await dashboards.ListAsync(tenantId, cancellationToken)).Count, l => l.MaxDashboards) is { } refused)
            {
                return (null, refused);
            }

            dashboard = await dashboards.CreateAsync(tenantId, input, cancellationToken);
        }

        row.TemplateId = templateId;
        row.DashboardId = dashboard.Id;
        row.TemplateChosenAt = StoredTime.From(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return (dashboard, null);
    }

    /// <summary>The manual path: our Shopify webhook address and a new random secret to paste into the shop's notification settings.</summary>
    public static ShopifyManualSetup ManualSetup(Uri publicBase) =>
        new(new Uri(publicBase, ShopifyAppInstaller.OrdersWebhookPath.TrimStart('/')), ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"],
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    private static async Task<OnboardingRow> RowAsync(AppIdentityDbContext db, string tenantId, CancellationToken cancellationToken) =>
        await db.Set<OnboardingRow>().SingleOrDefaultAsync(o => o.TenantId == tenantId, cancellationToken)
        ?? db.Set<OnboardingRow>().Add(new OnboardingRow { TenantId = tenantId }).Entity;

    private static List<string>? Tracked(OnboardingRow? row) =>
        row?.TrackedMetrics is { } json ? JsonSerializer.Deserialize<List<string>>(json, Json) : null;
}
