using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Clustering;
using SalesDash.Web.AppData;
using SalesDash.Web.Audit;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Benchmarks;

/// <summary>Whether the organisation takes part and why; <see cref="Notice"/> is set while it counts only because it is on its trial.</summary>
/// <param name="Chosen">False while the organisation has not chosen, so the trial's default applies.</param>
public sealed record BenchmarkSettingsView(
    string TenantId, string? Industry, bool TakesPart, bool Chosen, bool OnTrial, string? Notice, IReadOnlyList<string> Industries);

/// <summary>A change to the settings; a null field is left as it is.</summary>
public sealed record BenchmarkSettingsChange(string? Industry, bool? TakesPart);

/// <summary>The cohort a metric is compared with: <see cref="Industry"/> and <see cref="Band"/> are "*" when the cohort is wider.</summary>
public sealed record CohortView(string Level, string Industry, string Band, int Contributors);

/// <summary>The organisation's own figure (null when unknown) against its narrowest published cohort (null when none has five organisations).</summary>
public sealed record BenchmarkMetricView(string Metric, decimal? You, CohortView? Cohort, decimal? P25, decimal? P50, decimal? P75);

/// <summary>"You vs peers": the organisation's figures and the quartiles of its cohorts, never another organisation's figure.</summary>
public sealed record BenchmarksView(
    string TenantId, string? Industry, string? Band, bool TakesPart, string? Notice, DateTimeOffset? ComputedAt, int MinimumPeers,
    IReadOnlyList<BenchmarkMetricView> Metrics);

/// <summary>Why a "you vs peers" widget shows no quartiles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PeerWidgetHidden>))]
public enum PeerWidgetHidden
{
    /// <summary>The organisation's tier does not include advanced analytics.</summary>
    Plan,

    /// <summary>No cohort of the organisation, even all organisations, has five contributors to the metric.</summary>
    CohortTooSmall,
}

/// <summary>
/// One metric of "you vs peers" as a board widget shows it: the organisation's figure against its narrowest published
/// cohort's quartiles, or, when <see cref="Hidden"/> is set, no figures at all and <see cref="Message"/> saying why.
/// </summary>
/// <param name="Metric">The widget's kebab-case metric key ("conversion-rate", ...).</param>
public sealed record PeerWidgetView(
    string TenantId, string Metric, PeerWidgetHidden? Hidden, string? Message, decimal? You, CohortView? Cohort, decimal? P25, decimal? P50, decimal? P75,
    int MinimumPeers);

/// <summary>The benchmark settings and the "you vs peers" read; handlers call these, never each other.</summary>
public sealed class PeerBenchmarks(IDbContextFactory<AppIdentityDbContext> databases, IPlanService plans, PeerFigures figures, TimeProvider time)
{
    public const string TrialNotice =
        "While your trial lasts, your organisation's figures count towards peer benchmarks unless you turn this off. "
        + "Only quartiles of cohorts of five or more organisations are published; no single organisation's figure is ever shown.";

