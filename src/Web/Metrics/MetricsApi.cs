using SalesDash.Engine.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Metrics;

/// <summary>A function of the formula language as the editor lists it.</summary>
public sealed record FormulaFunctionView(string Name, int MinArguments, int? MaxArguments, string Description);

/// <summary>What a formula may use: the figures, the functions and the limits.</summary>
public sealed record FormulaLanguageView(IReadOnlyList<MetricFigure> Figures, IReadOnlyList<FormulaFunctionView> Functions, int MaxLength, int MaxDepth);

/// <summary>The answer to checking a formula: valid with its normalised text and the figures it uses, or the errors with positions.</summary>
public sealed record FormulaCheck(bool Valid, string? Normalised, IReadOnlyList<string> Figures, IReadOnlyList<FormulaError> Errors);

/// <summary>
/// Custom metrics of an organisation: CRUD under /api/tenants/{tenantId}/metrics (Analyst to change, Viewer to read),
/// a formula check for the editor, values and trends per store, and the same values for a wallboard whose dashboard shows the metric.
/// </summary>
public static class MetricsApi
{
    /// <summary>What a widget's metric setting holds to show a custom metric: "custom:" and the metric's id.</summary>
    public const string WidgetPrefix = "custom:";

    public const int MaxNameLength = 60;

