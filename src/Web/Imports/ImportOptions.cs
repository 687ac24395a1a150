namespace SalesDash.Web.Imports;

/// <summary>Limits on history imports (section "Imports"), so one organisation's uploads cannot fill the database or a node's memory.</summary>
public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>Largest CSV accepted, in bytes; a year of a busy shop's order export fits well inside the default 256 MB.</summary>
    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Imports an organisation may have queued or running at once; more are refused with 429 until one finishes.</summary>
    public int MaxQueuedPerTenant { get; set; } = 3;

    /// <summary>
    /// How long a node's claim on a running import lasts without news; it renews it after every batch of events, so
    /// only a dead or stopped node lets it run out, and then another node starts the import again.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often an idle node looks for imports queued on other nodes (its own uploads wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>False on nodes that take uploads but leave running them to others.</summary>
    public bool RunJobs { get; set; } = true;
}
