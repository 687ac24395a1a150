namespace SalesDash.EndToEnd.Tests.Hosting;

public sealed class UtcDayTests
{
    [Theory]
    [InlineData("2026-12-08T12:00:00Z", 0)]
    [InlineData("2026-12-07T23:57:59Z", 0)]
    [InlineData("2026-12-07T23:58:30Z", 210)]
    [InlineData("2026-12-07T23:59:59Z", 121)]
    [InlineData("2026-12-08T00:00:00Z", 120)]
    [InlineData("2026-12-08T00:00:30Z", 90)]
    [InlineData("2026-12-08T00:02:00Z", 0)]
    public void A_test_near_midnight_waits_until_it_is_the_margin_away_from_it(string now, int seconds)
    {
        var wait = UtcDay.WaitFrom(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(TimeSpan.FromSeconds(seconds), wait);
    }

    [Fact]
    public void The_zone_of_the_instant_does_not_matter_only_its_utc_time_of_day()
    {
        // 01:59:00 in UTC+2 is 23:59:00 UTC: one minute to midnight, so the wait is that minute and the margin.
        Assert.Equal(TimeSpan.FromMinutes(3), UtcDay.WaitFrom(new DateTimeOffset(2026, 12, 8, 1, 59, 0, TimeSpan.FromHours(2))));
    }
}
