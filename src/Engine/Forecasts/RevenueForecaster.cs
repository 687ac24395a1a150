using Microsoft.ML;
using Microsoft.ML.Data;

namespace SalesDash.Engine.Forecasts;

/// <summary>Revenue of one store-local day.</summary>
public readonly record struct DayRevenue(DateOnly Date, double Revenue);

/// <summary>A model that forecasts whole days from the days before them.</summary>
public interface IDailyRevenueModel
{
    string Name { get; }

    /// <summary>Forecasts of the <paramref name="days"/> days after <paramref name="history"/> (contiguous, oldest first).</summary>
    IReadOnlyList<double> Forecast(IReadOnlyList<DayRevenue> history, int days);
}

/// <summary>Same weekday last week: the baseline every forecast is measured against.</summary>
public sealed class SeasonalNaiveModel : IDailyRevenueModel
{
    public string Name => "seasonal-naive";

    public IReadOnlyList<double> Forecast(IReadOnlyList<DayRevenue> history, int days)
    {
        ArgumentNullException.ThrowIfNull(history);
        var series = history.Select(d => d.Revenue).ToList();
        for (var i = 0; i < days; i++)
        {
            series.Add(series.Count >= 7 ? series[^7] : series.Count > 0 ? series.Average() : 0);
        }

        return series.GetRange(history.Count, days);
    }
}

/// <summary>
/// The mean of the same weekday over the last four weeks, scaled by how the last fortnight ran against the fortnight
/// before (a trend, bounded to ±50%): a seasonal model with a level.
/// </summary>
public sealed class SeasonalMeanModel : IDailyRevenueModel
{
    public string Name => "seasonal-mean";

    public IReadOnlyList<double> Forecast(IReadOnlyList<DayRevenue> history, int days)
    {
        ArgumentNullException.ThrowIfNull(history);
        var series = history.Select(d => d.Revenue).ToList();
        var recent = series.TakeLast(14).Sum();
        var before = series.SkipLast(14).TakeLast(14).Sum();
        var trend = before > 0 && series.Count >= 28 ? Math.Clamp(recent / before, 0.5, 1.5) : 1.0;
        for (var i = 0; i < days; i++)
        {
            var same = Enumerable.Range(1, 4).Select(k => series.Count - (7 * k)).Where(ix => ix >= 0).Select(ix => series[ix]).ToList();
            var level = same.Count > 0 ? same.Average() : series.Count > 0 ? series.Average() : 0;

            // The trend applies once, to the forecast's own days, not again to forecasts fed back as history.
            series.Add(level * (i < 7 ? trend : 1.0));
        }

        return series.GetRange(history.Count, days);
    }
}

/// <summary>
/// ML.NET FastTree regression. The label is the day's revenue as a multiple of its base, the mean of the same weekday
/// over the last four weeks, and the forecast is that multiple times the base: a tree cannot extrapolate a level, but it
/// can learn how days run against their usual weekday, and a weekday the shop has been closed on for four weeks has a
/// base of zero, so it is forecast as zero rather than as a small sum. Features, all as multiples of the base where
/// they are money: the same weekday 1-4 weeks back, yesterday, the trailing 7- and 28-day means, the 7-over-28 trend,
/// day of week, day of month and progress through the month (holidays are not modelled: the data has no calendar of
/// them). Days further ahead are forecast recursively.
/// </summary>
public sealed class FastTreeModel(int seed = 1) : IDailyRevenueModel
{
    /// <summary>Days of history the features reach back.</summary>
    private const int Reach = 28;

    public string Name => "fasttree";

