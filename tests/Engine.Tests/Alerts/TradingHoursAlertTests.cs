using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Tests.Alerts;

/// <summary>The default no-orders rule counts silence only while the store trades, in the store's own time.</summary>
public sealed class TradingHoursAlertTests
{
    // 21:00 store-local (UTC+1) on an evening; the last order came at 21:40 and nothing after it until the morning.
    private static readonly DateTimeOffset Evening = new(2026, 3, 4, 20, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Offset = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset LastOrder = Evening.AddMinutes(40);

    private static ClosedMinute Minute(DateTimeOffset at) =>
        new(TestEvents.Store, at, (at + Offset).UtcDateTime, "Europe/Paris", "EUR", MinuteFigures.Zero, MinuteFigures.Zero, MinuteFigures.Zero,
            (int)(at.AddMinutes(1) - LastOrder).TotalMinutes, []);

    private static AlertRule Rule(bool duringTradingHours, TradingHours? hours = null) => new()
    {
        Id = "no-orders", TenantId = TestEvents.Store.TenantId, StoreId = TestEvents.Store.StoreId, Name = "No orders", Kind = AlertRuleKind.NoOrders,
        WindowMinutes = 30, DuringTradingHours = duringTradingHours, TradingHours = hours,
    };

    /// <summary>Feeds the night minute by minute (the minutes are the clock) and returns when each alert fired, store-local.</summary>
    private static List<DateTime> FiredLocal(AlertRule rule, int minutes)
    {
        var book = new AlertBook(TestEvents.Store, []);
        var fired = new List<DateTime>();
        for (var i = 0; i < minutes; i++)
        {
            fired.AddRange(book.Process(Minute(Evening.AddMinutes(i)), [rule]).OfType<AlertOpened>().Select(o => (o.Alert.FiredAt + Offset).UtcDateTime));
        }

        return fired;
    }

    [Fact]
    public void Silence_after_closing_fires_nothing_and_the_morning_fires_only_after_thirty_open_minutes()
    {
        // 21:00 to 09:00 local: 12 hours.
        var fired = FiredLocal(Rule(duringTradingHours: true), 12 * 60);
        Assert.Equal([new DateTime(2026, 3, 5, 8, 30, 0)], fired);
    }

    [Fact]
    public void The_same_silence_without_trading_hours_fires_in_the_evening()
    {
        // The contrast: a plain no-orders rule fires at 22:10 local, thirty minutes after the last order.
        var fired = FiredLocal(Rule(duringTradingHours: false), 12 * 60);
        Assert.Equal(new DateTime(2026, 3, 4, 22, 10, 0), fired[0]);
    }

    [Fact]
    public void A_store_trading_past_midnight_counts_its_late_hours()
    {
        // Open 18:00 to 02:00: silence from 21:40 fires at 22:10, and nothing fires during the closed morning.
        var fired = FiredLocal(Rule(duringTradingHours: true, new TradingHours(new TimeOnly(18, 0), new TimeOnly(2, 0))), 12 * 60);
        Assert.Equal([new DateTime(2026, 3, 4, 22, 10, 0)], fired);
    }

    [Theory]
    [InlineData("08:00", "22:00", "07:59", false)]
    [InlineData("08:00", "22:00", "08:00", true)]
    [InlineData("08:00", "22:00", "22:00", false)]
    [InlineData("18:00", "02:00", "01:30", true)]
    [InlineData("18:00", "02:00", "12:00", false)]
    public void Trading_hours_contain_their_opening_minute_and_not_their_closing_one(string opens, string closes, string at, bool open) =>
        Assert.Equal(open, new TradingHours(TimeOnly.Parse(opens, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(closes, System.Globalization.CultureInfo.InvariantCulture))
            .Contains(TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}
