using Microsoft.Extensions.Options;
using Quartz;

namespace SalesDash.Web.Reports;

/// <summary>
/// Keeps one Quartz trigger per enabled report at its next send time, computed on the report zone's wall clock from
/// the injected clock (so DST moves the instant, not the local time), and one trigger per pending retry. Quartz's
/// in-memory store holds them; on start every enabled report and pending retry is scheduled again from the database.
/// </summary>
public sealed class ReportScheduler(ISchedulerFactory factory, IReportStore reports, TimeProvider time, IOptions<ReportOptions> options) : IHostedService
{
    public static JobKey JobKey { get; } = new("report-send", "reports");

    public static TriggerKey ReportTrigger(ReportDefinition report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new TriggerKey($"{report.TenantId}/{report.Id}", "reports");
    }

    public static TriggerKey RetryTrigger(ReportSend send)
    {
        ArgumentNullException.ThrowIfNull(send);
        return new TriggerKey($"{send.TenantId}/{send.Id}", "report-retries");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Schedule)
        {
            return;
        }

        foreach (var report in await reports.ListEnabledAsync(cancellationToken))
        {
            await ScheduleAsync(report, cancellationToken);
        }

        foreach (var send in await reports.ListRetriesAsync(cancellationToken))
        {
            await ScheduleRetryAsync(send, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>(Re)places the report's trigger at its next send after now; a disabled report gets none.</summary>
    public async Task<DateTimeOffset?> ScheduleAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scheduler = await SchedulerAsync(cancellationToken);
        var key = ReportTrigger(report);
        await scheduler.UnscheduleJob(key, cancellationToken);
        if (!report.Enabled || !options.Value.Schedule)
        {
            return null;
        }

        var next = ReportSchedule.NextSend(report.Period, report.SendTime, ReportRunner.Zone(report), time.GetUtcNow());
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(JobKey)
            .UsingJobData(ReportJob.TenantKey, report.TenantId)
            .UsingJobData(ReportJob.ReportKey, report.Id)
            .StartAt(next)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(trigger, default, cancellationToken);
        return next;
    }

    public async Task UnscheduleAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(cancellationToken);
        await scheduler.UnscheduleJob(ReportTrigger(report), cancellationToken);
    }

    /// <summary>A one-off trigger at the send's next attempt time, when it failed and has one.</summary>
    public async Task ScheduleRetryAsync(ReportSend send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        var scheduler = await SchedulerAsync(cancellationToken);
        var key = RetryTrigger(send);
        await scheduler.UnscheduleJob(key, cancellationToken);
        if (send.Status != ReportSendStatus.Failed || send.NextAttemptAt is not { } at || !options.Value.Schedule)
        {
            return;
        }

        await scheduler.ScheduleJob(TriggerBuilder.Create()
            .WithIdentity(key)
            .ForJob(JobKey)
            .UsingJobData(ReportJob.TenantKey, send.TenantId)
            .UsingJobData(ReportJob.SendKey, send.Id)
            .StartAt(at)
            .Build(), default, cancellationToken);
    }

    /// <summary>When the report's trigger fires next, as Quartz holds it; null when it has none.</summary>
    public async Task<DateTimeOffset?> NextFireAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(cancellationToken);
        return (await scheduler.GetTrigger(ReportTrigger(report), cancellationToken) as Quartz.Extensibility.IMutableTrigger)?.NextFireTimeUtc;
    }

    private async Task<IScheduler> SchedulerAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        if (!await scheduler.Exists(JobKey, cancellationToken))
        {
            try
            {
                await scheduler.AddJob(JobBuilder.Create<ReportJob>().WithIdentity(JobKey).StoreDurably().Build(), default, cancellationToken);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another caller added it first.
            }
        }

        return scheduler;
    }
}
