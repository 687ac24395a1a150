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
}
