using Microsoft.Extensions.Options;
using SalesDash.Engine.Clustering;

namespace SalesDash.Web.Reports;

/// <summary>
/// The report schedule as a cluster job: the cluster-jobs singleton runs it on one node every
/// <see cref="ReportOptions.SchedulerTick"/>, and each pass sends every enabled report whose latest send time has passed
/// without a scheduled send, then retries the failed sends that are due. What is due is read from the database (the
/// sends recorded, each saved before its first attempt), never held in one node's memory, so the node that takes the
/// job over after another died sends what that one had not, and nothing it had. A send that node had started and not
/// finished (its lease ran out with no mail accepted) is taken over and sent again, once the lease has run out.
/// </summary>
public sealed class ReportScheduler(IReportStore reports, ReportJob job, TimeProvider time, IOptions<ReportOptions> options, ILogger<ReportScheduler> log)
    : IClusterJob
{
    /// <summary>Sends this many recent entries are searched for the slot's scheduled send (runs and retries share the history).</summary>
    private const int SendsLookedAt = 50;

    public string Name => "report-schedule";

    public TimeSpan Interval => options.Value.SchedulerTick;

    /// <summary>When the report is next sent by the schedule; null when it is disabled.</summary>
    public DateTimeOffset? NextSend(ReportDefinition report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Enabled && report.Period != ReportPeriod.Custom
            ? ReportSchedule.NextSend(report.Period, report.SendTime, ReportRunner.Zone(report), time.GetUtcNow())
            : null;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var report in await reports.ListEnabledAsync(cancellationToken))
        {
            try
            {
                if (await IsDueAsync(report, cancellationToken))
                {
                    await job.RunScheduledAsync(report.TenantId, report.Id, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One report that cannot be read or sent must not hold back every other organisation's.
                log.LogError(e, "Scheduled send of report {ReportId} of {TenantId} failed", report.Id, report.TenantId);
            }
        }

        var now = time.GetUtcNow();
        foreach (var send in await reports.ListAbandonedAsync(now, cancellationToken))
        {
            try
            {
                await job.TakeOverAsync(send, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Taking over report send {SendId} of {TenantId} failed", send.Id, send.TenantId);
            }
        }

        foreach (var send in await reports.ListRetriesAsync(cancellationToken))
        {
            if (send.NextAttemptAt is { } at && at <= now)
            {
                await job.RetryAsync(send.TenantId, send.Id, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Whether the report's latest send time has passed with no scheduled send since. A slot before the report was
    /// last saved is not sent late: saving schedules from the next one, as a new report does.
    /// </summary>
    internal async Task<bool> IsDueAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        // A fixed range is sent on request only: the schedule would send the same dates again every day.
        if (report.Period == ReportPeriod.Custom)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (ReportSchedule.LatestSend(report.Period, report.SendTime, ReportRunner.Zone(report), now) is not { } slot || slot < report.UpdatedAt)
        {
            return false;
        }

        var sends = await reports.ListSendsAsync(report.TenantId, report.Id, SendsLookedAt, cancellationToken);
        return !sends.Any(s => s.Trigger == ReportJob.ScheduledTrigger && s.StartedAt >= slot);
    }
}
