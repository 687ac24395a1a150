using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Stores;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Goals;

/// <summary>What a person sends to set a goal; strings so a wrong word gets its own message rather than a parse failure.</summary>
public sealed record GoalRequest(
    string? Name,
    string? Metric,
    decimal? Target,
    string? Period,
    DateOnly? From = null,
    DateOnly? To = null,
    string? StoreId = null,
    string? Pace = null,
    bool AlertWhenBehind = false);

/// <summary>Revenue and orders goals with pace, per organisation under /api/tenants/{tenantId}/goals.</summary>
public static class GoalsApi
{
    /// <summary>A custom period longer than a year is a typo more often than a sale.</summary>
    public const int MaxCustomDays = 366;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The goal store and the progress service.</summary>
    public static IServiceCollection AddGoals(this IServiceCollection services)
    {
        services.AddSingleton<IGoalStore, EfGoalStore>();
        services.AddSingleton<GoalProgressService>();
        // Checked by the cluster-jobs singleton: one node raises a goal's pace alert, however many run.
        services.AddSingleton<GoalPaceJob>();
        services.AddSingleton<SalesDash.Engine.Clustering.IClusterJob>(sp => sp.GetRequiredService<GoalPaceJob>());
        return services;
    }

    /// <summary>Maps the routes under <paramref name="api"/> (the "/api" group).</summary>
    public static RouteGroupBuilder MapGoalsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var goals = api.MapGroup("/tenants/{tenantId}/goals");
        goals.MapGet("/", ListAsync).WithName("ListGoals").RequireOrgRole(OrgRole.Viewer);
        goals.MapPost("/", CreateAsync).WithName("CreateGoal").RequireOrgRole(OrgRole.Analyst);
        goals.MapGet("/{id}", GetAsync).WithName("GetGoal").RequireOrgRole(OrgRole.Viewer);
        goals.MapDelete("/{id}", DeleteAsync).WithName("DeleteGoal").RequireOrgRole(OrgRole.Analyst);
        // A wallboard has no sign-in: it reads a goal through its share link, and only a goal one of its widgets shows.
        api.MapGet("/wall/{token}/goals/{id}", WallGoalAsync).AllowAnonymous().WithName("GetWallGoal");
        return api;
    }

    private static async Task<Results<Ok<GoalView>, ProblemHttpResult>> WallGoalAsync(
        string token, string id, HttpContext http, IDashboardStore dashboards, IGoalStore goals, GoalProgressService progress, CancellationToken cancellationToken)
    {
        // A wall polls this; once the link is revoked no cache may answer for it.
        http.Response.Headers.CacheControl = "no-store";
        if (await dashboards.ResolveShareTokenAsync(token, cancellationToken) is not ShareResolution.Active active
            || !active.Dashboard.Widgets.Any(w => w.Kind == "saved-goal" && w.Settings.GoalId == id)
            || await goals.GetAsync(active.Dashboard.TenantId, id, cancellationToken) is not { } goal)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not on this wallboard",
                detail: "This link does not show that goal, or the link is no longer valid.");
        }

        return TypedResults.Ok(await progress.ViewAsync(goal, cancellationToken));
    }

    private static async Task<Ok<GoalView[]>> ListAsync(string tenantId, IGoalStore goals, GoalProgressService progress, CancellationToken cancellationToken)
    {
        var views = new List<GoalView>();
        foreach (var goal in await goals.ListAsync(tenantId, cancellationToken))
        {
            views.Add(await progress.ViewAsync(goal, cancellationToken));
        }

        return TypedResults.Ok(views.ToArray());
    }

    private static async Task<Results<Ok<GoalView>, ProblemHttpResult>> GetAsync(
        string tenantId, string id, IGoalStore goals, GoalProgressService progress, CancellationToken cancellationToken) =>
        await goals.GetAsync(tenantId, id, cancellationToken) is { } goal ? TypedResults.Ok(await progress.ViewAsync(goal, cancellationToken)) : NoGoal(tenantId, id);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenantId, string id, IGoalStore goals, CancellationToken cancellationToken) =>
        await goals.DeleteAsync(tenantId, id, cancellationToken) ? TypedResults.NoContent() : NoGoal(tenantId, id);

    private static async Task<Results<Created<GoalView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, HttpRequest request, IGoalStore goals, IStoreDirectory stores, GoalProgressService progress, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var own = await stores.ListAsync(tenantId, cancellationToken);
        if (own.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown organisation", detail: $"There is no organisation '{tenantId}'.");
        }

        GoalRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<GoalRequest>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "body"] = ["Not readable as a goal: " + e.Message] },
                title: "The goal is not valid");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var goal = Parse(tenantId, body, own, time.GetUtcNow(), errors);
        if (goal is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The goal is not valid");
        }

        await goals.SaveAsync(goal, cancellationToken);
        return TypedResults.Created($"/api/tenants/{Uri.EscapeDataString(tenantId)}/goals/{goal.Id}", await progress.ViewAsync(goal, cancellationToken));
    }

    /// <summary>The goal the request describes, or null with every problem in <paramref name="errors"/>.</summary>
    public static Goal? Parse(string tenantId, GoalRequest? body, IReadOnlyList<Contracts.Stores.StoreProfile> stores, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(errors);
        if (body is null)
        {
            errors["body"] = ["Send a goal: name, metric, target and period."];
            return null;
        }

        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors["name"] = ["Give the goal a name of 1 to 100 characters."];
        }

        // Words are read case-insensitively and without dashes, so what a view sends back ("HourlyProfile") is read too.
        static string? Word(string? value) => value?.Trim().Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        GoalMetric? metric = Word(body.Metric) switch { "revenue" => GoalMetric.Revenue, "orders" => GoalMetric.Orders, _ => null };
        if (metric is null)
        {
            errors["metric"] = ["Metric must be 'revenue' or 'orders'."];
        }

        if (body.Target is not { } target || target <= 0m || target > 1_000_000_000_000m)
        {
            errors["target"] = ["Target must be a number above zero."];
        }
        else if (metric == GoalMetric.Orders && target != decimal.Truncate(target))
        {
            errors["target"] = ["An orders target is a whole number."];
        }

        GoalPeriod? period = Word(body.Period) switch
        {
            "day" => GoalPeriod.Day,
            "week" => GoalPeriod.Week,
            "month" => GoalPeriod.Month,
            "custom" => GoalPeriod.Custom,
            _ => null,
        };
        if (period is null)
        {
            errors["period"] = ["Period must be 'day', 'week', 'month' or 'custom'."];
        }
        else if (period == GoalPeriod.Custom)
        {
            if (body.From is not { } from || body.To is not { } to)
            {
                errors["from"] = ["A custom period needs both 'from' and 'to' (store-local dates, both included)."];
            }
            else if (to < from)
            {
                errors["to"] = ["'to' must be on or after 'from'."];
            }
            else if (to.DayNumber - from.DayNumber + 1 > MaxCustomDays)
            {
                errors["to"] = [$"A custom period is at most {MaxCustomDays} days."];
            }
        }
        else if (body.From is not null || body.To is not null)
        {
            errors["from"] = ["'from' and 'to' are only for a custom period; day, week and month goals follow the calendar."];
        }

        PaceMethod? pace = Word(body.Pace) switch { null or "hourlyprofile" => PaceMethod.HourlyProfile, "linear" => PaceMethod.Linear, _ => null };
        if (pace is null)
        {
            errors["pace"] = ["Pace must be 'linear' or 'hourly-profile'."];
        }

        var storeId = string.IsNullOrWhiteSpace(body.StoreId) ? null : body.StoreId.Trim();
        if (storeId is not null && stores.All(s => s.Store.StoreId != storeId))
        {
            errors["storeId"] = [$"The organisation has no store '{storeId}'."];
        }
        else if (storeId is null && metric == GoalMetric.Revenue && stores.Select(s => s.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            errors["storeId"] = ["The organisation's stores take more than one currency; set a revenue goal per store, or an orders goal."];
        }

        if (body.AlertWhenBehind && storeId is null && !errors.ContainsKey("storeId"))
        {
            errors["alertWhenBehind"] = ["A pace alert belongs to one store; set it on a store goal."];
        }

        return errors.Count > 0
            ? null
            : new Goal(Guid.NewGuid().ToString("n"), tenantId, storeId, name!, metric!.Value, body.Target!.Value, period!.Value,
                period == GoalPeriod.Custom ? body.From : null, period == GoalPeriod.Custom ? body.To : null, pace!.Value, body.AlertWhenBehind, now);
    }

    private static ProblemHttpResult NoGoal(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown goal", detail: $"'{tenantId}' has no goal '{id}'.");
}
