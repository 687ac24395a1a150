using SalesDash.Web.Reports;

namespace SalesDash.Web.Tests.Reports;

/// <summary>Send times stay on the zone's wall clock across DST; each send covers the complete period before it.</summary>
public sealed class ReportScheduleTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void Daily_send_stays_at_seven_local_across_the_spring_change()
    {
        var before = new DateTimeOffset(2027, 3, 27, 7, 30, 0, TimeSpan.Zero);
        var saturday = ReportSchedule.NextSend(ReportPeriod.Daily, new TimeOnly(7, 0), London, new DateTimeOffset(2027, 3, 26, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 3, 27, 7, 0, 0, TimeSpan.Zero), saturday);

        // Sunday 28 March 2027 London moves to BST: 07:00 local is 06:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 6, 0, 0, TimeSpan.Zero), ReportSchedule.NextSend(ReportPeriod.Daily, new TimeOnly(7, 0), London, before));
    }

    [Fact]
    public void A_send_time_skipped_by_the_clock_change_goes_when_the_clock_moves_past_it_and_a_repeated_one_goes_once()
    {
        var gap = ReportSchedule.NextSend(ReportPeriod.Daily, new TimeOnly(1, 30), London, new DateTimeOffset(2027, 3, 27, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), gap);

        // 31 October 2027, 01:30 happens twice in London; the first is 00:30 UTC.
        var twice = ReportSchedule.NextSend(ReportPeriod.Daily, new TimeOnly(1, 30), London, new DateTimeOffset(2027, 10, 30, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 10, 31, 0, 30, 0, TimeSpan.Zero), twice);
        var next = ReportSchedule.NextSend(ReportPeriod.Daily, new TimeOnly(1, 30), London, twice);
        Assert.Equal(new DateTimeOffset(2027, 11, 1, 1, 30, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Weekly_goes_on_monday_for_the_week_before_and_monthly_on_the_first_for_the_month_before()
    {
        // Wednesday 25 November 2026, 10:30 in New York.
        var now = new DateTimeOffset(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 13, 0, 0, TimeSpan.Zero), ReportSchedule.NextSend(ReportPeriod.Weekly, new TimeOnly(8, 0), NewYork, now));
        Assert.Equal((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22)), ReportSchedule.CoveredPeriod(ReportPeriod.Weekly, NewYork, now));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.Zero), ReportSchedule.NextSend(ReportPeriod.Monthly, new TimeOnly(8, 0), NewYork, now));
        Assert.Equal((new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31)), ReportSchedule.CoveredPeriod(ReportPeriod.Monthly, NewYork, now));
        Assert.Equal((new DateOnly(2026, 11, 24), new DateOnly(2026, 11, 24)), ReportSchedule.CoveredPeriod(ReportPeriod.Daily, NewYork, now));
    }
}
