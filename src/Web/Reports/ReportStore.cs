using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Reports;

/// <summary>Report definitions and the history of their sends (with each send's PDF), per organisation.</summary>
public interface IReportStore
{
    Task<IReadOnlyList<ReportDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Every enabled report of every organisation, for the scheduler.</summary>
    Task<IReadOnlyList<ReportDefinition>> ListEnabledAsync(CancellationToken cancellationToken);

    Task<ReportDefinition?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>A report by its id alone (ids are unique across organisations), for its share link.</summary>
    Task<ReportDefinition?> FindAsync(string id, CancellationToken cancellationToken);

    Task SaveAsync(ReportDefinition report, CancellationToken cancellationToken);

    /// <summary>Deletes the report and its sends; false when there was none.</summary>
    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a send; a null <paramref name="pdf"/> keeps the PDF already held.</summary>
    Task SaveSendAsync(ReportSend send, byte[]? pdf, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="next"/> over the send only if the stored one is still as <paramref name="expected"/> was read
    /// (same status and claim) and, given <paramref name="leaseExpiredBy"/>, its lease ran out by then; false when another
    /// node changed it first. A null <paramref name="pdf"/> keeps the PDF already held.
    /// </summary>
    Task<bool> ReplaceSendAsync(ReportSend expected, ReportSend next, byte[]? pdf, DateTimeOffset? leaseExpiredBy, CancellationToken cancellationToken);

    /// <summary>Extends the lease of a running send held by <see cref="ReportSend.ClaimId"/>; false when that claim no longer holds it.</summary>
    Task<bool> RenewLeaseAsync(ReportSend renewed, CancellationToken cancellationToken);

    /// <summary>Running sends of every organisation whose lease ran out by <paramref name="now"/>: their node stopped mid-send.</summary>
    Task<IReadOnlyList<ReportSend>> ListAbandonedAsync(DateTimeOffset now, CancellationToken cancellationToken);

    Task<ReportSend?> GetSendAsync(string tenantId, string sendId, CancellationToken cancellationToken);

    /// <summary>The report's sends, newest first.</summary>
    Task<IReadOnlyList<ReportSend>> ListSendsAsync(string tenantId, string reportId, int limit, CancellationToken cancellationToken);

    /// <summary>Failed sends that are due another attempt, of every organisation.</summary>
    Task<IReadOnlyList<ReportSend>> ListRetriesAsync(CancellationToken cancellationToken);

    Task<byte[]?> GetPdfAsync(string tenantId, string sendId, CancellationToken cancellationToken);
}

/// <summary>
/// Reports in the app database. A definition and a send are each kept as one JSON document (they are always read and
/// written whole) beside the columns the lists filter and sort on; the PDF of a send is binary beside it.
/// </summary>
public sealed class EfReportStore(IDbContextFactory<AppIdentityDbContext> databases) : IReportStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly string Failed = ReportSendStatus.Failed.ToString();

    private static readonly string Running = ReportSendStatus.Running.ToString();

    public async Task<IReadOnlyList<ReportDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var bodies = await db.Set<ReportRow>().AsNoTracking().Where(r => r.TenantId == tenantId).Select(r => r.Body).ToListAsync(cancellationToken);
        return [.. bodies.Select(Read<ReportDefinition>).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<ReportDefinition>> ListEnabledAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var bodies = await db.Set<ReportRow>().AsNoTracking().Where(r => r.Enabled).OrderBy(r => r.Id).Select(r => r.Body).ToListAsync(cancellationToken);
        return [.. bodies.Select(Read<ReportDefinition>)];
    }

