using SalesDash.Engine.Anomalies;

namespace SalesDash.Engine.Tests.Anomalies;

public sealed class SeasonalBaselineTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Estimate_is_the_median_and_scaled_mad_of_the_same_slot_in_previous_seasons()
    {
        var baseline = new SeasonalBaseline(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), seasons: 3);
        double[] atTen = [10, 12, 100];
        for (var day = 0; day < 3; day++)
        {
            baseline.Add(Day1.AddDays(day).AddHours(10), atTen[day]);
            baseline.Add(Day1.AddDays(day).AddHours(11), 7);
        }

        var estimate = baseline.Estimate(Day1.AddDays(3).AddHours(10))!.Value;

        // Median of {10, 12, 100} is 12; deviations {2, 0, 88} have median 2; 1.4826 × 2.
        Assert.Equal(12, estimate.Median);
        Assert.Equal(2.9652, estimate.Spread, 4);
        Assert.Equal(3, estimate.Samples);
        Assert.Equal(3, estimate.Seasons);
        Assert.Equal(7, baseline.Estimate(Day1.AddDays(3).AddHours(11))!.Value.Median);
    }

    [Fact]
    public void Neighbouring_slots_count_as_the_same_time_within_the_radius()
    {
        var baseline = new SeasonalBaseline(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), seasons: 1, slotRadius: 2);
        for (var minute = -3; minute <= 3; minute++)
        {
            baseline.Add(Day1.AddHours(9).AddMinutes(minute), 100 + minute);
        }

        var estimate = baseline.Estimate(Day1.AddDays(1).AddHours(9))!.Value;

        Assert.Equal(5, estimate.Samples);
        Assert.Equal(100, estimate.Median);
    }

    [Fact]
    public void A_gap_leaves_its_slots_missing_instead_of_an_older_laps_values()
    {
        // Two days of hours fit in a ring of 49 slots, so day 3's slots are where day 1's values were written.
        var baseline = new SeasonalBaseline(TimeSpan.FromHours(1), TimeSpan.FromDays(1), seasons: 2);
        foreach (var (day, value) in new[] { (0, 1.0), (1, 2.0), (3, 4.0) })
        {
            for (var hour = 0; hour < 24; hour++)
            {
                baseline.Add(Day1.AddDays(day).AddHours(hour), value);
            }
        }

        var estimate = baseline.Estimate(Day1.AddDays(4).AddHours(5))!.Value;

        // Day 3 (k = 2) was never observed: only day 4 speaks.
        Assert.Equal(1, estimate.Seasons);
        Assert.Equal(1, estimate.Samples);
        Assert.Equal(4, estimate.Median);
        Assert.Null(new SeasonalBaseline(TimeSpan.FromHours(1), TimeSpan.FromDays(1), 2).Estimate(Day1));
    }

    [Fact]
    public void Slots_follow_the_local_clock_across_a_daylight_saving_change()
    {
        var baseline = new SeasonalBaseline(TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), seasons: 1);

        // Monday 09:00 in London before the clocks go forward (UTC+0) and the Monday after (UTC+1).
        baseline.Add(new DateTimeOffset(2026, 3, 23, 9, 0, 0, TimeSpan.Zero), 42);
        baseline.Add(new DateTimeOffset(2026, 3, 23, 10, 0, 0, TimeSpan.Zero), 7);

        var estimate = baseline.Estimate(new DateTimeOffset(2026, 3, 30, 9, 0, 0, TimeSpan.FromHours(1)))!.Value;

        Assert.Equal(42, estimate.Median);
    }
}
