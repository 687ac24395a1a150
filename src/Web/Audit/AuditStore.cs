using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Audit;

/// <summary>One recorded change attempt: who, what, on which target, and how it ended.</summary>
/// <param name="Id">Increasing: later entries have larger ids, so paging walks back by id.</param>
/// <param name="TenantId">The organisation named by the route, or null for a route outside any organisation.</param>
/// <param name="Action">The endpoint's name (e.g. UpdateDashboard), or METHOD and route pattern when it has none.</param>
/// <param name="Target">The route values except the organisation, e.g. id=…; never a secret.</param>
/// <param name="Outcome">succeeded (2xx/3xx), refused (4xx) or failed (5xx).</param>
/// <param name="Summary">For settings changes, what changed (before → after), where the endpoint says so cheaply.</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? TenantId,
    string? ActorUserId,
    string? ActorEmail,
    string? ApiKeyId,
    string Action,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Target,
    int Status,
    string Outcome,
    string? Summary);

/// <summary>Filters of an audit query; null filters match everything.</summary>
/// <param name="Before">Only entries with a smaller id: the previous page's <see cref="AuditPage.NextBefore"/>.</param>
public sealed record AuditQuery(
    string TenantId,
    string? Actor = null,
    string? Action = null,
    string? Outcome = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? Before = null,
    int Limit = 50);

/// <summary>One page of entries, newest first, and the cursor of the next (older) page when there is one.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore);

/// <summary>The append-only audit log: entries are added and read, never changed or removed.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// The audit log in the app database. The database refuses any UPDATE or DELETE of its table (triggers created by the
/// migrations on SQLite and PostgreSQL), making it append-only even to code that tries.
/// </summary>
public sealed class EfAuditLog(IDbContextFactory<AppIdentityDbContext> databases) : IAuditLog
{
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Set<AuditRow>().Add(new AuditRow
        {
            At = StoredTime.From(entry.At),
            TenantId = entry.TenantId,
            ActorUserId = entry.ActorUserId,
            ActorEmail = entry.ActorEmail,
            ApiKeyId = entry.ApiKeyId,
            Action = entry.Action,
            Method = entry.Method,
            Path = entry.Path,
            Target = JsonSerializer.Serialize(entry.Target),
            Status = entry.Status,
            Outcome = entry.Outcome,
            Summary = entry.Summary,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = db.Set<AuditRow>().AsNoTracking().Where(a => a.TenantId == query.TenantId);
        if (query.Actor is { } actor)
        {
            // E-mail addresses match whatever their case; ids exactly.
            var email = actor.ToUpperInvariant();
            rows = rows.Where(a => a.ActorUserId == actor || (a.ActorEmail != null && a.ActorEmail.ToUpper() == email) || a.ApiKeyId == actor);
        }

        if (query.Action is { } action)
        {
            rows = rows.Where(a => a.Action == action);
        }

        if (query.Outcome is { } outcome)
        {
            rows = rows.Where(a => a.Outcome == outcome);
        }

        if (query.From is { } from)
        {
            var start = StoredTime.From(from);
            rows = rows.Where(a => a.At >= start);
        }

        if (query.To is { } to)
        {
            var end = StoredTime.From(to);
            rows = rows.Where(a => a.At < end);
        }

        if (query.Before is { } before)
        {
            rows = rows.Where(a => a.Id < before);
        }

        // One more than asked tells whether an older page exists without a COUNT.
        var found = await rows.OrderByDescending(a => a.Id).Take(query.Limit + 1).ToListAsync(cancellationToken);
        var entries = found.Select(a => new AuditEntry(
            a.Id,
            StoredTime.To(a.At),
            a.TenantId,
            a.ActorUserId,
            a.ActorEmail,
            a.ApiKeyId,
            a.Action,
            a.Method,
            a.Path,
            JsonSerializer.Deserialize<Dictionary<string, string>>(a.Target) ?? [],
            a.Status,
            a.Outcome,
            a.Summary)).ToList();
        return entries.Count > query.Limit
            ? new AuditPage(entries[..query.Limit], entries[query.Limit - 1].Id)
            : new AuditPage(entries, null);
    }
}
