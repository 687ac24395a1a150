using System.Globalization;
using System.Net;
using System.Text;

namespace SalesDash.Web.Benchmarks;

/// <summary>
/// The public benchmark report as one self-contained HTML page for Chromium to print: the uploader's figures beside
/// their cohort's quartiles, with how many organisations each cohort has. Figures print as the web page shows them
/// (percentages to one decimal, money as "USD 54.20"), so the PDF's text reads the same.
/// </summary>
public static class BenchmarkReportHtml
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(BenchmarkReportView report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>SalesDash benchmark report</title>
            <style>
            body {"{"} font-family: "DejaVu Sans", Arial, sans-serif; color: #1f2328; margin: 0 28px; font-size: 11pt; {"}"}
            h1 {"{"} font-size: 18pt; margin: 0 0 4px; {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin-top: 12px; {"}"}
            th, td {"{"} text-align: left; padding: 5px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; {"}"}
            td.num, th.num {"{"} text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; {"}"}
            small, footer {"{"} color: #57606a; {"}"}
            </style></head><body>
            <h1>Benchmark report</h1>
            <p>Industry: {E(report.Industry)} · size band: {E(report.Band)} · {report.Orders} orders read ({E(report.Layout)} layout){(report.RowsRejected > 0 ? $", {report.RowsRejected} rows not usable" : string.Empty)}.<br>
            Your figures cover {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd} (the last 28 days of your file).</p>
            <table><thead><tr><th>Metric</th><th class="num">You</th><th class="num">25th</th><th class="num">Median</th><th class="num">75th</th><th>Peers</th></tr></thead><tbody>
            """);
        foreach (var m in report.Metrics)
        {
            var you = m.You is { } v ? Format(m.Metric, v) : "–";
            var note = m.Note is null ? string.Empty : $"<br><small>{E(m.Note)}</small>";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(m.Label)}{note}</td><td class=\"num\">{E(you)}</td><td class=\"num\">{E(Quartile(m.Metric, m.P25))}</td>"
                + $"<td class=\"num\">{E(Quartile(m.Metric, m.P50))}</td><td class=\"num\">{E(Quartile(m.Metric, m.P75))}</td><td>{E(CohortText(m.Cohort, report.MinimumPeers))}</td></tr>");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            <footer><p>Peers' quartiles come only from cohorts of at least {report.MinimumPeers} organisations that chose to take part; no single organisation's figure is shown.
            {(report.PeersComputedAt is { } at ? $"Peer figures as of {at:yyyy-MM-dd HH:mm} UTC." : "No peer figures have been published yet.")}
            Your file was read in memory and is not kept.</p></footer>
            </body></html>
            """);
        return html.ToString();
    }

    /// <summary>A metric's value as people read it: money in US dollars, growth signed, other ratios as percentages.</summary>
    public static string Format(string metric, decimal value) => metric switch
    {
        nameof(BenchmarkMetric.AverageOrderValue) => "USD " + value.ToString("N2", Invariant),
        nameof(BenchmarkMetric.Roas) => value.ToString("0.00", Invariant) + "×",
        nameof(BenchmarkMetric.RevenueGrowthWoW) or nameof(BenchmarkMetric.RevenueGrowthMoM) => (value >= 0 ? "+" : string.Empty) + (value * 100m).ToString("0.0", Invariant) + "%",
        _ => (value * 100m).ToString("0.0", Invariant) + "%",
    };

    /// <summary>"12 apparel shops of 10k-100k a month", "7 shops of every industry", or why there is no comparison.</summary>
    public static string CohortText(CohortView? cohort, int minimumPeers) => cohort switch
    {
        null => $"Not enough peers yet (fewer than {minimumPeers} organisations)",
        { Level: nameof(CohortLevel.IndustryAndBand) } c => $"{c.Contributors} {c.Industry} shops of your size ({c.Band} USD over 28 days)",
        { Level: nameof(CohortLevel.Industry) } c => $"{c.Contributors} {c.Industry} shops of every size",
        { } c => $"{c.Contributors} shops of every industry",
    };

    private static string Quartile(string metric, decimal? value) => value is { } v ? Format(metric, v) : "–";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