    public IReadOnlyList<double> Forecast(IReadOnlyList<DayRevenue> history, int days)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count < Reach + 14)
        {
            // Too little to learn from: the seasonal model's answer, honestly labelled by the caller's choice.
            return new SeasonalMeanModel().Forecast(history, days);
        }

        var ml = new MLContext(seed);
        var series = history.Select(d => d.Revenue).ToList();
        var dates = history.Select(d => d.Date).ToList();

        // Days whose weekday had no revenue for four weeks teach nothing about multiples; they are forecast as zero.
        var rows = Enumerable.Range(Reach, series.Count - Reach)
            .Where(i => Base(series, i) > 0)
            .Select(i => Row(series, dates[i], i, (float)(series[i] / Base(series, i))))
            .ToList();
        if (rows.Count < 14)
        {
            return new SeasonalMeanModel().Forecast(history, days);
        }

        var pipeline = ml.Transforms.Concatenate("Features", FeatureRow.Features)
            .Append(ml.Regression.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeRegressionTrainer.Options
            {
                NumberOfLeaves = 8,
                NumberOfTrees = 150,
                MinimumExampleCountPerLeaf = 5,
                LearningRate = 0.08,
                Seed = seed,
                NumberOfThreads = 1,
            }));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows));
        using var engine = ml.Model.CreatePredictionEngine<FeatureRow, Prediction>(model);
        for (var k = 0; k < days; k++)
        {
            var date = dates[^1].AddDays(1);
            var i = series.Count;
            var baseValue = Base(series, i);
            var predicted = baseValue > 0 ? Math.Max(0, engine.Predict(Row(series, date, i, 0)).Score) * baseValue : 0;

            // Far-out features can overflow the trees' single-precision inputs; the weekday mean is the honest fallback.
            if (!double.IsFinite(predicted))
            {
                predicted = baseValue;
            }

            series.Add(predicted);
            dates.Add(date);
        }

        return series.GetRange(history.Count, days);
    }

    /// <summary>The mean of the same weekday over the four weeks before day <paramref name="i"/>.</summary>
    private static double Base(List<double> s, int i) => (s[i - 7] + s[i - 14] + s[i - 21] + s[i - 28]) / 4;

    private static FeatureRow Row(List<double> s, DateOnly date, int i, float label)
    {
        var b = Base(s, i);
        var week = Enumerable.Range(1, 7).Average(k => s[i - k]);
        var month = Enumerable.Range(1, 28).Average(k => s[i - k]);
        return new FeatureRow
        {
            Label = label,
            DayOfWeek = (float)date.DayOfWeek,
            DayOfMonth = date.Day,
            MonthProgress = (float)date.Day / DateTime.DaysInMonth(date.Year, date.Month),
            Lag1 = (float)(s[i - 1] / b),
            Lag7 = (float)(s[i - 7] / b),
            Lag14 = (float)(s[i - 14] / b),
            Lag21 = (float)(s[i - 21] / b),
            Lag28 = (float)(s[i - 28] / b),
            Week = (float)(week / b),
            Month28 = (float)(month / b),
            Trend = month > 0 ? (float)(week / month) : 1f,
        };
    }

    /// <summary>One day's features; ML.NET reads public fields by name.</summary>
    public sealed class FeatureRow
    {
        public static readonly string[] Features =
        [
            nameof(DayOfWeek), nameof(DayOfMonth), nameof(MonthProgress), nameof(Lag1), nameof(Lag7), nameof(Lag14), nameof(Lag21), nameof(Lag28),
            nameof(Week), nameof(Month28), nameof(Trend),
        ];

        public float Label { get; set; }
        public float DayOfWeek { get; set; }
        public float DayOfMonth { get; set; }
        public float MonthProgress { get; set; }
        public float Lag1 { get; set; }
        public float Lag7 { get; set; }
        public float Lag14 { get; set; }
        public float Lag21 { get; set; }
        public float Lag28 { get; set; }
        public float Week { get; set; }
        public float Month28 { get; set; }
        public float Trend { get; set; }
    }

    private sealed class Prediction
    {
        [ColumnName("Score")]
        public float Score { get; set; }
    }
}

/// <summary>
/// The mean of FastTree's and the seasonal mean's forecasts: two models that err differently (one learns how days run
/// against their weekday, the other follows the weekday's level), so their average errs less than either on most data.
/// </summary>
public sealed class BlendModel(int seed = 1) : IDailyRevenueModel
{
    public string Name => "blend";

    public IReadOnlyList<double> Forecast(IReadOnlyList<DayRevenue> history, int days)
    {
        var tree = new FastTreeModel(seed).Forecast(history, days);
        var seasonal = new SeasonalMeanModel().Forecast(history, days);
        return [.. tree.Zip(seasonal, (a, b) => (a + b) / 2)];
    }
}

/// <summary>Forecast accuracy over held-out days.</summary>
/// <param name="Mape">Mean absolute percentage error over days with revenue (a day of zero has no percentage).</param>
/// <param name="Smape">Symmetric MAPE (0..2 scale shown as a fraction) over all days.</param>
/// <param name="Q80">The 80th percentile of |actual − forecast| / forecast: the half-width of an 80% interval, relative.</param>
public sealed record ForecastScore(string Model, int Days, double Mape, double Smape, double Q80);

/// <summary>Scoring helpers shared by the forecast service and the bench.</summary>
public static class ForecastScoring
{
    /// <summary>One-day-ahead forecasts of each of the last <paramref name="holdout"/> days from the days before it.</summary>
    public static ForecastScore Backtest(IDailyRevenueModel model, IReadOnlyList<DayRevenue> series, int holdout)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(series);
        var pairs = new List<(double Actual, double Forecast)>();
        for (var i = series.Count - holdout; i < series.Count; i++)
        {
            if (i <= 0)
            {
                continue;
            }

            var forecast = model.Forecast(series.Take(i).ToList(), 1)[0];
            pairs.Add((series[i].Revenue, forecast));
        }

        return Score(model.Name, pairs);
    }

    public static ForecastScore Score(string model, IReadOnlyList<(double Actual, double Forecast)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);

        // A model that answers NaN or infinity has said nothing: score it as if it forecast nothing, which ranks it
        // last instead of putting a number into the answer that JSON cannot carry.
        pairs = [.. pairs.Select(p => (p.Actual, Forecast: double.IsFinite(p.Forecast) ? p.Forecast : 0))];
        var withRevenue = pairs.Where(p => p.Actual > 0).ToList();
        var mape = withRevenue.Count == 0 ? double.NaN : withRevenue.Average(p => Math.Abs(p.Actual - p.Forecast) / p.Actual);
        var smape = pairs.Count == 0 ? double.NaN : pairs.Average(p => p.Actual + p.Forecast == 0 ? 0 : 2 * Math.Abs(p.Actual - p.Forecast) / (Math.Abs(p.Actual) + Math.Abs(p.Forecast)));
        var relative = pairs.Where(p => p.Forecast > 0).Select(p => Math.Abs(p.Actual - p.Forecast) / p.Forecast).Order().ToList();
        var q80 = relative.Count == 0 ? 0.5 : relative[Math.Min(relative.Count - 1, (int)Math.Ceiling(0.8 * relative.Count) - 1)];
        return new ForecastScore(model, pairs.Count, mape, smape, q80);
    }
}
