namespace SalesDash.Web.Reports;

/// <summary>How reports are printed and how failed sends are retried (section "Reports"). E-mail uses the alerts' SMTP settings.</summary>
public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>The system's Chromium; Playwright drives it and never downloads a browser of its own.</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>How long one page may take to load and print before the render fails.</summary>
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts in all (the first included) before a failed send is left failed.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Wait before the first retry; each next one doubles.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often the schedule looks for reports and retries that are due; a send goes out at most this late. The
    /// schedule runs on one node of the cluster (the cluster-jobs singleton), whatever the number of nodes.
    /// </summary>
    public TimeSpan SchedulerTick { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node holds a send it is working on; it renews the hold every third of this while it renders and mails.
    /// A send whose node died is sent again by the schedule this long (plus a tick) after its last renewal. Longer than
    /// any pause a healthy node may stall for (a GC, a slow disk), or a stalled node's send is taken over and mailed twice.
    /// </summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(2);
}
