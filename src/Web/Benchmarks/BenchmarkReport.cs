using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.Imports;
using SalesDash.Web.Reports;

namespace SalesDash.Web.Benchmarks;

/// <summary>One metric of the public report: the uploader's figure (null with <see cref="Note"/> saying why) against its cohort's quartiles.</summary>
/// <param name="Cohort">The narrowest published cohort of the chosen industry and the file's size band; null when none has five contributors.</param>
public sealed record ReportMetricView(string Metric, string Label, decimal? You, string? Note, CohortView? Cohort, decimal? P25, decimal? P50, decimal? P75);

/// <summary>
/// The public benchmark report of one uploaded orders export: what was read, the window the figures cover (the last 28
/// whole days the file reaches), and each metric against the peers. Nothing of the file is kept once this is made.
/// </summary>
/// <param name="Layout">The export layout the file was read as (Shopify orders, WooCommerce, ...).</param>
/// <param name="RowsRejected">Rows the reader could not use, e.g. a bad amount; the figures are from the rest.</param>
/// <param name="From">The first day of the window the figures cover (inclusive).</param>
/// <param name="To">The last day (inclusive): the day of the newest order in the file.</param>
public sealed record BenchmarkReportView(
    string Industry, string Band, string Layout, int Orders, int RowsRejected, DateOnly FirstOrderDay, DateOnly From, DateOnly To,
    DateTimeOffset? PeersComputedAt, int MinimumPeers, IReadOnlyList<ReportMetricView> Metrics);

/// <summary>Why an uploaded file makes no report; the endpoint answers with <see cref="Status"/> and these words.</summary>
public sealed class BenchmarkReportException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}

/// <summary>
/// An orders export's figures over the same trailing windows <see cref="PeerFigures"/> reads from history, so an
/// uploader compares with peers like for like: the windows end at the end of the day of the file's newest order, money
/// is in US dollars (each order converted at its currency's rate of that day), orders count as history counts them
/// (cancelled ones included), and a figure the file cannot give (conversion and ROAS need sessions and ad spend; growth
/// needs the earlier window to be inside the file) is null with the reason.
/// </summary>
public static class UploadFigures
{
    public const string NotInFile = "Not in your file: an orders export has no sessions or ad spend.";

    /// <param name="events">What the import reader made of the file: orders and refunds.</param>
    /// <param name="usdRates">Currency → US dollars per unit, for every currency of the file's orders and refunds.</param>
    public static (OrgFigures Figures, IReadOnlyDictionary<BenchmarkMetric, string> Notes, DateOnly FirstDay, DateOnly LastDay, int Orders) Compute(
        IReadOnlyList<CommerceEvent> events, IReadOnlyDictionary<string, decimal> usdRates)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(usdRates);
        var orders = events.OfType<OrderPlaced>().ToList();
        if (orders.Count == 0)
        {
            throw new ArgumentException("No orders.", nameof(events));
        }