    public async Task<BenchmarkSettingsView> SettingsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var profile = await db.Set<BenchmarkProfileRow>().AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId, cancellationToken);
        var onTrial = (await plans.GetStandingAsync(tenantId, cancellationToken)).Source == PlanSource.Trial;
        var takesPart = PeerCohorts.TakesPart(profile?.TakesPart, onTrial);
        var notice = profile?.TakesPart is null && onTrial ? TrialNotice : null;
        return new BenchmarkSettingsView(tenantId, profile?.Industry, takesPart, profile?.TakesPart is not null, onTrial, notice, PeerCohorts.Industries);
    }

    /// <exception cref="ArgumentException">An industry not on <see cref="PeerCohorts.Industries"/>.</exception>
    public async Task<BenchmarkSettingsView> ChangeAsync(string tenantId, BenchmarkSettingsChange change, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var industry = change.Industry?.Trim().ToLowerInvariant();
        if (change.Industry is not null && !PeerCohorts.IsIndustry(industry))
        {
            throw new ArgumentException($"'{change.Industry}' is not an industry; use one of: {string.Join(", ", PeerCohorts.Industries)}.", nameof(change));
        }

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var profile = await db.Set<BenchmarkProfileRow>().FirstOrDefaultAsync(p => p.TenantId == tenantId, cancellationToken);
            if (profile is null)
            {
                profile = new BenchmarkProfileRow { TenantId = tenantId };
                db.Add(profile);
            }

            profile.Industry = industry ?? profile.Industry;
            profile.TakesPart = change.TakesPart ?? profile.TakesPart;
            profile.UpdatedAt = StoredTime.From(time.GetUtcNow());
            profile.UpdatedBy = userId;
            await db.SaveChangesAsync(cancellationToken);
        }

        return await SettingsAsync(tenantId, cancellationToken);
    }

    /// <summary>The widget's metric keys, in the board's kebab case, and the metric each names.</summary>
    public static readonly IReadOnlyDictionary<string, BenchmarkMetric> WidgetMetrics = new Dictionary<string, BenchmarkMetric>(StringComparer.Ordinal)
    {
        ["conversion-rate"] = BenchmarkMetric.ConversionRate,
        ["average-order-value"] = BenchmarkMetric.AverageOrderValue,
        ["repeat-rate"] = BenchmarkMetric.RepeatRate,
        ["refund-rate"] = BenchmarkMetric.RefundRate,
        ["revenue-growth-wow"] = BenchmarkMetric.RevenueGrowthWoW,
        ["revenue-growth-mom"] = BenchmarkMetric.RevenueGrowthMoM,
        ["roas"] = BenchmarkMetric.Roas,
    };

    /// <summary>
    /// One metric for a board widget. Unlike the Benchmarks page this is not refused by the plan gate: a board (or a
    /// wall with no one signed in) shows the widget hidden with the reason, so a downgrade does not break the board.
    /// </summary>
    /// <exception cref="ArgumentException">A metric not in <see cref="WidgetMetrics"/>.</exception>
    public async Task<PeerWidgetView> WidgetAsync(string tenantId, string metricKey, CancellationToken cancellationToken)
    {
        if (!WidgetMetrics.TryGetValue(metricKey, out var metric))
        {
            throw new ArgumentException($"'{metricKey}' is not a benchmark metric; use one of: {string.Join(", ", WidgetMetrics.Keys)}.", nameof(metricKey));
        }

        if (!(await plans.GetLimitsAsync(tenantId, cancellationToken)).Includes(PlanFeature.AdvancedAnalytics))
        {
            return new PeerWidgetView(tenantId, metricKey, PeerWidgetHidden.Plan,
                "Peer benchmarks are part of plans with advanced analytics; upgrade to compare this figure with your peers.",
                null, null, null, null, null, PeerCohorts.MinimumPeers);
        }

        var row = (await GetAsync(tenantId, cancellationToken)).Metrics.Single(m => m.Metric == metric.ToString());
        if (row.Cohort is null)
        {
            // Nothing of the organisation's own figure either: the widget shows the reason alone, as the page does.
            return new PeerWidgetView(tenantId, metricKey, PeerWidgetHidden.CohortTooSmall,
                $"Not enough peers yet: a comparison is shown once at least {PeerCohorts.MinimumPeers} organisations contribute this figure.",
                null, null, null, null, null, PeerCohorts.MinimumPeers);
        }

        return new PeerWidgetView(tenantId, metricKey, null, null, row.You, row.Cohort, row.P25, row.P50, row.P75, PeerCohorts.MinimumPeers);
    }

    /// <summary>The cohorts the last benchmark run published (five contributors or more each) and when it ran; null when it never has.</summary>
    public async Task<(IReadOnlyList<CohortAggregate> Cohorts, DateTimeOffset? ComputedAt)> PublishedAsync(CancellationToken cancellationToken)
    {
        List<BenchmarkCohortRow> rows;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            rows = await db.Set<BenchmarkCohortRow>().AsNoTracking().ToListAsync(cancellationToken);
        }

        var aggregates = rows.Select(r => new CohortAggregate(Enum.Parse<CohortLevel>(r.Level), r.Industry, r.Band, Enum.Parse<BenchmarkMetric>(r.Metric),
            r.Contributors, r.P25, r.P50, r.P75)).ToList();
        return (aggregates, rows.Count == 0 ? null : StoredTime.To(rows.Max(r => r.ComputedAt)));
    }

    public async Task<BenchmarksView> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var settings = await SettingsAsync(tenantId, cancellationToken);
        var own = await figures.ReadAsync(tenantId, cancellationToken);
        var band = own is null ? null : PeerCohorts.BandOf(own.RevenueUsd);
        var (aggregates, computed) = await PublishedAsync(cancellationToken);
        var metrics = Enum.GetValues<BenchmarkMetric>().Select(metric =>
        {
            var cohort = PeerCohorts.Pick(aggregates, settings.Industry, band ?? PeerCohorts.Bands[0].Band, metric);
            return new BenchmarkMetricView(metric.ToString(), own?.Of(metric),
                cohort is null ? null : new CohortView(cohort.Level.ToString(), cohort.Industry, cohort.Band, cohort.Contributors),
                cohort?.P25, cohort?.P50, cohort?.P75);
        }).ToList();
        return new BenchmarksView(tenantId, settings.Industry, band, settings.TakesPart, settings.Notice, computed, PeerCohorts.MinimumPeers, metrics);
    }
}

