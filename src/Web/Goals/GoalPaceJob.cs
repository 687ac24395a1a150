using Akka.Actor;
using Akka.Hosting;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Clustering;

namespace SalesDash.Web.Goals;

/// <summary>
/// Raises an alert when a store goal that asks for one falls behind its pace, through the alerts' own store and delivery
/// (so it lists, acknowledges and toasts like any alert), and resolves it when the goal is back on pace or met. A cluster
/// job, so one node checks; what is open is read from the alert store, so a node taking over neither repeats nor loses one.
/// At most one pace alert per goal per period: a goal hovering around its pace does not page people every minute.
/// </summary>
public sealed class GoalPaceJob(
    IGoalStore goals, GoalProgressService progress, IAlertStore alerts, IRequiredActor<AlertDeliveryActor> delivery, TimeProvider time,
    ILogger<GoalPaceJob> log) : IClusterJob
{
    /// <summary>Alerts a goal raises carry this rule id prefix, so they never collide with an alert rule's.</summary>
    public const string RulePrefix = "goal:";

    public string Name => "goal-pace";

    /// <summary>Once a minute, the grain the live figures close on.</summary>
    public TimeSpan Interval => TimeSpan.FromMinutes(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var goal in await goals.ListAlertingAsync(cancellationToken))
        {
            try
            {
                await CheckAsync(goal, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One goal whose figures cannot be read must not hold back every other organisation's.
                log.LogError(e, "Pace check of goal {GoalId} of {TenantId} failed", goal.Id, goal.TenantId);
            }
        }
    }

    /// <summary>One goal's check: fire, resolve or leave as it is.</summary>
    public async Task CheckAsync(Goal goal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(goal);
        if (goal.StoreId is not { } storeId)
        {
            return; // the API refuses pace alerts on organisation goals: an alert belongs to one store
        }

        var view = await progress.ViewAsync(goal, cancellationToken);
        if (view.Progress is not { } p)
        {
            return;
        }

        var ruleId = RulePrefix + goal.Id;
        var open = (await alerts.OpenAlertsAsync(goal.TenantId, storeId, cancellationToken)).FirstOrDefault(a => a.RuleId == ruleId);
        var now = time.GetUtcNow();
        var figures = new AlertFigures(goal.Metric == GoalMetric.Revenue ? AlertMetric.Revenue : AlertMetric.Orders, p.Projected ?? p.Achieved, p.Target,
            null, null, null, 0, now, view.Currency ?? string.Empty, AnomalySeverity.Low);
        var rule = new AlertRule { Id = ruleId, TenantId = goal.TenantId, StoreId = storeId, Name = goal.Name, Kind = AlertRuleKind.Threshold, InApp = true };
        if (p.Status == GoalStatus.Behind && open is null)
        {
            var recent = await alerts.ListAlertsAsync(goal.TenantId, null, storeId, 200, cancellationToken);
            if (recent.Any(a => a.RuleId == ruleId && a.FiredAt >= p.StartsAt))
            {
                return;
            }

            var alert = new Alert
            {
                Id = Guid.NewGuid().ToString("n"),
                TenantId = goal.TenantId,
                StoreId = storeId,
                RuleId = ruleId,
                RuleName = goal.Name,
                Kind = AlertRuleKind.Threshold,
                Status = AlertStatus.Firing,
                FiredAt = now,
                Message = $"{goal.Name}: {view.Sentence}",
                Figures = figures,
            };
            await alerts.SaveAlertAsync(alert, cancellationToken);
            delivery.ActorRef.Tell(new AlertDeliveryActor.Deliver(new AlertNotification(alert, rule, AlertNotificationKind.Fired, false)));
        }
        else if (p.Status != GoalStatus.Behind && open is not null)
        {
            var resolved = open with { Status = AlertStatus.Resolved, ResolvedAt = now, ResolvedFigures = figures };
            await alerts.SaveAlertAsync(resolved, cancellationToken);
            delivery.ActorRef.Tell(new AlertDeliveryActor.Deliver(new AlertNotification(resolved, rule, AlertNotificationKind.Resolved, false)));
        }
    }
}
