using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesDash.Engine.Clustering;
using SalesDash.Engine.History;
using SalesDash.Web.Identity;
using SalesDash.Web.Mail;

namespace SalesDash.Web.Plans;

/// <summary>
/// Sends a plan e-mail to the organisation's owners once per key, through the one mail relay, and records it
/// only when it went out: a notice that could not be sent is tried again on the next run, and whatever waits on it
/// (history trimming, the end of the revenue grace) keeps waiting.
/// </summary>
public sealed class PlanNotices(IDbContextFactory<AppIdentityDbContext> databases, IMailSender mail, TimeProvider time)
{
    public async Task<DateTimeOffset?> SentAtAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.PlanNotices.AsNoTracking().Where(n => n.OrganisationId == tenantId && n.Key == key).Select(n => (DateTimeOffset?)n.SentAt)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>True when this call sent it; false when it was sent before, or there is no relay or no owner to send to.</summary>
    public async Task<bool> SendOnceAsync(string tenantId, string key, string subject, string body, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.PlanNotices.AnyAsync(n => n.OrganisationId == tenantId && n.Key == key, cancellationToken))
        {
            return false;
        }

        var owners = await (from m in db.Memberships.AsNoTracking()
                            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                            where m.OrganisationId == tenantId && m.Role == OrgRole.Owner && u.Email != null
                            select u.Email!).ToListAsync(cancellationToken);
        if (owners.Count == 0 || !mail.Configured)
        {
            return false;
        }

        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body } };
        foreach (var owner in owners.Order(StringComparer.Ordinal))
        {
            message.To.Add(MailboxAddress.Parse(owner));
        }

        await mail.SendAsync(message, cancellationToken);

        db.PlanNotices.Add(new PlanNotice { OrganisationId = tenantId, Key = key, SentAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node's run recorded the same notice first; its time stands.
            return false;
        }

        return true;
    }

    public static string RetentionKey(RetentionPlan plan) => $"retention-{plan}";
}

/// <summary>
/// One pass over every organisation: trial reminders at 3 days and 1 day left, the warning before history past the
/// tier's retention is deleted, and revenue at 80% and 100% of the month's cap.
/// </summary>
public sealed class PlanNoticeJob(
    IDbContextFactory<AppIdentityDbContext> databases, IPlanService plans, RevenueMeter meter, PlanNotices notices, IOptionsMonitor<PlanOptions> options)
{
    /// <summary>Runs now; returns "organisation:key" of every notice this run sent.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        List<(string Id, string Name)> organisations;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            organisations = (await db.Organisations.AsNoTracking().Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken))
                .Select(o => (o.Id, o.Name)).ToList();
        }

        var sent = new List<string>();
        foreach (var (id, name) in organisations.OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            foreach (var (key, subject, body) in await DueAsync(id, name, cancellationToken))
            {
                if (await notices.SendOnceAsync(id, key, subject, body, cancellationToken))
                {
                    sent.Add($"{id}:{key}");
                }
            }
        }

        return sent;
    }

    private async Task<List<(string Key, string Subject, string Body)>> DueAsync(string id, string name, CancellationToken cancellationToken)
    {
        var due = new List<(string, string, string)>();
        var standing = await plans.GetStandingAsync(id, cancellationToken);
        if (standing is { Source: PlanSource.Trial, TrialDaysLeft: { } left, TrialEndsAt: { } ends } && left <= 3)
        {
            // Only the most urgent: a first run with one day left sends the one-day reminder, not both.
            var key = left <= 1 ? "trial-1d" : "trial-3d";
            due.Add((key, $"{name}: your SalesDash trial ends in {left} day{(left == 1 ? string.Empty : "s")}",
                $"""
                The {standing.Limits.Tier} trial of {name} ends on {ends.UtcDateTime:yyyy-MM-dd HH:mm} UTC.
                Without a subscription the organisation moves to the Free plan: 1 sales channel, 1 dashboard, $10K of tracked revenue a month and 7 days of history.
                Choose a plan on the Plan page to keep what you use now.
                """));
        }

        if (HistoryOptions.Keeps(standing.Limits.HistoryRetention) is { } keep)
        {
            due.Add((PlanNotices.RetentionKey(standing.Limits.HistoryRetention), $"{name}: history older than {RetentionNames.Of(standing.Limits.HistoryRetention)} will be deleted",
                $"""
                {name} is on the {standing.Limits.Tier} plan, which keeps {RetentionNames.Of(standing.Limits.HistoryRetention)} of history.
                From {options.CurrentValue.RetentionWarningLead.TotalDays:0} days after this e-mail, history older than {keep.TotalDays:0} days is deleted.
                Export what you need, or upgrade on the Plan page to keep more.
                """));
        }

        var usage = await meter.MeasureAsync(id, cancellationToken);
        if (usage.Percent is { } percent && percent >= 80)
        {
            var over = percent >= 100;
            due.Add(($"{(over ? RevenueMeter.OverCapNotice : RevenueMeter.NearCapNotice)}:{usage.Month}",
                $"{name}: {percent}% of this month's tracked revenue allowance used",
                $"""
                {name} has tracked {usage.Revenue:0.00} {usage.Currency} in {usage.Month}; the {standing.Limits.Tier} plan covers {usage.Cap:0.00} {usage.Currency} a month.
                {(over
                    ? $"Data keeps flowing for {options.CurrentValue.RevenueGrace.TotalDays:0} days from this e-mail; after that the live view asks for an upgrade. History and exports stay available."
                    : "At 100% a grace period starts, after which the live view asks for an upgrade.")}
                """));
        }

        return due;
    }
}

/// <summary>Runs <see cref="PlanNoticeJob"/> as a cluster job: on one node, when it takes the jobs over and then every <see cref="PlanOptions.NoticeInterval"/>.</summary>
public sealed partial class PlanNoticeService(PlanNoticeJob job, IOptions<PlanOptions> options, ILogger<PlanNoticeService> logger) : IClusterJob
{
    public string Name => "plan-notices";

    public TimeSpan Interval => options.Value.NoticeInterval;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await job.RunOnceAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An unsent notice is retried next run; what waits on it (trimming, the end of the grace) waits too.
            LogFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plan notices failed; they run again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
