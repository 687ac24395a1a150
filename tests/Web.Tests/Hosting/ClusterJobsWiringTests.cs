using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesDash.Engine.Clustering;

namespace SalesDash.Web.Tests.Hosting;

/// <summary>
/// Polling, the report schedule, history retention and plan notices are cluster jobs (run by the one cluster-jobs singleton), not
/// hosted services every node would run; Engine.Tests' ClusterJobsTests prove the singleton runs each once.
/// </summary>
public sealed class ClusterJobsWiringTests
{
    [Fact]
    public async Task Polling_reports_and_retention_run_as_cluster_jobs_and_not_on_every_node()
    {
        await using var app = new WebAppFactory();

        var jobs = app.Services.GetServices<IClusterJob>().Select(j => j.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["channel-polling", "ga4-realtime", "goal-pace", "history-retention", "peer-benchmarks", "plan-notices", "report-schedule", "store-deletion", "warehouse-sync"], jobs);

        var hosted = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.DoesNotContain(hosted, name => name is "ChannelSyncService" or "ReportScheduler" or "HistoryRetentionService" or "PlanNoticeService" or "QuartzHostedService");
    }
}
