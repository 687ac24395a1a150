namespace SalesDash.Web.Imports;

/// <summary>Limits on history imports (section "Imports"), so one organisation's uploads cannot fill a node's memory or disk.</summary>
public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>Largest CSV accepted, in bytes; a year of a busy shop's order export fits well inside the default 256 MB.</summary>
    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Imports an organisation may have queued or running at once; more are refused with 429 until one finishes.</summary>
    public int MaxQueuedPerTenant { get; set; } = 3;

    /// <summary>Where uploads wait on disk until their import runs; a folder under the system temp folder by default.</summary>
    public string? SpoolDirectory { get; set; }

    public string SpoolPath => string.IsNullOrWhiteSpace(SpoolDirectory)
        ? Path.Combine(Path.GetTempPath(), "salesdash-import-spool")
        : Path.GetFullPath(SpoolDirectory);
}