    public async Task<ReportDefinition?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var body = await db.Set<ReportRow>().AsNoTracking().Where(r => r.TenantId == tenantId && r.Id == id).Select(r => r.Body).SingleOrDefaultAsync(cancellationToken);
        return body is null ? null : Read<ReportDefinition>(body);
    }

    public async Task<ReportDefinition?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var body = await db.Set<ReportRow>().AsNoTracking().Where(r => r.Id == id).Select(r => r.Body).SingleOrDefaultAsync(cancellationToken);
        return body is null ? null : Read<ReportDefinition>(body);
    }

    public async Task SaveAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var body = JsonSerializer.Serialize(report, Json);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Reports" ("Id", "TenantId", "Name", "Enabled", "Body") VALUES ({report.Id}, {report.TenantId}, {report.Name}, {report.Enabled}, {body})
            ON CONFLICT ("Id") DO UPDATE SET "Name" = excluded."Name", "Enabled" = excluded."Enabled", "Body" = excluded."Body"
            """, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Set<ReportRow>().Where(r => r.TenantId == tenantId && r.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return false;
        }

        await db.Set<ReportSendRow>().Where(s => s.TenantId == tenantId && s.ReportId == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task SaveSendAsync(ReportSend send, byte[]? pdf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var started = StoredTime.From(send.StartedAt);
        var status = send.Status.ToString();
        var next = StoredTime.From(send.NextAttemptAt);
        var body = JsonSerializer.Serialize(send, Json);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ReportSendRow>().SingleOrDefaultAsync(s => s.Id == send.Id, cancellationToken);
        if (row is null)
        {
            db.Set<ReportSendRow>().Add(new ReportSendRow
            {
                Id = send.Id, ReportId = send.ReportId, TenantId = send.TenantId, StartedAt = started, Status = status, NextAttemptAt = next, Body = body, Pdf = pdf,
                ClaimId = send.ClaimId, LeaseUntil = StoredTime.From(send.LeaseUntil),
            });
        }
        else
        {
            // A null PDF keeps the one already held (a retry that failed before printing).
            row.Status = status;
            row.NextAttemptAt = next;
            row.Body = body;
            row.Pdf = pdf ?? row.Pdf;
            row.ClaimId = send.ClaimId;
            row.LeaseUntil = StoredTime.From(send.LeaseUntil);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> ReplaceSendAsync(ReportSend expected, ReportSend next, byte[]? pdf, DateTimeOffset? leaseExpiredBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(next);
        var expectedStatus = expected.Status.ToString();
        var expectedClaim = expected.ClaimId;
        var status = next.Status.ToString();
        var nextAttempt = StoredTime.From(next.NextAttemptAt);
        var lease = StoredTime.From(next.LeaseUntil);
        var body = JsonSerializer.Serialize(next, Json);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // One conditional UPDATE: the check and the write cannot be split by another node's.
        var rows = db.Set<ReportSendRow>().Where(s => s.Id == expected.Id && s.Status == expectedStatus && s.ClaimId == expectedClaim);
        if (StoredTime.From(leaseExpiredBy) is { } by)
        {
            rows = rows.Where(s => s.LeaseUntil != null && s.LeaseUntil <= by);
        }

        var updated = await rows.ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Status, status)
            .SetProperty(s => s.NextAttemptAt, nextAttempt)
            .SetProperty(s => s.Body, body)
            .SetProperty(s => s.Pdf, s => pdf ?? s.Pdf)
            .SetProperty(s => s.ClaimId, next.ClaimId)
            .SetProperty(s => s.LeaseUntil, lease), cancellationToken);
        return updated == 1;
    }

    public async Task<bool> RenewLeaseAsync(ReportSend renewed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(renewed);
        var lease = StoredTime.From(renewed.LeaseUntil);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<ReportSendRow>().Where(s => s.Id == renewed.Id && s.Status == Running && s.ClaimId == renewed.ClaimId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LeaseUntil, lease), cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<ReportSend>> ListAbandonedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = StoredTime.From(now);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<ReportSendRow>().AsNoTracking().Where(s => s.Status == Running && s.LeaseUntil != null && s.LeaseUntil <= at)
            .OrderBy(s => s.LeaseUntil).Select(s => new SendColumns(s.Body, s.ClaimId, s.LeaseUntil)).ToListAsync(cancellationToken);
        return [.. rows.Select(ReadSend)];
    }

    public async Task<ReportSend?> GetSendAsync(string tenantId, string sendId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ReportSendRow>().AsNoTracking().Where(s => s.TenantId == tenantId && s.Id == sendId)
            .Select(s => new SendColumns(s.Body, s.ClaimId, s.LeaseUntil)).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : ReadSend(row);
    }

    public async Task<IReadOnlyList<ReportSend>> ListSendsAsync(string tenantId, string reportId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<ReportSendRow>().AsNoTracking().Where(s => s.TenantId == tenantId && s.ReportId == reportId)
            .OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id).Take(limit)
            .Select(s => new SendColumns(s.Body, s.ClaimId, s.LeaseUntil)).ToListAsync(cancellationToken);
        return [.. rows.Select(ReadSend)];
    }

    public async Task<IReadOnlyList<ReportSend>> ListRetriesAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<ReportSendRow>().AsNoTracking().Where(s => s.Status == Failed && s.NextAttemptAt != null)
            .OrderBy(s => s.NextAttemptAt).Select(s => new SendColumns(s.Body, s.ClaimId, s.LeaseUntil)).ToListAsync(cancellationToken);
        return [.. rows.Select(ReadSend)];
    }

    public async Task<byte[]?> GetPdfAsync(string tenantId, string sendId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<ReportSendRow>().AsNoTracking().Where(s => s.TenantId == tenantId && s.Id == sendId).Select(s => s.Pdf).SingleOrDefaultAsync(cancellationToken);
    }

    private static T Read<T>(string body) => JsonSerializer.Deserialize<T>(body, Json)!;

    /// <summary>The claim and lease live in columns only (renewing must not rewrite the body), so a send is read from both.</summary>
    private static ReportSend ReadSend(SendColumns row) =>
        Read<ReportSend>(row.Body) with { ClaimId = row.ClaimId, LeaseUntil = StoredTime.To(row.LeaseUntil) };

    private sealed record SendColumns(string Body, string? ClaimId, DateTime? LeaseUntil);
}
