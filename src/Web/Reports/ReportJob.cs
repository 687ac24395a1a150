namespace SalesDash.Web.Reports;

/// <summary>One scheduled send of a report, or a retry of a failed send; <see cref="ReportScheduler"/> decides when.</summary>
public sealed class ReportJob(IReportStore reports, ReportRunner runner)
{
    /// <summary>The trigger recorded on sends made by the schedule (a person's "run now" is "manual").</summary>
    public const string ScheduledTrigger = "scheduled";

    /// <summary>Sends the report for its last complete period; null when it no longer exists or is disabled.</summary>
    public async Task<ReportSend?> RunScheduledAsync(string tenantId, string reportId, CancellationToken cancellationToken)
    {
        if (await reports.GetAsync(tenantId, reportId, cancellationToken) is not { Enabled: true } report)
        {
            return null;
        }

        return await runner.RunAsync(report, ScheduledTrigger, cancellationToken);
    }

    /// <summary>Sends again a send whose node stopped mid-attempt (see <see cref="ReportRunner.TakeOverAsync"/>).</summary>
    public Task<ReportSend?> TakeOverAsync(ReportSend abandoned, CancellationToken cancellationToken) =>
        runner.TakeOverAsync(abandoned, cancellationToken);

    /// <summary>Tries a failed send again; a further failure records when the schedule tries next.</summary>
    public Task<ReportSend?> RetryAsync(string tenantId, string sendId, CancellationToken cancellationToken) =>
        runner.RetryAsync(tenantId, sendId, cancellationToken);
}
