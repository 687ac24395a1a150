using SalesDash.Engine.History;

namespace SalesDash.Engine.Tests.History;

public sealed class HistoryPeriodsParseTests
{
    [Theory]
    [InlineData(null, null, null, PeriodKind.Last30, null, null)]
    [InlineData("last7", null, null, PeriodKind.Last7, null, null)]
    [InlineData(" Last_90_Days ", "", " ", PeriodKind.Last90, null, null)]
    [InlineData("custom", "2026-03-01", "2026-03-31", PeriodKind.Custom, "2026-03-01", "2026-03-31")]
    [InlineData(null, "2026-03-01", "2026-03-31", PeriodKind.Custom, "2026-03-01", "2026-03-31")]
    [InlineData("", "2026-03-05", "2026-03-05", PeriodKind.Custom, "2026-03-05", "2026-03-05")]
    public void A_period_with_its_dates_is_read(string? text, string? from, string? to, PeriodKind kind, string? first, string? last)
    {
        Assert.True(HistoryPeriods.TryParsePeriod(text, from, to, PeriodKind.Last30, out var period));

        Assert.Equal(new DatedPeriod(kind, Date(first), Date(last)), period);
    }

    [Theory]
    [InlineData("last7", "2026-03-01", "2026-03-31")] // dates beside another name would be dropped without a word
    [InlineData("today", null, "2026-03-31")]
    [InlineData("custom", "2026-03-01", null)]
    [InlineData(null, "2026-03-01", null)]
    [InlineData(null, null, "2026-03-31")]
    [InlineData("custom", "2026-03-31", "2026-03-01")]
    [InlineData(null, "2024-01-01", "2026-01-01")] // 732 days
    [InlineData("custom", "01/03/2026", "2026-03-31")]
    [InlineData("fortnight", null, null)]
    public void A_period_that_does_not_say_one_span_is_refused(string? text, string? from, string? to) =>
        Assert.False(HistoryPeriods.TryParsePeriod(text, from, to, PeriodKind.Last30, out _));

    [Fact]
    public void The_longest_custom_period_is_read()
    {
        Assert.True(HistoryPeriods.TryParsePeriod(null, "2024-01-01", "2025-12-31", PeriodKind.Last30, out var period));
        Assert.Equal(HistoryPeriods.MaxCustomDays, period.To!.Value.DayNumber - period.From!.Value.DayNumber + 1);
    }

    [Theory]
    [InlineData(PeriodKind.MonthToDate, "mtd")]
    [InlineData(PeriodKind.Last30, "last30")]
    [InlineData(PeriodKind.Custom, "custom")]
    public void A_period_is_named_as_its_query_would_name_it(PeriodKind kind, string name)
    {
        Assert.Equal(name, new DatedPeriod(kind, null, null).Name);
        Assert.True(HistoryPeriods.TryParsePeriod(name, out var read));
        Assert.Equal(kind, read);
    }

    private static DateOnly? Date(string? text) => text is null ? null : DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