        var refunds = events.OfType<RefundIssued>().ToList();
        var firstDay = DateOnly.FromDateTime(orders.Min(o => o.PlacedAt).UtcDateTime);
        var lastDay = DateOnly.FromDateTime(orders.Max(o => o.PlacedAt).UtcDateTime);
        var end = new DateTimeOffset(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var start = new DateTimeOffset(firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        decimal Usd(decimal amount, string currency) => amount * usdRates[currency.ToUpperInvariant()];
        List<OrderPlaced> In(int fromDaysAgo, int toDaysAgo) =>
            [.. orders.Where(o => o.PlacedAt >= end.AddDays(-fromDaysAgo) && o.PlacedAt < end.AddDays(-toDaysAgo))];
        decimal Revenue(int fromDaysAgo, int toDaysAgo) => In(fromDaysAgo, toDaysAgo).Sum(o => Usd(o.TotalPrice, o.Currency));

        var last28 = In(28, 0);
        var revenue = Revenue(28, 0);
        var refunded = refunds.Where(r => r.OccurredAt >= end.AddDays(-28) && r.OccurredAt < end).Sum(r => Usd(r.Amount, r.Currency));
        var notes = new Dictionary<BenchmarkMetric, string>
        {
            [BenchmarkMetric.ConversionRate] = NotInFile,
            [BenchmarkMetric.Roas] = NotInFile,
        };

        // Without a customer column every order looks new: a repeat rate of 0 would be a claim the file does not make.
        decimal? repeat = orders.Any(o => o.CustomerId is not null) ? Ratio(last28.Count(o => o.ReturningCustomer), last28.Count) : null;
        if (repeat is null)
        {
            notes[BenchmarkMetric.RepeatRate] = "Not in your file: it names no customer, so returning customers cannot be told apart.";
        }

        // Growth needs the window before to lie wholly inside the file; a file that starts later would look like growth.
        decimal? wow = start <= end.AddDays(-14) ? Ratio(Revenue(7, 0), Revenue(14, 7)) - 1m : null;
        if (wow is null)
        {
            notes[BenchmarkMetric.RevenueGrowthWoW] = "Your file covers fewer than 14 days: week-over-week growth needs two whole weeks.";
        }

        decimal? mom = start <= end.AddDays(-56) ? Ratio(revenue, Revenue(56, 28)) - 1m : null;
        if (mom is null)
        {
            notes[BenchmarkMetric.RevenueGrowthMoM] = "Your file covers fewer than 56 days: month-over-month growth needs two whole 28-day months.";
        }

        var figures = new OrgFigures(decimal.Round(revenue, 2), null, Ratio(revenue, last28.Count), repeat, Ratio(refunded, revenue), wow, mom, null);
        return (figures, notes, firstDay, lastDay, orders.Count);
    }

    /// <summary>Rounded as <see cref="PeerFigures"/> rounds, so an uploader's figure and a member's read the same.</summary>
    private static decimal? Ratio(decimal top, decimal bottom) => bottom == 0m ? null : Math.Round(top / bottom, 4, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Makes the public benchmark report: reads an uploaded orders export with the import reader (delimiter, encoding,
/// dates and known layouts as imports read them), computes <see cref="UploadFigures"/> in memory and sets them beside
/// the published cohorts of the chosen industry; prints the same report to PDF with the reports' printer. Nothing is
/// written anywhere: no app row, no event, no history, no file.
/// </summary>
public sealed class BenchmarkReports(PeerBenchmarks peers, IExchangeRates rates, ReportPdfPrinter printer)
{
    /// <summary>Where the reader's events would belong; they are never ingested, the reader only needs a target to name them.</summary>
    private static readonly StoreRef Nowhere = new("benchmark-report", "upload");

    public static readonly IReadOnlyDictionary<BenchmarkMetric, string> Labels = new Dictionary<BenchmarkMetric, string>
    {
        [BenchmarkMetric.ConversionRate] = "Conversion rate",
        [BenchmarkMetric.AverageOrderValue] = "Average order value (USD)",
        [BenchmarkMetric.RepeatRate] = "Repeat-customer rate",
        [BenchmarkMetric.RefundRate] = "Refund rate",
        [BenchmarkMetric.RevenueGrowthWoW] = "Revenue growth, week over week",
        [BenchmarkMetric.RevenueGrowthMoM] = "Revenue growth, month over month",
        [BenchmarkMetric.Roas] = "Return on ad spend",
    };

    /// <param name="currency">The currency of a file that does not say (ISO code); a file's own currency column wins.</param>
    /// <exception cref="BenchmarkReportException">400 for an unknown industry or currency, 422 for a file that gives no figures, naming why.</exception>
    public async Task<BenchmarkReportView> BuildAsync(Stream file, string? industry, string? currency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var chosen = industry?.Trim().ToLowerInvariant();
        if (!PeerCohorts.IsIndustry(chosen))
        {
            throw new BenchmarkReportException(StatusCodes.Status400BadRequest, "Unknown industry",
                $"'{industry}' is not an industry; choose one of: {string.Join(", ", PeerCohorts.Industries)}.");
        }

        var fallback = string.IsNullOrWhiteSpace(currency) ? PeerFigures.CommonCurrency : currency.Trim().ToUpperInvariant();
        if (fallback.Length != 3 || !fallback.All(char.IsAsciiLetterUpper))
        {
            throw new BenchmarkReportException(StatusCodes.Status400BadRequest, "Unknown currency", $"'{currency}' is not a three-letter currency code such as USD or EUR.");
        }

        var read = await TableImport.ReadAsync(file, new ImportSettings(), new ImportTarget(Nowhere, SalesChannel.OnlineStore, fallback, "UTC"), 0, cancellationToken);
        if (read.Failure is { } failure)
        {
            throw new BenchmarkReportException(StatusCodes.Status422UnprocessableEntity, "The file cannot be read", $"The file cannot be read as an orders export: {failure}.");
        }

        var events = read.Parsed.Events.Select(e => e.Event).ToList();
        if (!events.OfType<OrderPlaced>().Any())
        {
            var why = read.Parsed.Errors.FirstOrDefault() is { } first ? $" The first problem, at line {first.Line}: {first.Message}." : string.Empty;
            throw new BenchmarkReportException(StatusCodes.Status422UnprocessableEntity, "No orders in the file",
                $"The file has no order that could be read ({read.Parsed.DataRows} data rows).{why}");
        }

        var lastDay = DateOnly.FromDateTime(events.OfType<OrderPlaced>().Max(o => o.PlacedAt).UtcDateTime);
        var usd = new Dictionary<string, decimal>(StringComparer.Ordinal) { [PeerFigures.CommonCurrency] = 1m };
        foreach (var code in events.Select(e => e.Currency.ToUpperInvariant()).Distinct(StringComparer.Ordinal).Where(c => !usd.ContainsKey(c)))
        {
            usd[code] = (await rates.FindAsync(code, PeerFigures.CommonCurrency, lastDay, cancellationToken))?.Rate
                ?? throw new BenchmarkReportException(StatusCodes.Status422UnprocessableEntity, "No exchange rate",
                    $"Peers are compared in US dollars, and there is no exchange rate from {code} to USD on or before {lastDay:yyyy-MM-dd}.");
        }

        var (figures, notes, firstDay, last, orders) = UploadFigures.Compute(events, usd);
        var band = PeerCohorts.BandOf(figures.RevenueUsd);
        var (cohorts, computedAt) = await peers.PublishedAsync(cancellationToken);
        var metrics = Enum.GetValues<BenchmarkMetric>().Select(metric =>
        {
            var cohort = PeerCohorts.Pick(cohorts, chosen, band, metric);
            return new ReportMetricView(metric.ToString(), Labels[metric], figures.Of(metric), notes.GetValueOrDefault(metric),
                cohort is null ? null : new CohortView(cohort.Level.ToString(), cohort.Industry, cohort.Band, cohort.Contributors),
                cohort?.P25, cohort?.P50, cohort?.P75);
        }).ToList();
        return new BenchmarkReportView(chosen!, band, read.Layout ?? ImportLayouts.Custom, orders, read.Parsed.Errors.Select(e => e.Line).Distinct().Count(),
            firstDay, firstDay > last.AddDays(-27) ? firstDay : last.AddDays(-27), last, computedAt, PeerCohorts.MinimumPeers, metrics);
    }

    /// <summary>The same report as a one-page PDF, printed by the reports' headless Chromium.</summary>
    public async Task<byte[]> PrintAsync(BenchmarkReportView report, CancellationToken cancellationToken) =>
        await printer.PrintAsync(BenchmarkReportHtml.Render(report), cancellationToken);
}
