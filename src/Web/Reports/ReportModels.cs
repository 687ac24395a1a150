namespace SalesDash.Web.Reports;

/// <summary>How often a report is sent, and so which complete period each send covers.</summary>
public enum ReportPeriod
{
    /// <summary>
    /// A fixed range of dates (a custom range, or "the sale" between two dates): every send covers the same dates, so
    /// it is sent when someone asks ("run now"), never by the schedule.
    /// </summary>
    Custom = -1,

    /// <summary>Sent every day; covers the day before.</summary>
    Daily,

    /// <summary>Sent on Mondays; covers the week (Monday to Sunday) before.</summary>
    Weekly,

    /// <summary>Sent on the 1st; covers the month before.</summary>
    Monthly,
}

/// <summary>Which sections a report prints; at least one.</summary>
public sealed record ReportSections(bool KpiSummary = true, bool Trend = true, bool TopProducts = true, bool ChannelBreakdown = true)
{
    public bool Any => KpiSummary || Trend || TopProducts || ChannelBreakdown;
}

/// <summary>The file a report is sent (attached) and downloaded as.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ReportFormat>))]
public enum ReportFormat
{
    Pdf,
    Csv,
    Xlsx,
}

/// <summary>What a person sends to create or replace a report.</summary>
/// <param name="Period">daily, weekly, monthly, or custom (then <paramref name="From"/> and <paramref name="To"/>).</param>
/// <param name="SendTime">Local time of day in <paramref name="TimeZone"/>, HH:mm; not needed for a custom range, which is never scheduled.</param>
/// <param name="TimeZone">IANA zone the send time and the periods are in; the first store's when omitted.</param>
/// <param name="From">First day (yyyy-MM-dd) of a custom range, inclusive.</param>
/// <param name="To">Last day (yyyy-MM-dd) of a custom range, inclusive.</param>
/// <param name="Metrics">Keys of the KPI summary's metrics (<see cref="ReportMetrics"/>); every one when null or empty.</param>
/// <param name="Format">pdf (the default), csv or xlsx.</param>
/// <param name="RollUp">Adds one "all stores" part whose money is converted into the organisation's reporting currency.</param>
public sealed record ReportInput(
    string Name,
    IReadOnlyList<string> StoreIds,
    string Period,
    string? SendTime,
    string? TimeZone,
    IReadOnlyList<string> Recipients,
    ReportSections? Sections = null,
    bool Enabled = true,
    string? From = null,
    string? To = null,
    IReadOnlyList<string>? Metrics = null,
    string? Format = null,
    bool RollUp = false);

/// <summary>
/// A report's read-only share link. Only a hash of the secret is kept, so the link is shown once, when made; making a
/// new one replaces it (the old link stops working), and revoking keeps the record so the old link answers 410.
/// </summary>
public sealed record ReportShare(string Id, string SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A saved report of one organisation.</summary>
public sealed record ReportDefinition(
    string Id,
    string TenantId,
    string Name,
    IReadOnlyList<string> StoreIds,
    ReportPeriod Period,
    TimeOnly SendTime,
    string TimeZone,
    IReadOnlyList<string> Recipients,
    ReportSections Sections,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateOnly? From = null,
    DateOnly? To = null,
    IReadOnlyList<string>? Metrics = null,
    ReportFormat Format = ReportFormat.Pdf,
    bool RollUp = false,
    ReportShare? Share = null);

/// <summary>Where a send stands; the API writes it by name.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ReportSendStatus>))]
public enum ReportSendStatus
{
    /// <summary>Being rendered or mailed.</summary>
    Running,
    Sent,

    /// <summary>The last attempt failed; <see cref="ReportSend.NextAttemptAt"/> says when it is tried again, if at all.</summary>
    Failed,
}

/// <summary>
/// One send of a report: its period, who it went to, how it went and the file that was (or would have been) attached;
/// <see cref="PdfBytes"/> is that file's size whatever its <see cref="Format"/> (the name predates CSV and XLSX sends).
/// </summary>
/// <param name="Node">The node that made (or is making) the latest attempt.</param>
/// <param name="TakenOverFrom">The node whose attempt this one took over after that node's lease ran out (it stopped or died mid-send).</param>
/// <param name="MessageId">The mail's Message-ID, the same on every attempt of the send, so a recipient's server can drop the rare duplicate.</param>
/// <param name="SmtpReply">What the mail server answered when it accepted the message (its 250 after DATA), recorded with <see cref="ReportSendStatus.Sent"/>.</param>
/// <param name="ClaimId">The claim the latest attempt works under; new on each attempt, so a node that lost its claim cannot write over the next one's.</param>
/// <param name="LeaseUntil">Until when the attempt's node holds the send; it renews this while it works, and once it has passed another node may take the send over.</param>
public sealed record ReportSend(
    string Id,
    string ReportId,
    string TenantId,
    string Trigger,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DateOnly PeriodFrom,
    DateOnly PeriodTo,
    IReadOnlyList<string> Recipients,
    ReportSendStatus Status,
    string? Error,
    int Attempts,
    long? PdfBytes,
    DateTimeOffset? NextAttemptAt,
    ReportFormat Format = ReportFormat.Pdf,
    string? Node = null,
    string? TakenOverFrom = null,
    string? MessageId = null,
    string? SmtpReply = null,
    [property: System.Text.Json.Serialization.JsonIgnore] string? ClaimId = null,
    [property: System.Text.Json.Serialization.JsonIgnore] DateTimeOffset? LeaseUntil = null);