    public static RouteGroupBuilder MapMetricsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var metrics = api.MapGroup("/tenants/{tenantId}/metrics");
        metrics.MapGet("/", ListAsync).WithName("ListCustomMetrics").RequireOrgRole(OrgRole.Viewer);
        metrics.MapGet("/language", Language).WithName("GetFormulaLanguage").RequireOrgRole(OrgRole.Viewer);
        metrics.MapGet("/check", Check).WithName("CheckFormula").RequireOrgRole(OrgRole.Viewer);
        metrics.MapPost("/", CreateAsync).WithName("CreateCustomMetric").RequireOrgRole(OrgRole.Analyst);
        metrics.MapGet("/{id}", GetAsync).WithName("GetCustomMetric").RequireOrgRole(OrgRole.Viewer);
        metrics.MapPut("/{id}", UpdateAsync).WithName("UpdateCustomMetric").RequireOrgRole(OrgRole.Analyst);
        metrics.MapDelete("/{id}", DeleteAsync).WithName("DeleteCustomMetric").RequireOrgRole(OrgRole.Analyst);
        metrics.MapGet("/{id}/values", ValuesAsync).WithName("GetCustomMetricValues").RequireOrgRole(OrgRole.Viewer);
        api.MapGet("/wall/{token}/stores/{tenantId}/{storeId}/metrics/{id}", WallValuesAsync).WithName("GetWallCustomMetricValues").AllowAnonymous();
        return api;
    }

    private static async Task<Ok<IReadOnlyList<CustomMetric>>> ListAsync(string tenantId, ICustomMetricStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(tenantId, cancellationToken));

    private static Ok<FormulaLanguageView> Language() => TypedResults.Ok(new FormulaLanguageView(
        MetricFigures.All,
        [.. FormulaLanguage.Functions.Select(f => new FormulaFunctionView(f.Key, f.Value.Min, f.Value.Max, f.Value.Description))],
        FormulaLanguage.MaxLength, FormulaLanguage.MaxDepth));

    private static Ok<FormulaCheck> Check(string? formula)
    {
        var parse = FormulaLanguage.Parse(formula, MetricFigures.Names);
        return TypedResults.Ok(parse.IsValid
            ? new FormulaCheck(true, FormulaLanguage.Print(parse.Tree!), FormulaLanguage.NamesIn(parse.Tree!), [])
            : new FormulaCheck(false, null, [], parse.Errors));
    }

    private static async Task<Results<Ok<CustomMetric>, ProblemHttpResult>> GetAsync(
        string tenantId, string id, ICustomMetricStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, id, cancellationToken) is { } metric ? TypedResults.Ok(metric) : NoMetric(tenantId, id);

    private static async Task<Results<Created<CustomMetric>, ValidationProblem>> CreateAsync(
        string tenantId, HttpRequest request, ICustomMetricStore store, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var created = await store.CreateAsync(tenantId, input!.Name, input.Formula, input.Format, cancellationToken);
        return TypedResults.Created($"/api/tenants/{Uri.EscapeDataString(tenantId)}/metrics/{created.Id}", created);
    }

    private static async Task<Results<Ok<CustomMetric>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string id, HttpRequest request, ICustomMetricStore store, CancellationToken cancellationToken)
    {
        var (input, problem) = await ReadAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return await store.UpdateAsync(tenantId, id, input!.Name, input.Formula, input.Format, cancellationToken) is { } updated
            ? TypedResults.Ok(updated)
            : NoMetric(tenantId, id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenantId, string id, ICustomMetricStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(tenantId, id, cancellationToken) ? TypedResults.NoContent() : NoMetric(tenantId, id);

    private static async Task<Results<Ok<MetricValues>, ProblemHttpResult>> ValuesAsync(
        string tenantId, string id, string? storeId, [AsParameters] MetricPeriod query, [AsParameters] MetricServices services, IStoreDirectory stores,
        CancellationToken cancellationToken)
    {
        var (store, values) = services;
        var (period, compare, grain) = (query.Period, query.Compare, query.Grain);
        if (await store.GetAsync(tenantId, id, cancellationToken) is not { } metric)
        {
            return NoMetric(tenantId, id);
        }

        StoreProfile? profile;
        if (storeId is null)
        {
            profile = (await stores.ListAsync(tenantId, cancellationToken)).OrderBy(s => s.Store.StoreId, StringComparer.Ordinal).FirstOrDefault();
        }
        else
        {
            profile = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        }

        if (profile is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store",
                detail: storeId is null ? $"'{tenantId}' has no store yet." : StoreScope.UnknownStoreDetail(tenantId, storeId));
        }

        return await ComputeAsync(metric, storeId is null ? HistoryScope.Tenant(tenantId) : HistoryScope.Store(tenantId, storeId), profile, period, compare, grain,
            values, cancellationToken);
    }

    /// <summary>A wallboard reads a custom metric only for a store its dashboard shows and only when one of its widgets uses that metric.</summary>
    private static async Task<Results<Ok<MetricValues>, ProblemHttpResult>> WallValuesAsync(
        [AsParameters] WallStore wall, string id, [AsParameters] MetricPeriod query, [AsParameters] MetricServices services, IDashboardStore dashboards)
    {
        var (store, values) = services;
        var (tenantId, storeId, cancellationToken) = (wall.TenantId, wall.StoreId, wall.CancellationToken);
        var shown = await dashboards.ResolveShareTokenAsync(wall.Token, cancellationToken) is ShareResolution.Active active
            && active.Dashboard.Widgets.Any(w => w.Settings.Metric == WidgetPrefix + id);
        if (await wall.AuthorizeAsync() is not { } profile
            || !shown
            || await store.GetAsync(tenantId, id, cancellationToken) is not { } metric)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
                detail: "This link does not show that metric for that store, or the link is no longer valid.");
        }

        return await ComputeAsync(metric, HistoryScope.Store(tenantId, storeId), profile, query.Period, query.Compare, null, values, cancellationToken);
    }

    private static async Task<Results<Ok<MetricValues>, ProblemHttpResult>> ComputeAsync(
        CustomMetric metric, HistoryScope scope, StoreProfile profile, string? period, string? compare, string? grain, CustomMetricValues values,
        CancellationToken cancellationToken)
    {
        if (!HistoryPeriods.TryParsePeriod(period ?? "today", out var kind) || kind == PeriodKind.Custom)
        {
            return Bad($"period '{period}' is not one of today, yesterday, last7, last30, last90, mtd.");
        }

        if (!HistoryPeriods.TryParseComparison(compare ?? "none", out var comparison))
        {
            return Bad($"compare '{compare}' is not one of previous, previous_year, none.");
        }

        if (!HistoryPeriods.TryParseGrain(grain, out var cut))
        {
            return Bad($"grain '{grain}' is not one of minute, hour, day, week.");
        }

        try
        {
            return TypedResults.Ok(await values.ComputeAsync(metric, scope, profile, kind, comparison, cut, cancellationToken));
        }
        catch (ArgumentException e)
        {
            return Bad(e.Message);
        }
    }

    private static async Task<(ValidMetricInput? Input, ValidationProblem? Problem)> ReadAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        CustomMetricInput? input;
        try
        {
            input = await request.ReadFromJsonAsync<CustomMetricInput>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [e.Message] }, title: "The body is not a readable metric"));
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = input?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["A metric needs a name."];
        }
        else if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"A name is at most {MaxNameLength} characters."];
        }

        var format = MetricFormat.Number;
        if (input?.Format is { } f && (!Enum.TryParse(f, ignoreCase: true, out format) || int.TryParse(f, out _)))
        {
            errors["format"] = ["Format is number, currency or percent."];
        }

        var parse = FormulaLanguage.Parse(input?.Formula, MetricFigures.Names);
        if (!parse.IsValid)
        {
            errors["formula"] = [.. parse.Errors.Select(e => $"At {e.Position + 1}: {e.Message}")];
        }

        if (errors.Count > 0)
        {
            return (null, TypedResults.ValidationProblem(errors, title: "The metric is not valid",
                extensions: new Dictionary<string, object?> { ["formulaErrors"] = parse.Errors }));
        }

        return (new ValidMetricInput(name!, input!.Formula!.Trim(), format), null);
    }

    private sealed record ValidMetricInput(string Name, string Formula, MetricFormat Format);

    /// <summary>The query string of a metric's values: period (default today), comparison (default none) and grain.</summary>
    internal sealed record MetricPeriod
    {
        public string? Period { get; init; }

        public string? Compare { get; init; }

        public string? Grain { get; init; }
    }

    /// <summary>What computing a metric's values needs; the request's token comes on its own (a wallboard's from its link).</summary>
    internal sealed record MetricServices(ICustomMetricStore Store, CustomMetricValues Values);

    private static ProblemHttpResult NoMetric(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown metric", detail: $"There is no custom metric '{id}' in '{tenantId}'.");

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid metric query", detail: detail);
}

public static class MetricsHosting
{
    /// <summary>Custom metrics in the app database and the service that computes them from history.</summary>
    public static IServiceCollection AddCustomMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<ICustomMetricStore, EfCustomMetricStore>();
        services.TryAddSingleton<CustomMetricValues>();
        return services;
    }
}
