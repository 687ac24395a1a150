using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Benchmarks;

/// <summary>Benchmarks: how often the cohorts are recomputed, and whether this deployment runs the job at all.</summary>
public sealed class BenchmarkOptions
{
    public const string Section = "Benchmarks";

    /// <summary>The figures are trailing whole days, so a few runs a day keep them current.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Off in tests that run the pass themselves, so a pass at start does not race theirs.</summary>
    public bool JobEnabled { get; set; } = true;
}

/// <summary>
/// One pass over every organisation with a store: those that take part have their figures read from history, the
/// cohorts' quartiles are computed, and the published cohorts are replaced in one transaction. Per-organisation figures
/// live only in this pass's memory; the table holds quartiles of cohorts of at least five.
/// </summary>
public sealed class PeerBenchmarkJob(
    IStoreDirectory stores, PeerFigures figures, IPlanService plans, IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    /// <summary>Runs the pass; returns how many organisations took part.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, BenchmarkProfileRow> profiles;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            profiles = await db.Set<BenchmarkProfileRow>().AsNoTracking().ToDictionaryAsync(p => p.TenantId, StringComparer.Ordinal, cancellationToken);
        }

        var tenants = (await stores.ListAsync(cancellationToken)).Select(s => s.Store.TenantId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var participants = new List<BenchmarkParticipant>();
        foreach (var tenant in tenants)
        {
            var profile = profiles.GetValueOrDefault(tenant);
            var standing = await plans.GetStandingAsync(tenant, cancellationToken);
            if (!PeerCohorts.TakesPart(profile?.TakesPart, standing.Source == PlanSource.Trial))
            {
                continue;
            }

            if (await figures.ReadAsync(tenant, cancellationToken) is { } own)
            {
                participants.Add(new BenchmarkParticipant(tenant, profile?.Industry, PeerCohorts.BandOf(own.RevenueUsd), own));
            }
        }

        var at = StoredTime.From(time.GetUtcNow());
        var rows = PeerCohorts.Aggregate(participants).Select(a => new BenchmarkCohortRow
        {
            Level = a.Level.ToString(),
            Industry = a.Industry,
            Band = a.Band,
            Metric = a.Metric.ToString(),
            Contributors = a.Contributors,
            P25 = a.P25,
            P50 = a.P50,
            P75 = a.P75,
            ComputedAt = at,
        }).ToList();
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Set<BenchmarkCohortRow>().ExecuteDeleteAsync(cancellationToken);
            db.Set<BenchmarkCohortRow>().AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return participants.Count;
    }
}

/// <summary>Runs <see cref="PeerBenchmarkJob"/> on one node of the cluster, at take-over and then every <see cref="BenchmarkOptions.Interval"/>.</summary>
public sealed partial class PeerBenchmarkService(PeerBenchmarkJob job, IOptions<BenchmarkOptions> options, ILogger<PeerBenchmarkService> logger) : IClusterJob
{
    public string Name => "peer-benchmarks";

    public TimeSpan Interval => options.Value.Interval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await job.RunOnceAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The published cohorts stay as they were (the replacement is one transaction) until the next pass.
            LogFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer benchmarks failed; the last published cohorts stay until the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
