using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Alerts;

/// <summary>One alert snoozed until a time: nobody is told about it until then.</summary>
public sealed class AlertSnoozeRow
{
    public required string TenantId { get; set; }
    public required string AlertId { get; set; }
    public DateTime Until { get; set; }
    public string? SnoozedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>What a person asks for: quiet about this alert until when.</summary>
public sealed record AlertSnoozeRequest(DateTimeOffset? Until, string? By);

/// <summary>
/// Snoozes kept in the app database (so every node honours them), read by <see cref="PausableAlertNotifier"/> before an
/// alert is sent. Unlike a pause, a snooze ends with a reminder: <see cref="AlertSnoozeWaker"/> tells people again when
/// it runs out if the alert is still open.
/// </summary>
public sealed class AlertSnoozes(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    /// <summary>The longest snooze: longer than a week is switching the rule off, which the rule editor does.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    public async Task<DateTimeOffset?> SnoozedUntilAsync(string tenantId, string alertId, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var until = await db.Set<AlertSnoozeRow>().AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.AlertId == alertId && s.Until > now).Select(s => (DateTime?)s.Until).SingleOrDefaultAsync(cancellationToken);
        return until is { } u ? StoredTime.To(u) : null;
    }

    /// <summary>The running snoozes of an organisation's alerts, by alert id, for the list.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ActiveAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<AlertSnoozeRow>().AsNoTracking().Where(s => s.TenantId == tenantId && s.Until > now).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.AlertId, r => StoredTime.To(r.Until), StringComparer.Ordinal);
    }

    public async Task SetAsync(string tenantId, string alertId, DateTimeOffset until, string? by, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<AlertSnoozeRow>().SingleOrDefaultAsync(s => s.TenantId == tenantId && s.AlertId == alertId, cancellationToken);
        if (row is null)
        {
            row = new AlertSnoozeRow { TenantId = tenantId, AlertId = alertId };
            db.Add(row);
        }

        row.Until = StoredTime.From(until);
        row.SnoozedBy = by;
        row.CreatedAt = StoredTime.From(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Ends a snooze now, without a reminder (the person is looking at it); false when there was none.</summary>
    public async Task<bool> ClearAsync(string tenantId, string alertId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<AlertSnoozeRow>().Where(s => s.TenantId == tenantId && s.AlertId == alertId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Snoozes that have run out, oldest first.</summary>
    internal async Task<IReadOnlyList<(string TenantId, string AlertId, DateTime Until)>> ExpiredAsync(int limit, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<AlertSnoozeRow>().AsNoTracking().Where(s => s.Until <= now).OrderBy(s => s.Until).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.TenantId, r.AlertId, r.Until))];
    }

    /// <summary>
    /// Takes an expired snooze for this node: the delete succeeds on exactly one node, so a reminder is sent once however
    /// many nodes run the waker. Matching on Until keeps a snooze renewed in the meantime.
    /// </summary>
    internal async Task<bool> ClaimAsync(string tenantId, string alertId, DateTime until, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<AlertSnoozeRow>().Where(s => s.TenantId == tenantId && s.AlertId == alertId && s.Until == until)
            .ExecuteDeleteAsync(cancellationToken) > 0;
    }

    internal static void Configure(ModelBuilder builder) =>
        builder.Entity<AlertSnoozeRow>(e =>
        {
            e.ToTable("AlertSnoozes");
            e.HasKey(s => new { s.TenantId, s.AlertId });
            e.Property(s => s.TenantId).HasMaxLength(64);
            e.Property(s => s.AlertId).HasMaxLength(64);
            e.Property(s => s.SnoozedBy).HasMaxLength(200);
            e.HasIndex(s => s.Until);
        });
}

/// <summary>How often the waker looks for snoozes that ran out.</summary>
public sealed class AlertSnoozeOptions
{
    public const string Section = "Alerts:Snooze";

