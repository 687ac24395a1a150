using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Metrics;
using SalesDash.Engine.Stores;
using SalesDash.Web.Metrics;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Alerts;

/// <summary>
/// Alert rules per organisation under /api/tenants/{tenantId}/alert-rules and their alerts under
/// /api/tenants/{tenantId}/alerts (list, acknowledge). Until sign-in exists the organisation is the tenant id in the route.
/// </summary>
public static class AlertsApi
{
    private const int MaxListed = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps the routes under <paramref name="api"/> (the "/api" group).</summary>
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var rules = api.MapGroup("/tenants/{tenantId}/alert-rules");
        rules.MapGet("/", ListRulesAsync).WithName("ListAlertRules").RequireOrgRole(OrgRole.Viewer);
        rules.MapPost("/", CreateRuleAsync).WithName("CreateAlertRule").RequireOrgRole(OrgRole.Admin).RequirePlanFeature(PlanFeature.CustomAlerts);
        rules.MapGet("/{id}", GetRuleAsync).WithName("GetAlertRule").RequireOrgRole(OrgRole.Viewer);
        rules.MapPut("/{id}", UpdateRuleAsync).WithName("UpdateAlertRule").RequireOrgRole(OrgRole.Admin).RequirePlanFeature(PlanFeature.CustomAlerts);
        rules.MapDelete("/{id}", DeleteRuleAsync).WithName("DeleteAlertRule").RequireOrgRole(OrgRole.Admin);
        var alerts = api.MapGroup("/tenants/{tenantId}/alerts");
        alerts.MapGet("/", ListAlertsAsync).WithName("ListAlerts").RequireOrgRole(OrgRole.Viewer);
        alerts.MapGet("/{id}", GetAlertAsync).WithName("GetAlert").RequireOrgRole(OrgRole.Viewer);
        alerts.MapPost("/{id}/acknowledge", AcknowledgeAsync).WithName("AcknowledgeAlert").RequireOrgRole(OrgRole.Analyst);
        alerts.MapAlertSnoozesApi();
        api.MapAlertPausesApi();
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<AlertRuleView>>, ProblemHttpResult>> ListRulesAsync(
        string tenantId, IAlertRuleStore rules, IStoreDirectory stores, IAlertRuleAllowance allowance, AlertRuleHealth health, CancellationToken cancellationToken)
    {
        if (await UnknownTenantAsync(tenantId, stores, cancellationToken) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(await ViewsAsync(tenantId, await rules.ListRulesAsync(tenantId, cancellationToken), allowance, health, cancellationToken));
    }

    private static async Task<Results<Created<AlertRuleView>, ValidationProblem, ProblemHttpResult>> CreateRuleAsync(
        string tenantId, HttpRequest request, IAlertRuleStore rules, IStoreDirectory stores, IRequiredActor<AlertCoordinatorActor> coordinator,
        ICustomMetricStore metrics, IPlanService plans, IAlertRuleAllowance allowance, AlertRuleHealth health, CancellationToken cancellationToken)
    {
        if (await UnknownTenantAsync(tenantId, stores, cancellationToken) is { } problem)
        {
            return problem;
        }

        var (input, invalid) = await ReadRuleAsync(tenantId, request, stores, metrics, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        // The route's filter let custom alerts through; an anomaly rule also needs advanced analytics.
        if (AlertRulePlans.Refusal(await plans.GetLimitsAsync(tenantId, cancellationToken), input!.Kind) is { } refused)
        {
            return refused;
        }

        var rule = await rules.CreateRuleAsync(tenantId, input, cancellationToken);
        coordinator.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        return TypedResults.Created($"/api/tenants/{Uri.EscapeDataString(tenantId)}/alert-rules/{rule.Id}", (await ViewsAsync(tenantId, [rule], allowance, health, cancellationToken))[0]);
    }

    private static async Task<Results<Ok<AlertRuleView>, ProblemHttpResult>> GetRuleAsync(
        string tenantId, string id, IAlertRuleStore rules, IAlertRuleAllowance allowance, AlertRuleHealth health, CancellationToken cancellationToken) =>
        await rules.GetRuleAsync(tenantId, id, cancellationToken) is { } rule ? TypedResults.Ok((await ViewsAsync(tenantId, [rule], allowance, health, cancellationToken))[0]) : NoRule(tenantId, id);

    /// <summary>Rules as the API shows them: each rule the organisation's tier pauses with the reason, each that cannot be evaluated with why.</summary>
    private static async Task<IReadOnlyList<AlertRuleView>> ViewsAsync(
        string tenantId, IReadOnlyList<AlertRule> rules, IAlertRuleAllowance allowance, AlertRuleHealth health, CancellationToken cancellationToken)
    {
        var paused = await allowance.PausedAsync(rules, cancellationToken);
        var problems = await health.ProblemsAsync(tenantId, rules, cancellationToken);
        return [.. rules.Select(r => AlertRuleView.Of(r) with { PausedReason = paused.GetValueOrDefault(r.Id), CannotEvaluate = problems.GetValueOrDefault(r.Id) })];
    }

    private static async Task<Results<Ok<AlertRuleView>, ValidationProblem, ProblemHttpResult>> UpdateRuleAsync(
        string tenantId, string id, HttpRequest request, IAlertRuleStore rules, IStoreDirectory stores, IRequiredActor<AlertCoordinatorActor> coordinator,
        ICustomMetricStore metrics, IPlanService plans, IAlertRuleAllowance allowance, AlertRuleHealth health, CancellationToken cancellationToken)
    {
        var (input, invalid) = await ReadRuleAsync(tenantId, request, stores, metrics, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        if (AlertRulePlans.Refusal(await plans.GetLimitsAsync(tenantId, cancellationToken), input!.Kind) is { } refused)
        {
            return refused;
        }

        if (await rules.UpdateRuleAsync(tenantId, id, input, cancellationToken) is not { } rule)
        {
            return NoRule(tenantId, id);
        }

        coordinator.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        return TypedResults.Ok((await ViewsAsync(tenantId, [rule], allowance, health, cancellationToken))[0]);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRuleAsync(
        string tenantId, string id, IAlertRuleStore rules, IRequiredActor<AlertCoordinatorActor> coordinator, CancellationToken cancellationToken)
    {
        if (!await rules.DeleteRuleAsync(tenantId, id, cancellationToken))
        {
            return NoRule(tenantId, id);
        }

        coordinator.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<AlertView>>, ValidationProblem, ProblemHttpResult>> ListAlertsAsync(
        string tenantId, string? status, string? storeId, int? limit, IAlertStore alerts, IStoreDirectory stores, AlertSnoozes snoozes, CancellationToken cancellationToken)
    {
        if (await UnknownTenantAsync(tenantId, stores, cancellationToken) is { } problem)
        {
            return problem;
        }

        AlertStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<AlertStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Use Firing, Acknowledged or Resolved."] });
            }

            wanted = parsed;
        }

        if (limit is < 1 or > MaxListed)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Between 1 and {MaxListed}."] });
        }

        var snoozed = await snoozes.ActiveAsync(tenantId, cancellationToken);
        IReadOnlyList<AlertView> list = [.. (await alerts.ListAlertsAsync(tenantId, wanted, storeId, limit ?? 100, cancellationToken))
            .Select(a => AlertView.Of(a) with { SnoozedUntil = snoozed.TryGetValue(a.Id, out var until) ? until : null })];
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Ok<AlertView>, ProblemHttpResult>> GetAlertAsync(
        string tenantId, string id, IAlertStore alerts, AlertSnoozes snoozes, CancellationToken cancellationToken) =>
        await alerts.GetAlertAsync(tenantId, id, cancellationToken) is { } alert
            ? TypedResults.Ok(AlertView.Of(alert) with { SnoozedUntil = await snoozes.SnoozedUntilAsync(tenantId, id, cancellationToken) })
            : NoAlert(tenantId, id);

    private static async Task<Results<Ok<AlertView>, ProblemHttpResult>> AcknowledgeAsync(
        string tenantId, string id, HttpRequest request, IAlertStore alerts, CancellationToken cancellationToken)
    {
        // The body is optional: an empty POST acknowledges without a name.
        AcknowledgeRequest? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<AcknowledgeRequest>(request.Body, Json, cancellationToken);
            }
            catch (JsonException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable body", detail: "Send {\"by\": \"name\"} or nothing.");
            }
        }

        var by = string.IsNullOrWhiteSpace(body?.By) ? null : body.By.Trim();
        return await alerts.AcknowledgeAsync(tenantId, id, by, cancellationToken) is { } alert ? TypedResults.Ok(AlertView.Of(alert)) : NoAlert(tenantId, id);
    }

    private static async Task<(AlertRuleInput? Input, ValidationProblem? Invalid)> ReadRuleAsync(
        string tenantId, HttpRequest request, IStoreDirectory stores, ICustomMetricStore metrics, CancellationToken cancellationToken)
    {
        AlertRuleRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AlertRuleRequest>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "body"] = ["Not readable as a rule: " + e.Message] },
                title: "The alert rule is not valid"));
        }

        var storeIds = (await stores.ListAsync(tenantId, cancellationToken)).Select(s => s.Store.StoreId).ToHashSet(StringComparer.Ordinal);
        var input = AlertRuleValidation.Parse(body, storeIds.Contains, out var errors);
        if (input is not null && !string.IsNullOrWhiteSpace(body?.CustomMetricId))
        {
            // A custom metric target (src/Web/Metrics): its formula is copied into the rule and read over closed minutes.
            var (custom, problem) = await CustomMetricTargetAsync(tenantId, body.CustomMetricId.Trim(), input.Kind, metrics, cancellationToken);
            if (problem is not null)
            {
                errors["customMetricId"] = [problem];
                input = null;
            }
            else
            {
                input = input with { CustomMetric = custom };
            }
        }

        return input is null ? (null, TypedResults.ValidationProblem(errors, title: "The alert rule is not valid")) : (input, null);
    }

    private static async Task<(AlertCustomMetric? Metric, string? Problem)> CustomMetricTargetAsync(
        string tenantId, string id, AlertRuleKind kind, ICustomMetricStore metrics, CancellationToken cancellationToken)
    {
        if (kind is not (AlertRuleKind.Threshold or AlertRuleKind.PercentChange))
        {
            return (null, "Only threshold and percent-change rules can watch a custom metric.");
        }

        if (await metrics.GetAsync(tenantId, id, cancellationToken) is not { } metric)
        {
            return (null, $"'{tenantId}' has no custom metric '{id}'.");
        }

        var parse = FormulaLanguage.Parse(metric.Formula, AlertCustomMetric.MinuteFigureNames);
        return parse.IsValid
            ? (new AlertCustomMetric(metric.Id, metric.Name, metric.Formula), null)
            : (null, $"Alerts read figures minute by minute, which carry {string.Join(", ", AlertCustomMetric.MinuteFigureNames)}; "
                + $"'{metric.Name}' ({metric.Formula}) needs more: {parse.Errors[0].Message}");
    }

    private static async Task<ProblemHttpResult?> UnknownTenantAsync(string tenantId, IStoreDirectory stores, CancellationToken cancellationToken) =>
        (await stores.ListAsync(tenantId, cancellationToken)).Count > 0
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown organisation", detail: $"There is no organisation '{tenantId}'.");

    private static ProblemHttpResult NoRule(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown alert rule", detail: $"'{tenantId}' has no alert rule '{id}'.");

    private static ProblemHttpResult NoAlert(string tenantId, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown alert", detail: $"'{tenantId}' has no alert '{id}'.");
}
