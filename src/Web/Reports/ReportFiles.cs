using SalesDash.Engine.History;
using SalesDash.Web.Exports;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Reports;

/// <summary>A report rendered as a file: its bytes, content type and name.</summary>
public sealed record ReportFile(byte[] Bytes, string ContentType, string FileName);

/// <summary>
/// A report's figures in each format it is sent and downloaded in. PDF is the branded page printed by Chromium; CSV
/// and XLSX are the same figures as tables (a table per part and section), written by the export writers, so every
/// format holds the same figures the page prints.
/// </summary>
public sealed class ReportFiles(ReportPdfPrinter printer)
{
    public async Task<ReportFile> RenderAsync(ReportContent content, Branding brand, ReportFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var stem = $"{FileStem(content.Report.Name)}-{content.From:yyyy-MM-dd}{(content.To == content.From ? string.Empty : $"-to-{content.To:yyyy-MM-dd}")}";
        switch (format)
        {
            case ReportFormat.Pdf:
                return new ReportFile(await printer.PrintAsync(ReportHtml.Render(content, brand), cancellationToken), "application/pdf", stem + ".pdf");
            case ReportFormat.Csv:
                using (var csv = new MemoryStream())
                {
                    await CsvExport.WriteAsync(Document(content), csv, cancellationToken);
                    return new ReportFile(csv.ToArray(), ExportFormats.CsvContentType, ExportFormats.FileName(stem, ExportFormat.Csv));
                }

            default:
                using (var xlsx = new MemoryStream())
                {
                    XlsxExport.Write(Document(content), xlsx);
                    return new ReportFile(xlsx.ToArray(), ExportFormats.XlsxContentType, ExportFormats.FileName(stem, ExportFormat.Xlsx));
                }
        }
    }

    /// <summary>The report's figures as tables: per part (the roll-up first), its summary (the chosen metrics), trend, top products and channels.</summary>
    public static ExportDocument Document(ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var report = content.Report;
        var tables = new List<ExportTable>();
        var metrics = ReportMetrics.Of(report);
        foreach (var part in content.Stores)
        {
            var s = part.Store;
            var name = s.Store.StoreId;
            if (part.Summary is { } summary)
            {
                tables.Add(Summary($"{name} summary", summary, metrics, s.Currency));
            }

            if (part.Trend is { } trend)
            {
                tables.Add(ExportTables.Points($"{name} trend", trend.Points, s.Currency, ExportFormats.Zone(trend.TimeZone)));
            }

            if (part.TopProducts is { } products)
            {
                tables.Add(ExportTables.Breakdown(Breakdown(report.TenantId, s.Currency, products), $"{name} top products"));
            }

            if (part.Channels is { } channels)
            {
                tables.Add(ExportTables.Breakdown(Breakdown(report.TenantId, s.Currency, channels), $"{name} channels"));
            }
        }

        return new ExportDocument($"{report.TenantId}-{report.Name}-{content.From:yyyy-MM-dd}-to-{content.To:yyyy-MM-dd}", tables);
    }

    private static readonly ExportColumn[] SummaryColumns =
    [
        new("Metric", ColumnKind.Text), new("Value", ColumnKind.Decimal), new("Previous", ColumnKind.Decimal),
        new("Change", ColumnKind.Decimal), new("Change ratio", ColumnKind.Ratio), new("Unit", ColumnKind.Text),
        new("Period from", ColumnKind.Date), new("Period to", ColumnKind.Date), new("Compared from", ColumnKind.Date), new("Compared to", ColumnKind.Date),
    ];

    private static ExportTable Summary(string name, HistorySummary summary, IReadOnlyList<ReportMetric> metrics, string currency) =>
        new(name, SummaryColumns, [.. metrics.Select(m =>
        {
            var delta = m.Figure(summary.Kpis);
            var unit = m.Kind switch { MetricKind.Money => currency, MetricKind.Ratio => "ratio", _ => "count" };
            return (IReadOnlyList<object?>)
            [
                m.Label, Figure(delta.Value, m.Kind, currency), Figure(delta.Previous, m.Kind, currency), Figure(delta.Change, m.Kind, currency), delta.ChangeRatio, unit,
                summary.Period.From, summary.Period.To, summary.Comparison?.From, summary.Comparison?.To,
            ];
        })]);

    private static object? Figure(decimal? value, MetricKind kind, string currency) =>
        value is not { } v ? null : kind == MetricKind.Money ? new Money(v, currency) : v;

    private static History.HistoryBreakdownResponse Breakdown(string tenantId, string currency, HistoryBreakdown b) =>
        new(tenantId, b.StoreId, currency, b.TimeZone, b.By.ToString().ToLowerInvariant(), b.RankedBy.ToString().ToLowerInvariant(), b.Period, b.Comparison, b.TotalGroups, b.Rows);

    internal static string FileStem(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
}