    /// <summary>A reminder is late by at most this much; a minute matches the evaluators' minute. Zero: this node does not look (tests call the waker).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// When a snooze runs out and its alert is still open, tells people again through every channel (pauses still
/// apply); a resolved alert was already reported resolved, or was resolved quietly while snoozed, and is left alone.
/// </summary>
public sealed class AlertSnoozeWaker(
    AlertSnoozes snoozes, IAlertStore alerts, IAlertRuleStore rules, IEnumerable<IAlertNotifier> notifiers, ILogger<AlertSnoozeWaker> log)
{
    private const int Batch = 100;

    /// <summary>Reminds of every still-open alert whose snooze has run out; returns the alerts reminded of.</summary>
    public async Task<IReadOnlyList<string>> WakeAsync(CancellationToken cancellationToken)
    {
        var reminded = new List<string>();
        foreach (var (tenantId, alertId, until) in await snoozes.ExpiredAsync(Batch, cancellationToken))
        {
            if (!await snoozes.ClaimAsync(tenantId, alertId, until, cancellationToken))
            {
                continue;
            }

            if (await alerts.GetAlertAsync(tenantId, alertId, cancellationToken) is not { Status: not AlertStatus.Resolved } alert
                || await rules.GetRuleAsync(tenantId, alert.RuleId, cancellationToken) is not { } rule)
            {
                continue;
            }

            var notification = new AlertNotification(alert with { Message = $"{alert.Message} (Snoozed until {until.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC; still going on.)" },
                rule, AlertNotificationKind.Fired, HeldByQuietHours: false);
            foreach (var notifier in notifiers)
            {
                try
                {
                    await notifier.NotifyAsync(notification, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One channel failing (a receiver down) must not keep the others from reminding.
                    log.LogWarning(e, "Snooze reminder of alert {Alert} not sent by {Channel}", alertId, notifier.Channel);
                }
            }

            reminded.Add(alertId);
        }

        return reminded;
    }
}

/// <summary>Runs <see cref="AlertSnoozeWaker"/> on the app's clock.</summary>
internal sealed class AlertSnoozeWakerService(AlertSnoozeWaker waker, IOptions<AlertSnoozeOptions> options, TimeProvider time, ILogger<AlertSnoozeWakerService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.CheckInterval == TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await waker.WakeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Snooze reminders failed; trying again at the next tick");
            }
        }
    }
}

/// <summary>POST/DELETE /api/tenants/{tenantId}/alerts/{id}/snooze.</summary>
internal static class AlertSnoozesApi
{
    public static RouteGroupBuilder MapAlertSnoozesApi(this RouteGroupBuilder alerts)
    {
        alerts.MapPost("/{id}/snooze", SnoozeAsync).WithName("SnoozeAlert").RequireOrgRole(OrgRole.Analyst);
        alerts.MapDelete("/{id}/snooze", WakeAsync).WithName("UnsnoozeAlert").RequireOrgRole(OrgRole.Analyst);
        return alerts;
    }

    private static async Task<Results<Ok<AlertView>, ValidationProblem, ProblemHttpResult>> SnoozeAsync(
        string tenantId, string id, AlertSnoozeRequest? request, IAlertStore alerts, AlertSnoozes snoozes, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request?.Until is not { } until || until <= now)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["until"] = ["A time in the future is required."] }, title: "The snooze is not valid");
        }

        if (until - now > AlertSnoozes.Longest)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["until"] = ["At most 7 days ahead; switch the rule off for longer."] },
                title: "The snooze is not valid");
        }

        if (await alerts.GetAlertAsync(tenantId, id, cancellationToken) is not { } alert)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown alert", detail: $"'{tenantId}' has no alert '{id}'.");
        }

        if (alert.Status == AlertStatus.Resolved)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Alert resolved", detail: "A resolved alert sends nothing more; there is nothing to snooze.");
        }

        var by = string.IsNullOrWhiteSpace(request.By) ? null : request.By.Trim();
        await snoozes.SetAsync(tenantId, id, until, by, cancellationToken);
        return TypedResults.Ok(AlertView.Of(alert) with { SnoozedUntil = until });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> WakeAsync(string tenantId, string id, AlertSnoozes snoozes, CancellationToken cancellationToken) =>
        await snoozes.ClearAsync(tenantId, id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not snoozed", detail: $"Alert '{id}' is not snoozed.");
}
