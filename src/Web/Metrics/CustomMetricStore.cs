using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Metrics;

/// <summary>How a custom metric's value is shown.</summary>
public enum MetricFormat
{
    Number,
    Currency,
    Percent,
}

/// <summary>An organisation's custom metric: a name, a formula over <see cref="MetricFigures"/> and how to show it.</summary>
public sealed record CustomMetric(
    string Id, string TenantId, string Name, string Formula, MetricFormat Format, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What a client sends to define or change a custom metric.</summary>
public sealed record CustomMetricInput(string? Name, string? Formula, string? Format);

/// <summary>Custom metrics per organisation; every read and write is scoped to the organisation.</summary>
public interface ICustomMetricStore
{
    Task<IReadOnlyList<CustomMetric>> ListAsync(string tenantId, CancellationToken cancellationToken);

    Task<CustomMetric?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<CustomMetric> CreateAsync(string tenantId, string name, string formula, MetricFormat format, CancellationToken cancellationToken);

    Task<CustomMetric?> UpdateAsync(string tenantId, string id, string name, string formula, MetricFormat format, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);
}

/// <summary>Custom metrics in the app database; the formula is stored as the user wrote it, and parsed again on use.</summary>
public sealed class EfCustomMetricStore(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider clock) : ICustomMetricStore
{
    public async Task<IReadOnlyList<CustomMetric>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<CustomMetricRow>().AsNoTracking().Where(m => m.TenantId == tenantId).ToListAsync(cancellationToken);
        return [.. rows.Select(ToMetric).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Id, StringComparer.Ordinal)];
    }

    public async Task<CustomMetric?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<CustomMetricRow>().AsNoTracking().SingleOrDefaultAsync(m => m.TenantId == tenantId && m.Id == id, cancellationToken);
        return row is null ? null : ToMetric(row);
    }

    public async Task<CustomMetric> CreateAsync(string tenantId, string name, string formula, MetricFormat format, CancellationToken cancellationToken)
    {
        var now = StoredTime.Truncate(clock.GetUtcNow());
        var metric = new CustomMetric(Guid.CreateVersion7(now).ToString("N"), tenantId, name, formula, format, now, now);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Set<CustomMetricRow>().Add(new CustomMetricRow
        {
            Id = metric.Id, TenantId = tenantId, Name = name, Formula = formula, Format = format.ToString(),
            CreatedAt = StoredTime.From(now), UpdatedAt = StoredTime.From(now),
        });
        await db.SaveChangesAsync(cancellationToken);
        return metric;
    }

    public async Task<CustomMetric?> UpdateAsync(string tenantId, string id, string name, string formula, MetricFormat format, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<CustomMetricRow>().SingleOrDefaultAsync(m => m.TenantId == tenantId && m.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        row.Name = name;
        row.Formula = formula;
        row.Format = format.ToString();
        row.UpdatedAt = StoredTime.From(clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return ToMetric(row);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<CustomMetricRow>().Where(m => m.TenantId == tenantId && m.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    private static CustomMetric ToMetric(CustomMetricRow row) => new(
        row.Id, row.TenantId, row.Name, row.Formula,
        Enum.TryParse<MetricFormat>(row.Format, out var format) ? format : MetricFormat.Number,
        StoredTime.To(row.CreatedAt), StoredTime.To(row.UpdatedAt));
}
