using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Alerts;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>Per-channel KPI streams: a channel going quiet is seen on its own stream, named, and a channel rule alerts on it.</summary>
public sealed class ChannelStreamTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Amazon_going_quiet_is_an_anomaly_on_its_own_stream_and_a_channel_rule_alerts_once_naming_it()
    {
        var dropFrom = Start.AddDays(4).AddHours(14);
        var dropTo = dropFrom.AddHours(1);
        var storefront = new SyntheticShop(21, busiestOrdersPerMinute: 8) { Channel = SalesChannel.Shopify };
        var amazon = new SyntheticShop(22, busiestOrdersPerMinute: 3) { Channel = SalesChannel.Amazon, Drop = at => at >= dropFrom && at < dropTo ? 0.0 : 1.0 };
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var rule = new AlertRule { Id = "amazon", TenantId = TestEvents.Store.TenantId, Name = "Amazon revenue", Kind = AlertRuleKind.Anomaly, Channel = SalesChannel.Amazon };
        var book = new AlertBook(TestEvents.Store, []);
        var opened = new List<Alert>();
        var closed = new List<ClosedMinute>();
        for (var minute = Start; minute < dropTo.AddHours(2); minute = minute.AddMinutes(1))
        {
            foreach (var order in storefront.OrdersIn(minute).Concat(amazon.OrdersIn(minute)))
            {
                state.Apply(order);
            }

            foreach (var m in monitor.Close(state, minute.AddMinutes(1).AddSeconds(1), "UTC", "GBP"))
            {
                closed.Add(m);
                opened.AddRange(book.Process(m, [rule]).OfType<AlertOpened>().Select(o => o.Alert));
            }
        }

        // Every minute has a reading per store stream and, for each selling channel, revenue, orders and order value.
        var sample = closed[^1];
        Assert.Equal(4 + (2 * 3), sample.Readings.Count);
        Assert.Contains(sample.Readings, r => r.Name == "Revenue on Amazon");
        Assert.Equal(sample.Figures.Revenue, sample.Channels!.Sum(c => c.Figures.Revenue));

        // During the outage Amazon's revenue stream is flagged, with what Amazon usually makes then as expected value.
        var inDrop = closed.Where(m => m.Minute >= dropFrom.AddMinutes(MinuteMonitor.WindowMinutes) && m.Minute < dropTo).ToList();
        var flagged = inDrop.Select(m => m.VerdictOf(KpiStream.Revenue, SalesChannel.Amazon)!).Where(v => v.IsAnomaly || v.Value < v.Lower).ToList();
        Assert.NotEmpty(flagged);
        Assert.All(flagged, v => Assert.Equal(0, v.Value));
        var usual = amazon.RateAt(dropFrom.AddDays(-1)) * 50 * MinuteMonitor.WindowMinutes;
        Assert.InRange(flagged[0].Expected, usual * 0.6, usual * 1.4);

        // One alert, inside the outage, saying which channel, with the 15-minute figure already well under what was expected.
        var alert = Assert.Single(opened, a => a.FiredAt >= Start.AddDays(3));
        Assert.InRange(alert.FiredAt, dropFrom, dropTo);
        Assert.Equal(SalesChannel.Amazon, alert.Figures.Channel);
        Assert.True(alert.Figures.Observed < alert.Figures.Lower, $"{alert.Figures.Observed} not under {alert.Figures.Lower}");
        Assert.StartsWith($"Amazon revenue: Revenue on Amazon over the last 15 minutes is {AlertText.Figure(AlertMetric.Revenue, alert.Figures.Observed, "GBP")}, expected GBP ", alert.Message);
    }

    [Fact]
    public void A_no_orders_rule_on_a_channel_counts_that_channels_silence_while_the_store_still_sells()
    {
        var book = new AlertBook(TestEvents.Store, []);
        var rule = new AlertRule { Id = "quiet", TenantId = TestEvents.Store.TenantId, Name = "Amazon checkout", Kind = AlertRuleKind.NoOrders, WindowMinutes = 20, Channel = SalesChannel.Amazon };
        var fired = new List<Alert>();
        for (var i = 0; i < 30; i++)
        {
            var at = Start.AddMinutes(i);
            var amazonSince = i < 5 ? 0 : i - 4;
            var minute = new ClosedMinute(TestEvents.Store, at, at.UtcDateTime, "UTC", "GBP", new MinuteFigures(80m, 2, 0), MinuteFigures.Zero,
                MinuteFigures.Zero, 0, [],
                [
                    new ChannelMinute(SalesChannel.Shopify, new MinuteFigures(80m, 2, 0), MinuteFigures.Zero, MinuteFigures.Zero, 0),
                    new ChannelMinute(SalesChannel.Amazon, i < 5 ? new MinuteFigures(30m, 1, 0) : MinuteFigures.Zero, MinuteFigures.Zero,
                        new MinuteFigures(30m, 1, 0), amazonSince),
                ]);
            fired.AddRange(book.Process(minute, [rule]).OfType<AlertOpened>().Select(o => o.Alert));
        }

        var alert = Assert.Single(fired);
        Assert.Equal(Start.AddMinutes(25), alert.FiredAt);
        Assert.Equal("Amazon checkout: no orders on Amazon for 20 minutes (the same 20 minutes last week had 20).", alert.Message);
    }
}
