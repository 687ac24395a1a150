using SalesDash.Engine.Metrics;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights.MultiChannel;

namespace SalesDash.Web.Metrics;

/// <summary>One bucket of a custom metric's trend; Start is store-local.</summary>
public sealed record MetricPoint(DateTime Start, DateTimeOffset StartUtc, decimal? Value);

/// <summary>A custom metric over a period: its value, its value over the comparison, and its trend.</summary>
public sealed record MetricValues(
    string MetricId, string Name, string Formula, string Format, string TenantId, string? StoreId, string Currency, string TimeZone,
    PeriodInfo Period, PeriodInfo? Comparison, decimal? Value, decimal? Previous, string Grain, IReadOnlyList<MetricPoint> Points);

/// <summary>
/// Computes custom metrics from the history store's additive totals (and ad spend from the insight facts): the
/// same figures the history API and the tiles show, so "revenue" in a formula is the revenue shown beside it.
/// </summary>
public sealed class CustomMetricValues(IHistoryStore history, IChannelInsightStore insights, TimeProvider time)
{
    private static readonly TimeSpan QuarterHour = TimeSpan.FromMinutes(15);

    /// <summary>The metric's value, comparison and trend for <paramref name="scope"/>; the formula must parse (it was checked when saved).</summary>
    public async Task<MetricValues> ComputeAsync(
        CustomMetric metric, HistoryScope scope, StoreProfile profile, PeriodKind periodKind, ComparisonKind comparison, TrendGrain? grain,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(profile);
        var parse = FormulaLanguage.Parse(metric.Formula, MetricFigures.Names);
        if (!parse.IsValid)
        {
            throw new InvalidOperationException($"Custom metric {metric.Id} has a formula that no longer parses: {parse.Errors[0].Message}");
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(profile.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var current = HistoryPeriods.Resolve(periodKind, time.GetUtcNow(), zone);
        var previous = HistoryPeriods.Compare(periodKind, current, comparison, zone);
        var cut = grain ?? HistoryPeriods.DefaultGrain(current);
        if (!HistoryPeriods.GrainFits(current, cut))
        {
            throw new ArgumentException("minute points are only offered for periods of up to two days");
        }

        var usesSpend = FormulaLanguage.NamesIn(parse.Tree!).Contains("ad_spend");
        var (value, points) = await SpanAsync(parse.Tree!, scope, current, zone, cut, usesSpend, cancellationToken);
        decimal? before = null;
        if (previous is not null)
        {
            (before, _) = await SpanAsync(parse.Tree!, scope, previous, zone, cut, usesSpend, cancellationToken);
        }

        var name = periodKind.ToString();
        return new MetricValues(metric.Id, metric.Name, metric.Formula, metric.Format.ToString().ToLowerInvariant(), scope.TenantId, scope.StoreId,
            profile.Currency, zone.Id, PeriodInfo.Of(name, current), previous is null ? null : PeriodInfo.Of($"{name}:{comparison}", previous),
            value, before, cut.ToString().ToLowerInvariant(), points);
    }

    /// <summary>Evaluates a parsed formula over one span: the whole span's value and one value per local bucket.</summary>
    private async Task<(decimal? Value, IReadOnlyList<MetricPoint> Points)> SpanAsync(
        FormulaNode formula, HistoryScope scope, HistoryPeriod period, TimeZoneInfo zone, TrendGrain grain, bool usesSpend, CancellationToken cancellationToken)
    {
        var buckets = new SortedDictionary<DateTime, (HistoryTotals Totals, decimal Spend)>();
        for (var start = HistoryPeriods.BucketStart(period.StartLocal, grain); start < period.EndLocal; start = HistoryPeriods.NextBucket(start, grain))
        {
            buckets[start] = (HistoryTotals.Zero, 0m);
        }

        if (period.Utc.Length > TimeSpan.Zero)
        {
            var slot = grain == TrendGrain.Minute ? TimeSpan.FromMinutes(1) : QuarterHour;
            foreach (var s in await history.SlotsAsync(scope, period.Utc, slot, cancellationToken))
            {
                var key = HistoryPeriods.BucketStart(TimeZoneInfo.ConvertTime(period.Utc.FromUtc + (slot * s.Index), zone).DateTime, grain);
                var held = buckets.TryGetValue(key, out var h) ? h : (Totals: HistoryTotals.Zero, Spend: 0m);
                buckets[key] = (held.Totals.Plus(s.Totals), held.Spend);
            }

            if (usesSpend)
            {
                var data = await insights.ReadAsync(scope.TenantId, period.Utc, cancellationToken);
                foreach (var spend in data.Spend.Where(s => scope.StoreId is null || s.StoreId == scope.StoreId))
                {
                    var key = HistoryPeriods.BucketStart(TimeZoneInfo.ConvertTime(spend.OccurredAt, zone).DateTime, grain);
                    var held = buckets.TryGetValue(key, out var h) ? h : (Totals: HistoryTotals.Zero, Spend: 0m);
                    buckets[key] = (held.Totals, held.Spend + spend.Spend);
                }
            }
        }

        var total = buckets.Values.Aggregate((Totals: HistoryTotals.Zero, Spend: 0m), (sum, b) => (sum.Totals.Plus(b.Totals), sum.Spend + b.Spend));
        var value = Round(FormulaEvaluator.Evaluate(formula, n => MetricFigures.Of(n, total.Totals, total.Spend)));
        var points = buckets.Select(b => new MetricPoint(
            b.Key, HistoryPeriods.LocalToUtc(b.Key, zone), Round(FormulaEvaluator.Evaluate(formula, n => MetricFigures.Of(n, b.Value.Totals, b.Value.Spend))))).ToList();
        return (value, points);
    }

    /// <summary>Six decimals: enough for a ratio of ratios, and no 28-digit tails from decimal division in the JSON.</summary>
    private static decimal? Round(decimal? value) => value is { } v ? Math.Round(v, 6, MidpointRounding.AwayFromZero) : null;
}
