using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.History;

/// <summary>How long a plan keeps history.</summary>
public enum RetentionPlan
{
    Unlimited,
    Days30,
    Year1,
    Days7,
}

/// <summary>History settings, bound from the "History" configuration section.</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Retention for tenants not listed in <see cref="TenantRetention"/>; unlimited until plans arrive.</summary>
    public RetentionPlan DefaultRetention { get; set; } = RetentionPlan.Unlimited;

    /// <summary>Retention per tenant id, e.g. History:TenantRetention:acme=Days30.</summary>
    public Dictionary<string, RetentionPlan> TenantRetention { get; } = new(StringComparer.Ordinal);

    /// <summary>How often the retention job runs; it also runs once at start.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    public RetentionPlan PlanFor(string tenantId) => TenantRetention.GetValueOrDefault(tenantId, DefaultRetention);

    /// <summary>How far back a plan keeps facts; null keeps everything.</summary>
    public static TimeSpan? Keeps(RetentionPlan plan) => plan switch
    {
        RetentionPlan.Days7 => TimeSpan.FromDays(7),
        RetentionPlan.Days30 => TimeSpan.FromDays(30),
        RetentionPlan.Year1 => TimeSpan.FromDays(365),
        _ => null,
    };
}

/// <summary>
/// How long an organisation's history is kept. The Engine knows no plans: the host answers from the organisation's
/// plan (src/Web/Plans); without a host's answer the "History" configuration decides.
/// </summary>
public interface IHistoryRetentionPolicy
{
    Task<RetentionPlan> RetentionForAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>Retention as the "History" configuration section states it.</summary>
public sealed class ConfiguredHistoryRetention(IOptions<HistoryOptions> options) : IHistoryRetentionPolicy
{
    public Task<RetentionPlan> RetentionForAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult(options.Value.PlanFor(tenantId));
}

/// <summary>Deletes each tenant's history older than its plan keeps; one run covers every known tenant.</summary>
public sealed class HistoryRetentionJob(
    IHistoryStore store, IStoreDirectory stores, IOptions<HistoryOptions> options, IHistoryRetentionPolicy policy, TimeProvider time)
{
    /// <summary>Runs retention now; returns the tenants whose history was trimmed and the cut-off used for each.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var tenants = (await stores.ListAsync(cancellationToken)).Select(s => s.Store.TenantId)
            .Concat(settings.TenantRetention.Keys)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var trimmed = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var tenant in tenants)
        {
            if (HistoryOptions.Keeps(await policy.RetentionForAsync(tenant, cancellationToken)) is { } keep)
            {
                var cutoff = now - keep;
                await store.DeleteOlderThanAsync(tenant, cutoff, cancellationToken);
                trimmed[tenant] = cutoff;
            }
        }

        return trimmed;
    }
}

/// <summary>
/// Runs <see cref="HistoryRetentionJob"/> as a cluster job: on one node, when it takes the jobs over and then every
/// <see cref="HistoryOptions.RetentionInterval"/>.
/// </summary>
public sealed partial class HistoryRetentionService(
    HistoryRetentionJob job, IOptions<HistoryOptions> options, ILogger<HistoryRetentionService> logger) : IClusterJob
{
    public string Name => "history-retention";

    public TimeSpan Interval => options.Value.RetentionInterval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var trimmed = await job.RunOnceAsync(cancellationToken);
            if (trimmed.Count > 0)
            {
                LogTrimmed(logger, trimmed.Count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed run leaves more history than the plan keeps, never less; the next run catches up.
            LogFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "History retention trimmed {Tenants} tenant(s)")]
    private static partial void LogTrimmed(ILogger logger, int tenants);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History retention failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