/// <summary>Benchmarks: settings any organisation can state (onboarding asks), "you vs peers" behind advanced analytics, and the cluster job.</summary>
public static class BenchmarksApi
{
    public static IServiceCollection AddPeerBenchmarks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BenchmarkOptions>().Bind(configuration.GetSection(BenchmarkOptions.Section))
            .Validate(o => o.Interval >= TimeSpan.FromMinutes(1), "Benchmarks:Interval must be at least a minute.")
            .ValidateOnStart();
        services.AddSingleton<PeerFigures>();
        services.AddSingleton<PeerBenchmarks>();
        services.AddSingleton<PeerBenchmarkJob>();
        if (configuration.GetValue(BenchmarkOptions.Section + ":" + nameof(BenchmarkOptions.JobEnabled), true))
        {
            // One node computes the cohorts for the cluster; every node reads them from the app database.
            services.AddSingleton<IClusterJob, PeerBenchmarkService>();
        }

        return services;
    }

    public static RouteGroupBuilder MapBenchmarksApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/tenants/{tenantId}/benchmarks/settings", SettingsAsync).WithName("GetBenchmarkSettings").RequireOrgRole(OrgRole.Viewer);
        group.MapPut("/tenants/{tenantId}/benchmarks/settings", ChangeAsync).WithName("ChangeBenchmarkSettings").RequireOrgRole(OrgRole.Admin);
        group.MapGet("/tenants/{tenantId}/benchmarks", GetAsync).WithName("GetBenchmarks").RequireOrgRole(OrgRole.Viewer)
            .RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        group.MapGet("/tenants/{tenantId}/benchmarks/widget/{metric}", WidgetAsync).WithName("GetBenchmarkWidget").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    /// <summary>The widget's read for a wallboard: the organisation of a store the share link shows, no sign-in.</summary>
    public static RouteGroupBuilder MapWallBenchmarksApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/wall/{token}/stores/{tenantId}/{storeId}/benchmarks/{metric}", WallWidgetAsync).AllowAnonymous().WithName("GetWallBenchmarkWidget");
        return api;
    }

    private static async Task<Results<Ok<PeerWidgetView>, ProblemHttpResult>> WidgetAsync(
        string tenantId, string metric, PeerBenchmarks benchmarks, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await benchmarks.WidgetAsync(tenantId, metric, cancellationToken));
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown benchmark metric", detail: ex.Message);
        }
    }

    private static async Task<Results<Ok<PeerWidgetView>, ProblemHttpResult>> WallWidgetAsync(
        string token, string tenantId, string storeId, string metric, WallAccess access, PeerBenchmarks benchmarks, HttpContext http, CancellationToken cancellationToken)
    {
        // A wall polls; once its link is revoked no cache may answer for it.
        http.Response.Headers.CacheControl = "no-store";
        if (await access.AuthorizeStoreAsync(token, new StoreRef(tenantId, storeId), cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
                detail: "The link is unknown, switched off, or its dashboard does not show this store.");
        }

        return await WidgetAsync(tenantId, metric, benchmarks, cancellationToken);
    }

    private static async Task<Ok<BenchmarkSettingsView>> SettingsAsync(string tenantId, PeerBenchmarks benchmarks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await benchmarks.SettingsAsync(tenantId, cancellationToken));

    private static async Task<Results<Ok<BenchmarkSettingsView>, ProblemHttpResult>> ChangeAsync(
        string tenantId, BenchmarkSettingsChange change, HttpContext http, PeerBenchmarks benchmarks, CancellationToken cancellationToken)
    {
        try
        {
            var view = await benchmarks.ChangeAsync(tenantId, change, OrgAccess.UserId(http.User), cancellationToken);
            http.Note($"benchmarks: industry {view.Industry ?? "unset"}, takes part {(view.TakesPart ? "yes" : "no")}");
            return TypedResults.Ok(view);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid benchmark settings", detail: ex.Message);
        }
    }

    private static async Task<Ok<BenchmarksView>> GetAsync(string tenantId, PeerBenchmarks benchmarks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await benchmarks.GetAsync(tenantId, cancellationToken));
}
