namespace SalesDash.Web.Benchmarks;

/// <summary>A figure peers are compared on.</summary>
public enum BenchmarkMetric
{
    /// <summary>Orders over storefront sessions (0-1).</summary>
    ConversionRate,

    /// <summary>Revenue over orders, in US dollars so organisations selling in different currencies compare.</summary>
    AverageOrderValue,

    /// <summary>Orders from returning customers over all orders (0-1).</summary>
    RepeatRate,

    /// <summary>Refunded amount over revenue (0-1).</summary>
    RefundRate,

    /// <summary>The last 7 days' revenue over the 7 before, minus one.</summary>
    RevenueGrowthWoW,

    /// <summary>The last 28 days' revenue over the 28 before, minus one.</summary>
    RevenueGrowthMoM,

    /// <summary>Revenue whose last touch was a channel with ad spend, over all ad spend.</summary>
    Roas,
}

/// <summary>How wide a cohort is: industry × size band, the industry alone, or every organisation that takes part.</summary>
public enum CohortLevel
{
    IndustryAndBand,
    Industry,
    All,
}

/// <summary>One organisation's figures over the trailing windows; a null figure is unknown (no sessions, no spend, nothing before).</summary>
/// <param name="RevenueUsd">The last 28 days' revenue in US dollars: what the size band is read from.</param>
public sealed record OrgFigures(
    decimal RevenueUsd,
    decimal? ConversionRate,
    decimal? AverageOrderValue,
    decimal? RepeatRate,
    decimal? RefundRate,
    decimal? RevenueGrowthWoW,
    decimal? RevenueGrowthMoM,
    decimal? Roas)
{
    public decimal? Of(BenchmarkMetric metric) => metric switch
    {
        BenchmarkMetric.ConversionRate => ConversionRate,
        BenchmarkMetric.AverageOrderValue => AverageOrderValue,
        BenchmarkMetric.RepeatRate => RepeatRate,
        BenchmarkMetric.RefundRate => RefundRate,
        BenchmarkMetric.RevenueGrowthWoW => RevenueGrowthWoW,
        BenchmarkMetric.RevenueGrowthMoM => RevenueGrowthMoM,
        BenchmarkMetric.Roas => Roas,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}

/// <summary>An organisation that takes part, with the cohort keys it falls in.</summary>
/// <param name="Industry">Null when the organisation has not said: it then counts only among all organisations.</param>
public sealed record BenchmarkParticipant(string TenantId, string? Industry, string Band, OrgFigures Figures);

/// <summary>The quartiles of one metric in one cohort and how many organisations they come from (never fewer than the minimum).</summary>
public sealed record CohortAggregate(CohortLevel Level, string Industry, string Band, BenchmarkMetric Metric, int Contributors, decimal P25, decimal P50, decimal P75);

/// <summary>
/// Peer cohorts and their quartiles, pure so tests check them against their own arithmetic. A cohort exists only with at
/// least <see cref="MinimumPeers"/> organisations contributing to the metric, so no published figure rests on fewer
/// (k-anonymity with k = 5); an organisation is shown the narrowest cohort of its own that exists.
/// </summary>
public static class PeerCohorts
{
    /// <summary>The fewest organisations a published quartile may come from.</summary>
    public const int MinimumPeers = 5;

    /// <summary>The key of "any industry" / "any band" in a wider cohort.</summary>
    public const string Any = "*";

    /// <summary>What organisations may say they sell; a closed list so cohorts are not split by spelling.</summary>
    public static readonly IReadOnlyList<string> Industries =
    [
        "apparel", "beauty", "electronics", "food-and-drink", "health", "home-and-garden", "jewellery", "pets", "sports-and-outdoors",
        "toys-and-games", "books-and-media", "other",
    ];

    /// <summary>Size bands by the last 28 days' revenue in US dollars, smallest first, with each band's lower bound.</summary>
    public static readonly IReadOnlyList<(string Band, decimal FromUsd)> Bands =
    [
        ("under-10k", 0m), ("10k-100k", 10_000m), ("100k-1m", 100_000m), ("1m-plus", 1_000_000m),
    ];

    public static bool IsIndustry(string? industry) => industry is not null && Industries.Contains(industry, StringComparer.Ordinal);

    /// <summary>The band a trailing 28-day revenue (US dollars) falls in.</summary>
    public static string BandOf(decimal revenueUsd) => Bands.Where(b => revenueUsd >= b.FromUsd).Select(b => b.Band).LastOrDefault() ?? Bands[0].Band;

    /// <summary>
    /// The <paramref name="p"/>-th percentile (0-1) by linear interpolation between the closest ranks (as Excel's
    /// PERCENTILE.INC and numpy's default), to four decimals.
    /// </summary>
    public static decimal Percentile(IReadOnlyList<decimal> values, decimal p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        var sorted = values.Order().ToList();
        var rank = (sorted.Count - 1) * p;
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        var value = sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
        return Math.Round(value, 4, MidpointRounding.AwayFromZero);
    }

    /// <summary>Every cohort of every metric with at least <see cref="MinimumPeers"/> contributors; smaller ones are never produced.</summary>
    public static IReadOnlyList<CohortAggregate> Aggregate(IEnumerable<BenchmarkParticipant> participants)
    {
        ArgumentNullException.ThrowIfNull(participants);
        var all = participants.ToList();
        var result = new List<CohortAggregate>();
        foreach (var metric in Enum.GetValues<BenchmarkMetric>())
        {
            var known = all.Select(p => (p.Industry, p.Band, Value: p.Figures.Of(metric))).Where(p => p.Value is not null).ToList();
            var cohorts = known.Where(p => p.Industry is not null).GroupBy(p => (Level: CohortLevel.IndustryAndBand, Industry: p.Industry!, p.Band))
                .Concat(known.Where(p => p.Industry is not null).GroupBy(p => (Level: CohortLevel.Industry, Industry: p.Industry!, Band: Any)))
                .Concat(known.GroupBy(_ => (Level: CohortLevel.All, Industry: Any, Band: Any)));
            foreach (var cohort in cohorts)
            {
                var values = cohort.Select(p => p.Value!.Value).ToList();
                if (values.Count < MinimumPeers)
                {
                    continue;
                }

                result.Add(new CohortAggregate(cohort.Key.Level, cohort.Key.Industry, cohort.Key.Band, metric, values.Count,
                    Percentile(values, 0.25m), Percentile(values, 0.50m), Percentile(values, 0.75m)));
            }
        }

        return result;
    }

    /// <summary>The narrowest published cohort an organisation of <paramref name="industry"/> and <paramref name="band"/> belongs to; null when none is.</summary>
    public static CohortAggregate? Pick(IEnumerable<CohortAggregate> aggregates, string? industry, string band, BenchmarkMetric metric)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        var mine = aggregates.Where(a => a.Metric == metric).ToList();
        return (industry is null ? null : mine.FirstOrDefault(a => a.Level == CohortLevel.IndustryAndBand && a.Industry == industry && a.Band == band))
            ?? (industry is null ? null : mine.FirstOrDefault(a => a.Level == CohortLevel.Industry && a.Industry == industry))
            ?? mine.FirstOrDefault(a => a.Level == CohortLevel.All);
    }

    /// <summary>
    /// Whether an organisation takes part: its own choice when it made one; otherwise on only while on its trial, when the
    /// Benchmarks page and settings say so (an organisation that never chose stops counting when the trial ends).
    /// </summary>
    public static bool TakesPart(bool? choice, bool onTrial) => choice ?? onTrial;
}
