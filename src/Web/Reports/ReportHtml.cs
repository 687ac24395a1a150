using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using SalesDash.Engine.History;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Reports;

/// <summary>
/// Renders a report as one self-contained HTML page (inline CSS, the logo as a data URI, the trend as inline SVG), in
/// the organisation's branding, for Chromium to print. Money prints with its currency code ("GBP 1,234.50"), so a
/// reader of several stores' figures never mixes currencies, and text pulled from a PDF reads the same.
/// </summary>
public static partial class ReportHtml
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(ReportContent content, Branding branding)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(branding);
        var brand = Safe(branding);
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{E(content.Report.Name)}</title>
            <style>
            :root {"{"} --primary: {brand.PrimaryColour}; --accent: {brand.AccentColour}; {"}"}
            body {"{"} font-family: "DejaVu Sans", Arial, sans-serif; color: #1f2328; margin: 0; font-size: 11pt; {"}"}
            header {"{"} background: var(--primary); color: #fff; padding: 18px 28px; display: flex; align-items: center; gap: 16px; {"}"}
            header img {"{"} max-height: 40px; {"}"}
            header h1 {"{"} margin: 0; font-size: 18pt; {"}"}
            header p {"{"} margin: 2px 0 0; {"}"}
            main {"{"} padding: 8px 28px 28px; {"}"}
            h2 {"{"} border-bottom: 3px solid var(--accent); padding-bottom: 4px; margin-top: 26px; {"}"}
            h3 {"{"} margin: 18px 0 6px; color: var(--primary); {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin-bottom: 8px; {"}"}
            th, td {"{"} text-align: left; padding: 4px 8px; border-bottom: 1px solid #d0d7de; {"}"}
            td.num, th.num {"{"} text-align: right; font-variant-numeric: tabular-nums; {"}"}
            .up {"{"} color: #1a7f37; {"}"} .down {"{"} color: #cf222e; {"}"}
            footer {"{"} color: #57606a; font-size: 9pt; padding: 0 28px 20px; {"}"}
            section.store {"{"} break-inside: auto; {"}"}
            </style></head><body>
            <header>{(brand.LogoDataUri is { } logo ? $"<img src=\"{E(logo)}\" alt=\"{E(brand.ProductName)}\">" : string.Empty)}
            <div><h1>{E(content.Report.Name)}</h1><p>{E(brand.ProductName)} · {E(PeriodText(content))}</p></div></header>
            <main>
            """);

        if (content.Stores.Count == 0)
        {
            html.Append("<p>None of this report's stores exists any more.</p>");
        }

        foreach (var part in content.Stores)
        {
            var currency = part.Store.Currency;
            html.Append(part.IsRollUp
                ? $"<section class=\"store\"><h2>{E(part.Store.Name)} <small>(converted at the stored exchange rate of each day)</small></h2>"
                : $"<section class=\"store\"><h2>{E(part.Store.Name)} <small>({E(part.Store.Store.StoreId)}, {E(currency)})</small></h2>");
            if (part.Summary is { } summary)
            {
                html.Append("<h3>KPI summary</h3>");
                html.Append(summary.Comparison is { } previous
                    ? $"<p>Compared with {E(Dates(previous.From, previous.To))}.</p>"
                    : string.Empty);
                html.Append("<table><thead><tr><th>Metric</th><th class=\"num\">This period</th><th class=\"num\">Previous</th><th class=\"num\">Change</th></tr></thead><tbody>");
                foreach (var metric in ReportMetrics.Of(content.Report))
                {
                    var (name, delta) = (metric.Label, metric.Figure(summary.Kpis));
                    var kind = metric.Kind switch { MetricKind.Money => "money", MetricKind.Ratio => "ratio", _ => "count" };
                    var change = delta.ChangeRatio is { } ratio ? $"{(ratio >= 0 ? "+" : string.Empty)}{(ratio * 100m).ToString("0.0", Invariant)}%" : "–";
                    var css = delta.ChangeRatio is { } r ? (r >= 0 ? "up" : "down") : string.Empty;
                    html.Append($"<tr><td>{E(name)}</td><td class=\"num\">{E(Figure(delta.Value, kind, currency))}</td><td class=\"num\">{E(Figure(delta.Previous, kind, currency))}</td><td class=\"num {css}\">{E(change)}</td></tr>");
                }

                html.Append("</tbody></table>");
            }

            if (part.Trend is { } trend)
            {
                html.Append($"<h3>Trend (gross revenue per {trend.Grain.ToString().ToLowerInvariant()})</h3>");
                html.Append(Chart(trend.Points, brand.PrimaryColour));
                html.Append("<table><thead><tr><th>Start</th><th class=\"num\">Gross revenue</th><th class=\"num\">Orders</th></tr></thead><tbody>");
                foreach (var point in trend.Points.Where(p => p.Orders > 0 || p.GrossRevenue != 0m))
                {
                    var start = point.Start.ToString(trend.Grain == TrendGrain.Hour ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd", Invariant);
                    html.Append($"<tr><td>{E(start)}</td><td class=\"num\">{E(Money(point.GrossRevenue, currency))}</td><td class=\"num\">{point.Orders.ToString(Invariant)}</td></tr>");
                }

                html.Append("</tbody></table>");
            }

            if (part.TopProducts is { } products)
            {
                html.Append("<h3>Top products</h3>");
                html.Append(products.Rows.Count == 0 ? "<p>No products sold in this period.</p>" :
                    "<table><thead><tr><th>#</th><th>Product</th><th>SKU</th><th class=\"num\">Units</th><th class=\"num\">Revenue</th></tr></thead><tbody>"
                    + string.Concat(products.Rows.Select(r =>
                        $"<tr><td>{r.Rank.ToString(Invariant)}</td><td>{E(r.Label)}</td><td>{E(r.Key)}</td><td class=\"num\">{r.Units.ToString(Invariant)}</td><td class=\"num\">{E(Money(r.GrossRevenue, currency))}</td></tr>"))
                    + "</tbody></table>");
            }

            if (part.Channels is { } channels)
            {
                html.Append("<h3>Channel breakdown</h3>");
                html.Append(channels.Rows.Count == 0 ? "<p>No sales in this period.</p>" :
                    "<table><thead><tr><th>Channel</th><th class=\"num\">Orders</th><th class=\"num\">Revenue</th><th class=\"num\">Share</th><th class=\"num\">Previous</th></tr></thead><tbody>"
                    + string.Concat(channels.Rows.Select(r =>
                        $"<tr><td>{E(r.Label)}</td><td class=\"num\">{r.Orders.ToString(Invariant)}</td><td class=\"num\">{E(Money(r.GrossRevenue, currency))}</td><td class=\"num\">{(r.RevenueShare is { } s ? (s * 100m).ToString("0.0", Invariant) + "%" : "–")}</td><td class=\"num\">{E(Figure(r.Revenue.Previous, "money", currency))}</td></tr>"))
                    + "</tbody></table>");
            }

            html.Append("</section>");
        }

        html.Append($"""
            </main>
            <footer>Generated by {E(brand.ProductName)} at {E(content.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant))} UTC. Periods are local dates in {E(content.Report.TimeZone)}.</footer>
            </body></html>
            """);
        return html.ToString();
    }

    /// <summary>The e-mail body: the headline figures of each store, in the organisation's colours; the PDF carries the rest.</summary>
    public static string EmailHtml(ReportContent content, Branding branding, ReportFormat format = ReportFormat.Pdf)
    {
        ArgumentNullException.ThrowIfNull(content);
        var brand = Safe(branding);
        var rows = string.Concat(content.Stores.Where(s => s.Summary is not null).Select(s =>
            $"<tr><td style=\"padding:4px 8px\">{E(s.Store.Name)}</td><td style=\"padding:4px 8px;text-align:right\">{E(Money(s.Summary!.Kpis.GrossRevenue.Value ?? 0m, s.Store.Currency))}</td>"
            + $"<td style=\"padding:4px 8px;text-align:right\">{E(Money(s.Summary.Kpis.NetRevenue.Value ?? 0m, s.Store.Currency))}</td><td style=\"padding:4px 8px;text-align:right\">{(s.Summary.Kpis.Orders.Value ?? 0m).ToString("0", Invariant)}</td></tr>"));
        return $"""
            <!DOCTYPE html><html><body style="font-family:Arial,sans-serif;color:#1f2328;margin:0">
            <div style="background:{brand.PrimaryColour};color:#fff;padding:16px 24px">
            {(brand.LogoDataUri is { } logo ? $"<img src=\"{E(logo)}\" alt=\"{E(brand.ProductName)}\" style=\"max-height:32px\"><br>" : string.Empty)}
            <strong style="font-size:18px">{E(brand.ProductName)}</strong></div>
            <div style="padding:16px 24px">
            <h2 style="margin:0 0 8px">{E(content.Report.Name)}</h2>
            <p>{E(PeriodText(content))}</p>
            {(rows.Length == 0 ? string.Empty : $"<table style=\"border-collapse:collapse\"><tr><th style=\"text-align:left;padding:4px 8px\">Store</th><th style=\"padding:4px 8px\">Gross revenue</th><th style=\"padding:4px 8px\">Net revenue</th><th style=\"padding:4px 8px\">Orders</th></tr>{rows}</table>")}
            <p style="border-top:3px solid {brand.AccentColour};padding-top:8px">The full report is attached as {Attached(format)}.</p>
            </div></body></html>
            """;
    }

    /// <summary>The same headline as text, for mail clients that show no HTML.</summary>
    public static string EmailText(ReportContent content, Branding branding, ReportFormat format = ReportFormat.Pdf)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(branding);
        var lines = new List<string> { $"{content.Report.Name} ({branding.ProductName})", PeriodText(content), string.Empty };
        lines.AddRange(content.Stores.Where(s => s.Summary is not null).Select(s =>
            $"{s.Store.Name}: gross revenue {Money(s.Summary!.Kpis.GrossRevenue.Value ?? 0m, s.Store.Currency)}, net revenue {Money(s.Summary.Kpis.NetRevenue.Value ?? 0m, s.Store.Currency)}, orders {(s.Summary.Kpis.Orders.Value ?? 0m).ToString("0", Invariant)}"));
        lines.Add(string.Empty);
        lines.Add($"The full report is attached as {Attached(format)}.");
        return string.Join("\n", lines) + "\n";
    }

    private static string Attached(ReportFormat format) => format switch
    {
        ReportFormat.Csv => "a CSV file",
        ReportFormat.Xlsx => "an Excel (XLSX) workbook",
        _ => "a PDF",
    };

    public static string Money(decimal amount, string currency) => $"{currency} {amount.ToString("#,##0.00", Invariant)}";

    public static string PeriodText(ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Report.Period == ReportPeriod.Custom
            ? $"Report for {Dates(content.From, content.To)}"
            : $"{content.Report.Period} report for {Dates(content.From, content.To)}";
    }

    private static string Dates(DateOnly from, DateOnly to) =>
        from == to ? from.ToString("yyyy-MM-dd", Invariant) : $"{from.ToString("yyyy-MM-dd", Invariant)} to {to.ToString("yyyy-MM-dd", Invariant)}";

    private static string Figure(decimal? value, string kind, string currency) => value switch
    {
        null => "–",
        { } v when kind == "money" => Money(v, currency),
        { } v when kind == "ratio" => (v * 100m).ToString("0.00", Invariant) + "%",
        { } v => v.ToString("#,##0", Invariant),
    };

    /// <summary>A line of the points' gross revenue, scaled to the box; no script, so it prints as drawn.</summary>
    private static string Chart(IReadOnlyList<TrendPoint> points, string colour)
    {
        if (points.Count < 2)
        {
            return string.Empty;
        }

        const double width = 700, height = 140;
        var max = (double)Math.Max(points.Max(p => p.GrossRevenue), 1m);
        var step = width / (points.Count - 1);
        var line = string.Join(" ", points.Select((p, i) =>
            $"{(i * step).ToString("0.#", Invariant)},{(height - ((double)p.GrossRevenue / max * (height - 10))).ToString("0.#", Invariant)}"));
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Gross revenue trend\">"
            + $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{line}\"/></svg>";
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Branding goes into CSS and an img src: only plain hex colours and image data URIs get through.</summary>
    private static Branding Safe(Branding branding)
    {
        ArgumentNullException.ThrowIfNull(branding);
        var fallback = Branding.SalesDash;
        return new Branding(
            string.IsNullOrWhiteSpace(branding.ProductName) ? fallback.ProductName : branding.ProductName,
            HexColour().IsMatch(branding.PrimaryColour) ? branding.PrimaryColour : fallback.PrimaryColour,
            HexColour().IsMatch(branding.AccentColour) ? branding.AccentColour : fallback.AccentColour,
            branding.LogoDataUri is { } logo && logo.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase) ? logo : null);
    }

    [GeneratedRegex("^#[0-9a-fA-F]{3,8}$")]
    private static partial Regex HexColour();
}
