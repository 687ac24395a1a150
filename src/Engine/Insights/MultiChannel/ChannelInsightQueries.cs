using SalesDash.Engine.History;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Insights.MultiChannel;

/// <summary>A report with the period it covers, for the API.</summary>
public sealed record ChannelInsightResult(string TenantId, string TimeZone, PeriodInfoRange Period, ChannelInsightReport Report);

/// <summary>The local dates and UTC instants a report covers.</summary>
public sealed record PeriodInfoRange(DateOnly FirstDate, DateOnly LastDate, DateTimeOffset FromUtc, DateTimeOffset ToUtc);

/// <summary>Answers "which channel earns, which spend pays": resolves the period in the tenant's zone, reads the facts, computes.</summary>
public sealed class ChannelInsightQueries(IChannelInsightStore store, IStoreDirectory stores, TimeProvider time)
{
    /// <summary>The report of a tenant's stores, or null when the tenant has no store.</summary>
    /// <param name="timeZone">The zone days are cut in; the tenant's first store's when null.</param>
    /// <exception cref="ArgumentException">A custom period without valid dates, or an unknown time zone.</exception>
    public async Task<ChannelInsightResult?> GetAsync(
        string tenantId, PeriodKind period, DateOnly? from, DateOnly? to, string? timeZone, CancellationToken cancellationToken)
    {
        var tenantStores = (await stores.ListAsync(tenantId, cancellationToken))
            .OrderBy(s => s.Store.StoreId, StringComparer.Ordinal)
            .ToList();
        if (tenantStores.Count == 0)
        {
            return null;
        }

        var zoneId = string.IsNullOrWhiteSpace(timeZone) ? tenantStores[0].TimeZone : timeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            throw new ArgumentException($"'{zoneId}' is not a known time zone.", nameof(timeZone));
        }

        var resolved = HistoryPeriods.Resolve(period, time.GetUtcNow(), zone, from, to);
        var data = await store.ReadAsync(tenantId, resolved.Utc, cancellationToken);
        var report = ChannelInsightCalculator.Compute(data, tenantStores[0].Currency);
        return new ChannelInsightResult(tenantId, zoneId,
            new PeriodInfoRange(resolved.FirstDate, resolved.LastDate, resolved.Utc.FromUtc, resolved.Utc.ToUtc), report);
    }
}
