using Quartz;

namespace SalesDash.Web.Reports;

/// <summary>
/// The Quartz job behind every report trigger: a scheduled send, or a retry of a failed one. After a scheduled send it
/// schedules the next; after a failure it schedules the retry the send asks for.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ReportJob(IReportStore reports, ReportRunner runner, ReportScheduler scheduler) : IJob
{
    public const string TenantKey = "tenant";
    public const string ReportKey = "report";
    public const string SendKey = "send";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        var tenantId = data.GetString(TenantKey)!;
        if (data.GetString(SendKey) is { Length: > 0 } sendId)
        {
            await RetryAsync(tenantId, sendId, cancellationToken);
        }
        else
        {
            await RunScheduledAsync(tenantId, data.GetString(ReportKey)!, cancellationToken);
        }
    }

    /// <summary>Sends the report for its last complete period and schedules its next send; null when it no longer exists or is disabled.</summary>
    public async Task<ReportSend?> RunScheduledAsync(string tenantId, string reportId, CancellationToken cancellationToken)
    {
        if (await reports.GetAsync(tenantId, reportId, cancellationToken) is not { Enabled: true } report)
        {
            return null;
        }

        var send = await runner.RunAsync(report, "scheduled", cancellationToken);
        await scheduler.ScheduleAsync(report, cancellationToken);
        await scheduler.ScheduleRetryAsync(send, cancellationToken);
        return send;
    }

    public async Task<ReportSend?> RetryAsync(string tenantId, string sendId, CancellationToken cancellationToken)
    {
        var send = await runner.RetryAsync(tenantId, sendId, cancellationToken);
        if (send is not null)
        {
            await scheduler.ScheduleRetryAsync(send, cancellationToken);
        }

        return send;
    }
}
