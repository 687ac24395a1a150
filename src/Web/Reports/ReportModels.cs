namespace SalesDash.Web.Reports;

/// <summary>How often a report is sent, and so which complete period each send covers.</summary>
public enum ReportPeriod
{
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

/// <summary>What a person sends to create or replace a report.</summary>
/// <param name="Period">daily, weekly or monthly.</param>
/// <param name="SendTime">Local time of day in <paramref name="TimeZone"/>, HH:mm.</param>
/// <param name="TimeZone">IANA zone the send time and the periods are in; the first store's when omitted.</param>
public sealed record ReportInput(
    string Name,
    IReadOnlyList<string> StoreIds,
    string Period,
    string SendTime,
    string? TimeZone,
    IReadOnlyList<string> Recipients,
    ReportSections? Sections = null,
    bool Enabled = true);

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
    DateTimeOffset UpdatedAt);

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

/// <summary>One send of a report: its period, who it went to, how it went and the PDF that was (or would have been) attached.</summary>
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
    DateTimeOffset? NextAttemptAt);
