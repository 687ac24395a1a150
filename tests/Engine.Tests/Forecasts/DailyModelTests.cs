using SalesDash.Engine.Forecasts;

namespace SalesDash.Engine.Tests.Forecasts;

/// <summary>The daily revenue models on series whose right answer is known.</summary>
public sealed class DailyModelTests
{
    private static readonly DateOnly First = new(2026, 1, 5); // a Monday

    /// <summary>Ten weeks of a shop closed on Saturdays, busier towards the weekend, growing 1% a week, with ±5% day noise.</summary>
    private static List<DayRevenue> ClosedOnSaturdays(int weeks)
    {
        double[] weekday = [800, 850, 900, 1000, 1200, 0, 600]; // Mon..Sun
        var random = new Random(9);
        return [.. Enumerable.Range(0, weeks * 7).Select(i =>
        {
            var date = First.AddDays(i);
            var usual = weekday[((int)date.DayOfWeek + 6) % 7] * Math.Pow(1.01, i / 7);
            return new DayRevenue(date, usual * (0.95 + (0.1 * random.NextDouble())));
        })];
    }

    [Theory]
    [InlineData("fasttree")]
    [InlineData("blend")]
    public void A_weekday_the_shop_has_been_closed_on_is_forecast_as_zero_and_open_days_near_their_level(string name)
    {
        IDailyRevenueModel model = name == "fasttree" ? new FastTreeModel() : new BlendModel();
        var history = ClosedOnSaturdays(10);

        var week = model.Forecast(history, 7);

        // The history ends on a Sunday: the week forecast runs Monday..Sunday; Saturday is index 5.
        Assert.Equal(0, week[5]);
        var usualFriday = 1200 * Math.Pow(1.01, 10);
        Assert.InRange(week[4], usualFriday * 0.85, usualFriday * 1.15);
        var usualMonday = 800 * Math.Pow(1.01, 10);
        Assert.InRange(week[0], usualMonday * 0.85, usualMonday * 1.15);
    }

    [Fact]
    public void Closed_days_cost_fasttree_nothing_in_sMAPE()
    {
        var history = ClosedOnSaturdays(16);

        var tree = ForecastScoring.Backtest(new FastTreeModel(), history, 28);

        // A forecast of a few pounds on each of the 4 closed days would cost 200% each: 4 x 200% / 28 = 29% sMAPE on its
        // own. Forecast as zero, they cost nothing, and what is left is the ±5% day noise.
        Assert.Equal(28, tree.Days);
        Assert.True(tree.Smape < 0.05, $"fasttree sMAPE {tree.Smape:P1}");
    }

    [Fact]
    public void A_model_answering_infinity_or_nan_scores_as_forecasting_nothing_and_every_figure_stays_finite()
    {
        var score = ForecastScoring.Score("broken", [(100, double.PositiveInfinity), (200, double.NaN), (0, 0)]);

        Assert.True(double.IsFinite(score.Mape) && double.IsFinite(score.Smape) && double.IsFinite(score.Q80));
        Assert.Equal(1.0, score.Mape, 6);
        Assert.Equal(4.0 / 3, score.Smape, 6);
    }
}
