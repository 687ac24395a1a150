using Microsoft.Extensions.Options;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Reports;

/// <summary>
/// Sends a report: works out the period, reads the figures, renders them in the report's format (the branded page
/// printed to PDF, or CSV/XLSX tables), mails the file and records the send. A failure (render or mail) is recorded with its error and, while attempts remain, a time for the
/// next try; a retry sends the same period again and updates the same history row.
/// Sends are at least once: each attempt runs under a claim with a lease (<see cref="ReportSendClaims"/>) that this
/// node renews while it works, and a send whose node died before the mail server accepted it is taken over by the
/// schedule on a surviving node and sent again. The server's acceptance is recorded in the same write as
/// <see cref="ReportSendStatus.Sent"/>, so a second mail goes only if a node dies between the server's 250 and that
/// write; it carries the same Message-ID, so the recipient's server can recognise it.
/// </summary>
public sealed class ReportRunner(
    IReportStore reports,
    ReportComposer composer,
    ReportFiles files,
    ReportMailer mailer,
    IOrganisationBranding branding,
    ReportSender sender,
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
        var id = Guid.CreateVersion7(now).ToString("N");
        var send = ReportSendClaims.Start(
            new ReportSend(id, report.Id, report.TenantId, trigger, now, null, from, to, report.Recipients, ReportSendStatus.Running, null, 0, null, null, report.Format,
                MessageId: ReportSendClaims.MessageIdFor(id, mailer.MessageIdDomain)),
            sender.Id, NewClaim(), now, options.Value.SendLease);
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

        if (ReportSendClaims.Retry(send, sender.Id, NewClaim(), time.GetUtcNow(), options.Value.SendLease) is not { } claimed)
        {
            return send;
        }

        // Another node claimed it between the read and this write: it is that node's to send.
        return await reports.ReplaceSendAsync(send, claimed, null, null, cancellationToken)
            ? await AttemptAsync(report, claimed, cancellationToken)
            : await reports.GetSendAsync(tenantId, sendId, cancellationToken);
    }

    /// <summary>
    /// Sends again a send whose node stopped mid-attempt (its lease ran out with no mail accepted), as the next attempt
    /// under this node's claim; null when the report is gone or another node took the send first.
    /// </summary>
    public async Task<ReportSend?> TakeOverAsync(ReportSend abandoned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(abandoned);
        var now = time.GetUtcNow();
        if (await reports.GetAsync(abandoned.TenantId, abandoned.ReportId, cancellationToken) is not { } report
            || ReportSendClaims.TakeOver(abandoned, sender.Id, NewClaim(), now, options.Value.SendLease, options.Value.MaxAttempts) is not { } next
            || !await reports.ReplaceSendAsync(abandoned, next, null, leaseExpiredBy: now, cancellationToken))
        {
            return null;
        }

        if (next.Status == ReportSendStatus.Failed)
        {
            logger.LogError("Report send {SendId} of {TenantId}: {Error}", next.Id, next.TenantId, next.Error);
            return next;
        }

        logger.LogWarning("Report send {SendId} of {TenantId} taken over from node {Node}: its lease ran out with no mail accepted; attempt {Attempt}",
            next.Id, next.TenantId, next.TakenOverFrom, next.Attempts);
        return await AttemptAsync(report, next, cancellationToken);
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

    /// <summary>One attempt of a send this node has claimed: renders, records the file, mails, and records how it went.</summary>
    private async Task<ReportSend> AttemptAsync(ReportDefinition report, ReportSend claimed, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        byte[]? pdf = null;
        ReportSend result;
        using var working = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = KeepLeaseAsync(claimed, working, stopRenewing.Token);
        try
        {
            var content = await composer.ComposeAsync(report, claimed.PeriodFrom, claimed.PeriodTo, working.Token);
            var brand = await branding.GetAsync(report.TenantId, working.Token);
            var file = await files.RenderAsync(content, brand, claimed.Format, working.Token);
            pdf = file.Bytes;
            var printed = claimed with { PdfBytes = pdf.LongLength };
            if (!await reports.ReplaceSendAsync(claimed, printed, pdf, null, working.Token))
            {
                throw new ClaimLostException();
            }

            claimed = printed;
            var subject = $"{report.Name}: {ReportHtml.PeriodText(content)}";
            var messageId = claimed.MessageId ?? ReportSendClaims.MessageIdFor(claimed.Id, mailer.MessageIdDomain);
            var reply = await mailer.SendAsync(claimed.Recipients, subject, ReportHtml.EmailHtml(content, brand, claimed.Format),
                ReportHtml.EmailText(content, brand, claimed.Format), file, messageId, working.Token);
            result = claimed with
            {
                Status = ReportSendStatus.Sent, FinishedAt = time.GetUtcNow(), Error = null, NextAttemptAt = null, MessageId = messageId, SmtpReply = reply, LeaseUntil = null,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // This node is stopping: the send keeps its claim, whose lease runs out, and a surviving node sends it.
            throw;
        }
        catch (Exception ex) when (ex is ClaimLostException || (ex is OperationCanceledException && working.IsCancellationRequested))
        {
            // The lease could not be renewed: another node holds the send now, and nothing was mailed from here.
            logger.LogWarning("Report send {SendId} of {TenantId}: attempt {Attempt} stopped, another node took the send over", claimed.Id, claimed.TenantId, claimed.Attempts);
            return await reports.GetSendAsync(claimed.TenantId, claimed.Id, CancellationToken.None) ?? claimed;
        }
        catch (Exception ex)
        {
            var attempt = claimed.Attempts;
            logger.LogWarning(ex, "Report {ReportId} of {TenantId} failed on attempt {Attempt}", report.Id, report.TenantId, attempt);
            var now = time.GetUtcNow();
            var next = attempt < settings.MaxAttempts ? now + settings.RetryDelay * Math.Pow(2, attempt - 1) : (DateTimeOffset?)null;
            result = claimed with
            {
                Status = ReportSendStatus.Failed,
                FinishedAt = now,
                Error = ex.Message,
                NextAttemptAt = next,
                LeaseUntil = null,
                PdfBytes = pdf?.LongLength ?? claimed.PdfBytes,
            };
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
        }

        // The outcome and, for a sent mail, the server's acceptance, in one write under this attempt's claim.
        if (!await reports.ReplaceSendAsync(claimed, result, pdf, null, CancellationToken.None))
        {
            logger.LogError(
                "Report send {SendId} of {TenantId} ended {Status} ({Reply}) after another node took it over; if that node mails it too, the copy has the same Message-ID {MessageId}",
                result.Id, result.TenantId, result.Status, result.SmtpReply ?? result.Error, result.MessageId);
            return await reports.GetSendAsync(result.TenantId, result.Id, CancellationToken.None) ?? result;
        }

        return result;
    }

    /// <summary>
    /// Renews the attempt's lease every third of it until stopped; when the renewal finds the claim gone (another node
    /// took the send over after this one stalled), cancels the attempt so it does not mail as well.
    /// </summary>
    private async Task KeepLeaseAsync(ReportSend send, CancellationTokenSource working, CancellationToken stop)
    {
        var lease = options.Value.SendLease;
        try
        {
            while (true)
            {
                await Task.Delay(lease / 3, time, stop);
                if (ReportSendClaims.Renew(send, send.ClaimId!, time.GetUtcNow(), lease) is not { } renewed)
                {
                    await working.CancelAsync();
                    return;
                }

                try
                {
                    if (!await reports.RenewLeaseAsync(renewed, stop))
                    {
                        await working.CancelAsync();
                        return;
                    }

                    send = renewed;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database did not answer: try again at the next third; the final write tells whether the claim held.
                    logger.LogWarning(e, "Could not renew the lease of report send {SendId}", send.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The attempt ended.
        }
    }

    private static string NewClaim() => Guid.NewGuid().ToString("N");

    /// <summary>This attempt's claim was taken over by another node before it could record its file.</summary>
    private sealed class ClaimLostException() : Exception("The send was taken over by another node.");

    internal static TimeZoneInfo Zone(ReportDefinition report) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(report.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
