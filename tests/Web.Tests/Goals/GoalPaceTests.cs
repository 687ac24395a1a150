using SalesDash.Web.Goals;

namespace SalesDash.Web.Tests.Goals;

/// <summary>The pace figures a goal shows, worked out without a host.</summary>
public sealed class GoalPaceTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly DateTimeOffset MonthStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MonthEnd = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Linear_pace_projects_what_is_done_over_the_share_of_time_gone()
    {
        // 10 of 30 days gone, 4,000 taken: on pace for 12,000 against 10,000.
        var pace = GoalPace.Compute(4000m, 10000m, MonthStart, MonthEnd, MonthStart.AddDays(10), London, null);

        Assert.Equal((PaceMethod.Linear, 0.3333m, 12000m, GoalStatus.OnPace, 0.4m),
            (pace.Method, pace.ExpectedFraction, pace.Projected, pace.Status, pace.ProgressRatio));
    }

    [Fact]
    public void Linear_pace_below_target_is_behind()
    {
        var pace = GoalPace.Compute(2000m, 10000m, MonthStart, MonthEnd, MonthStart.AddDays(15), London, null);

        Assert.Equal((4000m, GoalStatus.Behind), (pace.Projected, pace.Status));
    }

    [Fact]
    public void Hourly_profile_expects_nothing_from_hours_the_store_does_not_trade()
    {
        // A store that only trades 09:00-17:00 (London, GMT in November): at 13:00 half the day's trade is expected,
        // where linear would expect 13/24 of it.
        var weights = Enumerable.Range(0, 24).Select(h => h is >= 9 and < 17 ? 1m : 0m).ToArray();
        var day = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

        var pace = GoalPace.Compute(500m, 1200m, day, day.AddDays(1), day.AddHours(13), London, weights);

        Assert.Equal((PaceMethod.HourlyProfile, 0.5m, 1000m, GoalStatus.Behind), (pace.Method, pace.ExpectedFraction, pace.Projected, pace.Status));
        var linear = GoalPace.Compute(500m, 1200m, day, day.AddDays(1), day.AddHours(13), London, null);
        Assert.Equal(0.5417m, linear.ExpectedFraction);
    }

    [Fact]
    public void Hourly_profile_counts_the_hour_now_pro_rata_and_weighs_hours_by_local_time()
    {
        // Summer time: 09:00 London is 08:00 UTC. Only the 09:00 hour trades; at 08:30 UTC half of it is gone.
        var weights = Enumerable.Range(0, 24).Select(h => h == 9 ? 1m : 0m).ToArray();
        var day = new DateTimeOffset(2026, 6, 10, 0, 0, 0, TimeSpan.FromHours(1));

        var pace = GoalPace.Compute(30m, 100m, day, day.AddDays(1), new DateTimeOffset(2026, 6, 10, 8, 30, 0, TimeSpan.Zero), London, weights);

        Assert.Equal((0.5m, 60m), (pace.ExpectedFraction, pace.Projected));
    }

    [Fact]
    public void A_store_without_history_falls_back_to_linear_and_says_so()
    {
        var pace = GoalPace.Compute(10m, 100m, MonthStart, MonthEnd, MonthStart.AddDays(3), London, new decimal[24]);

        Assert.Equal(PaceMethod.Linear, pace.Method);
    }

    [Fact]
    public void Early_in_a_period_nothing_is_called_behind_and_the_end_settles_met_or_missed()
    {
        var early = GoalPace.Compute(0m, 10000m, MonthStart, MonthEnd, MonthStart.AddHours(12), London, null);
        Assert.Equal((GoalStatus.OnPace, 0m), (early.Status, early.Projected));

        Assert.Equal(GoalStatus.NotStarted, GoalPace.Compute(0m, 10m, MonthStart, MonthEnd, MonthStart.AddDays(-1), London, null).Status);
        Assert.Equal(GoalStatus.Met, GoalPace.Compute(10m, 10m, MonthStart, MonthEnd, MonthStart.AddDays(2), London, null).Status);
        var missed = GoalPace.Compute(9m, 10m, MonthStart, MonthEnd, MonthEnd.AddHours(1), London, null);
        Assert.Equal((GoalStatus.Missed, 9m), (missed.Status, missed.Projected));
    }

    [Fact]
    public void Week_goals_run_monday_to_sunday_in_the_store_zone_and_custom_ones_include_both_dates()
    {
        var goal = new Goal("g", "acme", "uk-shop", "Week", GoalMetric.Orders, 10m, GoalPeriod.Week, null, null, PaceMethod.Linear, false, MonthStart);
        // Wednesday 25 November 2026, 15:30 UTC.
        var now = new DateTimeOffset(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        Assert.Equal((new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 5, 0, 0, TimeSpan.Zero)),
            GoalPeriods.Window(goal, now, newYork));
        var sale = goal with { Period = GoalPeriod.Custom, From = new DateOnly(2026, 11, 27), To = new DateOnly(2026, 11, 30) };
        Assert.Equal((new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)),
            GoalPeriods.Window(sale, now, London));
    }
}
