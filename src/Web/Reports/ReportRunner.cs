using Microsoft.Extensions.Options;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Reports;

/// <summary>
/// Sends a report: works out the period, reads the figures, renders them in the report's format (the branded page
/// printed to PDF, or CSV/XLSX tables), mails the file and records the send. A failure (render or mail) is recorded with its error and, while attempts remain, a time for the
/// next try; a retry sends the same period again and updates the same history row.
/// </summary>
public sealed class ReportRunner(
    IReportStore reports,
    ReportComposer composer,
    ReportFiles files,
    ReportMailer mailer,
    IOrganisationBranding branding,
    TimeProvider time,
    IOptions<ReportOptions> options,
    ILogger<ReportRunner> logger)
{
    /// <summary>Sends the last complete period before now (scheduled or "run now").</summary>
    public async Task<ReportSend> RunAsync(ReportDefinition report, string trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = time.GetUtcNow();
        var (from, to) = ReportComposer.PeriodAt(report, now);
        var send = new ReportSend(Guid.CreateVersion7(now).ToString("N"), report.Id, report.TenantId, trigger, now, null, from, to, report.Recipients,
            ReportSendStatus.Running, null, 0, null, null, report.Format);
        await reports.SaveSendAsync(send, null, cancellationToken);
        return await AttemptAsync(report, send, cancellationToken);
    }

    /// <summary>Tries a failed send again; null when the send or its report no longer exists.</summary>
    public async Task<ReportSend?> RetryAsync(string tenantId, string sendId, CancellationToken cancellationToken)
    {
        if (await reports.GetSendAsync(tenantId, sendId, cancellationToken) is not { } send
            || await reports.GetAsync(tenantId, send.ReportId, cancellationToken) is not { } report)
        {
            return null;
        }

        return send.Status == ReportSendStatus.Sent ? send : await AttemptAsync(report, send, cancellationToken);
    }

    /// <summary>The report's page for its last complete period, as it would be printed.</summary>
    public async Task<string> PreviewAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var content = await ContentAsync(report, cancellationToken);
        return ReportHtml.Render(content, await branding.GetAsync(report.TenantId, cancellationToken));
    }

    /// <summary>The report's figures for the period a send now would cover.</summary>
    public async Task<ReportContent> ContentAsync(ReportDefinition report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (from, to) = ReportComposer.PeriodAt(report, time.GetUtcNow());
        return await composer.ComposeAsync(report, from, to, cancellationToken);
    }

    /// <summary>The report as a file of <paramref name="format"/> for the period a send now would cover, to download.</summary>
    public async Task<ReportFile> FileAsync(ReportDefinition report, ReportFormat format, CancellationToken cancellationToken)
    {
        var content = await ContentAsync(report, cancellationToken);
        return await files.RenderAsync(content, await branding.GetAsync(report.TenantId, cancellationToken), format, cancellationToken);
    }

    private async Task<ReportSend> AttemptAsync(ReportDefinition report, ReportSend send, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var attempt = send.Attempts + 1;
        byte[]? pdf = null;
        try
        {
            var content = await composer.ComposeAsync(report, send.PeriodFrom, send.PeriodTo, cancellationToken);
            var brand = await branding.GetAsync(report.TenantId, cancellationToken);
            var file = await files.RenderAsync(content, brand, send.Format, cancellationToken);
            pdf = file.Bytes;
            send = send with { PdfBytes = pdf.LongLength, Attempts = attempt };
            await reports.SaveSendAsync(send, pdf, cancellationToken);

            var subject = $"{report.Name}: {ReportHtml.PeriodText(content)}";
            await mailer.SendAsync(send.Recipients, subject, ReportHtml.EmailHtml(content, brand, send.Format), ReportHtml.EmailText(content, brand, send.Format), file,
                cancellationToken);
            send = send with { Status = ReportSendStatus.Sent, FinishedAt = time.GetUtcNow(), Error = null, NextAttemptAt = null };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Report {ReportId} of {TenantId} failed on attempt {Attempt}", report.Id, report.TenantId, attempt);
            var now = time.GetUtcNow();
            var next = attempt < settings.MaxAttempts ? now + settings.RetryDelay * Math.Pow(2, attempt - 1) : (DateTimeOffset?)null;
            send = send with
            {
                Status = ReportSendStatus.Failed,
                FinishedAt = now,
                Attempts = attempt,
                Error = ex.Message,
                NextAttemptAt = next,
                PdfBytes = pdf?.LongLength ?? send.PdfBytes,
            };
        }

        await reports.SaveSendAsync(send, pdf, CancellationToken.None);
        return send;
    }

    internal static TimeZoneInfo Zone(ReportDefinition report) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(report.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
