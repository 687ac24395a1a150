using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Alerts;

/// <summary>"Pause all alerts until …" for a store, or for the whole organisation when <see cref="StoreId"/> is empty.</summary>
public sealed class AlertPauseRow
{
    public required string TenantId { get; set; }

    /// <summary>The paused store; "" pauses every store of the organisation.</summary>
    public required string StoreId { get; set; }

    public DateTime Until { get; set; }
    public string? Reason { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A pause as the Alerts page shows it; <see cref="StoreId"/> null is the whole organisation.</summary>
public sealed record AlertPause(string TenantId, string? StoreId, DateTimeOffset Until, string? Reason);

/// <summary>What a person asks for: until when, for one store or (no store) the organisation, and why.</summary>
public sealed record AlertPauseRequest(string? StoreId, DateTimeOffset? Until, string? Reason);

/// <summary>
/// Pauses kept in the app database (so every node honours them), read by <see cref="PausableAlertNotifier"/> before
/// any alert is sent. A pause ends by itself at its time: nothing has to run to resume.
/// </summary>
public sealed class AlertPauses(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    /// <summary>The longest pause: a planned sale or maintenance, not a way to switch alerts off for good.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(31);

    public async Task<IReadOnlyList<AlertPause>> ActiveAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<AlertPauseRow>().AsNoTracking().Where(p => p.TenantId == tenantId && p.Until > now).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(p => p.StoreId, StringComparer.Ordinal).Select(ToPause)];
    }

    /// <summary>The pause that silences this store now (its own or the organisation's, whichever lasts longer); null when none.</summary>
    public async Task<AlertPause?> PausedAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<AlertPauseRow>().AsNoTracking()
            .Where(p => p.TenantId == tenantId && (p.StoreId == "" || p.StoreId == storeId) && p.Until > now)
            .ToListAsync(cancellationToken);
        return rows.OrderByDescending(p => p.Until).Select(ToPause).FirstOrDefault();
    }

    public async Task<AlertPause> SetAsync(string tenantId, string? storeId, DateTimeOffset until, string? reason, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var key = storeId ?? "";
        var row = await db.Set<AlertPauseRow>().SingleOrDefaultAsync(p => p.TenantId == tenantId && p.StoreId == key, cancellationToken);
        if (row is null)
        {
            row = new AlertPauseRow { TenantId = tenantId, StoreId = key };
            db.Add(row);
        }

        row.Until = StoredTime.From(until);
        row.Reason = reason;
        row.CreatedAt = StoredTime.From(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ToPause(row);
    }

    /// <summary>Resumes alerts now; false when there was no pause.</summary>
    public async Task<bool> ClearAsync(string tenantId, string? storeId, CancellationToken cancellationToken)
    {
        var key = storeId ?? "";
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<AlertPauseRow>().Where(p => p.TenantId == tenantId && p.StoreId == key).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    internal static void Configure(Microsoft.EntityFrameworkCore.ModelBuilder builder) =>
        builder.Entity<AlertPauseRow>(e =>
        {
            e.ToTable("AlertPauses");
            e.HasKey(p => new { p.TenantId, p.StoreId });
            e.Property(p => p.TenantId).HasMaxLength(64);
            e.Property(p => p.StoreId).HasMaxLength(64);
            e.Property(p => p.Reason).HasMaxLength(200);
        });

    private static AlertPause ToPause(AlertPauseRow row) =>
        new(row.TenantId, row.StoreId.Length == 0 ? null : row.StoreId, StoredTime.To(row.Until), row.Reason);
}

/// <summary>
/// Wraps a notifier so nothing is sent for a store while its alerts (or its organisation's) are paused, nor for an alert while it is snoozed. Alerts still
/// fire and are listed; only the telling waits. Once the pause ends, the next notification goes out as usual.
/// </summary>
public sealed class PausableAlertNotifier(IAlertNotifier inner, AlertPauses pauses, ILogger<PausableAlertNotifier> log, AlertSnoozes? snoozes = null) : IAlertNotifier
{
    public string Channel => inner.Channel;

    public IAlertNotifier Inner => inner;

    public async Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (await pauses.PausedAsync(notification.Alert.TenantId, notification.Alert.StoreId, cancellationToken) is { } pause)
        {
            log.LogInformation("Alert {Alert} not sent by {Channel}: alerts of {Tenant}/{Store} are paused until {Until}",
                notification.Alert.Id, inner.Channel, notification.Alert.TenantId, notification.Alert.StoreId, pause.Until);
            return;
        }

        // A snoozed alert is quiet until its snooze ends; AlertSnoozeWaker reminds then if it is still open.
        if (snoozes is not null && await snoozes.SnoozedUntilAsync(notification.Alert.TenantId, notification.Alert.Id, cancellationToken) is { } until)
        {
            log.LogInformation("Alert {Alert} not sent by {Channel}: snoozed until {Until}", notification.Alert.Id, inner.Channel, until);
            return;
        }

        await inner.NotifyAsync(notification, cancellationToken);
    }
}

/// <summary>GET/PUT/DELETE /api/tenants/{tenantId}/alert-pauses: "pause all alerts until …".</summary>
internal static class AlertPausesApi
{
    public static RouteGroupBuilder MapAlertPausesApi(this RouteGroupBuilder api)
    {
        var pauses = api.MapGroup("/tenants/{tenantId}/alert-pauses");
        pauses.MapGet("/", ListAsync).WithName("ListAlertPauses").RequireOrgRole(OrgRole.Viewer);
        pauses.MapPut("/", SetAsync).WithName("PauseAlerts").RequireOrgRole(OrgRole.Admin);
        pauses.MapDelete("/", ClearAsync).WithName("ResumeAlerts").RequireOrgRole(OrgRole.Admin);
        return api;
    }

    private static async Task<Ok<IReadOnlyList<AlertPause>>> ListAsync(string tenantId, AlertPauses pauses, CancellationToken cancellationToken) =>
        TypedResults.Ok(await pauses.ActiveAsync(tenantId, cancellationToken));

    private static async Task<Results<Ok<AlertPause>, ValidationProblem, ProblemHttpResult>> SetAsync(
        string tenantId, AlertPauseRequest request, AlertPauses pauses, IStoreDirectory stores, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request?.Until is not { } until || until <= now)
        {
            errors["until"] = ["Give a time in the future until which alerts are paused."];
        }
        else if (until - now > AlertPauses.Longest)
        {
            errors["until"] = [$"A pause lasts at most {AlertPauses.Longest.TotalDays:0} days; disable the rules to stop them for longer."];
        }

        if (request?.Reason is { Length: > 200 })
        {
            errors["reason"] = ["A reason is at most 200 characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The pause is not valid");
        }

        var storeId = string.IsNullOrWhiteSpace(request!.StoreId) ? null : request.StoreId.Trim();
        if (storeId is not null && await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken) is null)
        {
            return StoreScope.UnknownStore(tenantId, storeId);
        }

        return TypedResults.Ok(await pauses.SetAsync(tenantId, storeId, request.Until!.Value, request.Reason, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ClearAsync(string tenantId, string? storeId, AlertPauses pauses, CancellationToken cancellationToken) =>
        await pauses.ClearAsync(tenantId, string.IsNullOrWhiteSpace(storeId) ? null : storeId, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not paused", detail: "Alerts were not paused there.");
}
