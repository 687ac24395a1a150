using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Alerts;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>The entity's minute monitor: minutes close by the clock, streams are judged, and a rebuild gives the live verdicts.</summary>
public sealed class MinuteMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Minutes_close_when_the_clock_completes_them_not_when_events_arrive()
    {
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        state.Apply(TestEvents.Placed("a", Start.AddSeconds(10), 40m, zone: "UTC"));
        state.Apply(TestEvents.Placed("b", Start.AddSeconds(50), 35.50m, zone: "UTC"));

        // Still inside the first minute: nothing is complete yet.
        Assert.Empty(monitor.Close(state, Start.AddSeconds(59), "UTC", "GBP"));

        var first = Assert.Single(monitor.Close(state, Start.AddMinutes(1), "UTC", "GBP"));
        Assert.Equal(Start, first.Minute);
        Assert.Equal(new MinuteFigures(75.50m, 2, 0), first.Figures);
        Assert.Equal(0, first.MinutesSinceLastOrder);

        // Twenty quiet minutes later, with no event at all, every one of them closes with zero and the silence is counted.
        var quiet = monitor.Close(state, Start.AddMinutes(21).AddSeconds(5), "UTC", "GBP");
        Assert.Equal(20, quiet.Count);
        Assert.All(quiet, m => Assert.Equal(MinuteFigures.Zero, m.Figures));
        Assert.Equal(Start.AddMinutes(20), quiet[^1].Minute);
        Assert.Equal(20, quiet[^1].MinutesSinceLastOrder);
        Assert.Equal(quiet.Select(m => m.Minute), monitor.Since(first.Minute).Select(m => m.Minute));
    }

    [Fact]
    public void A_revenue_slump_is_flagged_with_what_was_expected_and_the_band()
    {
        var dropFrom = Start.AddDays(4).AddHours(14);
        var dropTo = dropFrom.AddHours(1);
        var shop = new SyntheticShop(7, busiestOrdersPerMinute: 5) { Drop = at => at >= dropFrom && at < dropTo ? 0.1 : 1.0 };
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var closed = new List<ClosedMinute>();
        shop.Run(state, Start, dropTo.AddHours(2), now => closed.AddRange(monitor.Close(state, now, "UTC", "GBP")));

        var revenue = closed.Select(m => (m.Minute, Verdict: m.VerdictOf(KpiStream.Revenue)!, m.Figures)).ToList();

        // What the dashboard would say: within half an hour the 15-minute revenue has been under the detector's band for
        // ten minutes running (what an anomaly rule fires on), with the usual level as the expected value.
        var firstRun = FirstRunBelowBand(revenue.Where(r => r.Minute >= dropFrom && r.Minute < dropTo).Select(r => (r.Minute, r.Verdict)));
        Assert.NotNull(firstRun);
        var (at, verdict) = firstRun.Value;
        Assert.True(at < dropFrom.AddMinutes(30), $"ten minutes under the band only at {at:HH:mm}");
        var usual = shop.RateAt(at) / 0.1 * 50 * verdict.WindowMinutes;
        Assert.InRange(verdict.Expected, usual * 0.7, usual * 1.3);
        Assert.True(verdict.Value < verdict.Lower && verdict.Lower < verdict.Expected && verdict.Expected < verdict.Upper);

        // The same hours the day before are ordinary: no such run.
        Assert.Null(FirstRunBelowBand(revenue.Where(r => r.Minute >= dropFrom.AddDays(-1) && r.Minute < dropTo.AddDays(-1)).Select(r => (r.Minute, r.Verdict))));
    }

    [Fact]
    public void Half_the_orders_lost_for_an_hour_is_an_orders_and_revenue_anomaly_over_the_drop_window()
    {
        // A loss the 15-minute streams barely see (half the orders, at about 3 a minute) is found by the drop test over
        // its longer window, once, and the verdict carries that window's figures.
        var dropFrom = Start.AddDays(4).AddHours(13);
        var dropTo = dropFrom.AddHours(1);
        var shop = new SyntheticShop(8, busiestOrdersPerMinute: 3) { Drop = at => at >= dropFrom && at < dropTo ? 0.5 : 1.0 };
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var closed = new List<ClosedMinute>();
        shop.Run(state, Start, dropTo.AddHours(1), now => closed.AddRange(monitor.Close(state, now, "UTC", "GBP")));

        var longer = closed.Select(m => (m.Minute, Orders: m.VerdictOf(KpiStream.Orders)!, Revenue: m.VerdictOf(KpiStream.Revenue)!))
            .Where(m => m.Orders.WindowMinutes != MinuteMonitor.WindowMinutes)
            .ToList();
        var (at, orders, revenue) = Assert.Single(longer);
        Assert.InRange(at, dropFrom, dropTo);
        Assert.True(orders.IsAnomaly && orders.Value < orders.Lower && orders.Lower < orders.Expected, $"{orders}");
        Assert.InRange(orders.WindowMinutes, 1, new OrderDropOptions().WindowsMinutes.Max());
        Assert.True(revenue.IsAnomaly && revenue.Value < revenue.Expected && revenue.WindowMinutes == orders.WindowMinutes, $"{revenue}");
    }

    [Fact]
    public void Every_stream_is_judged_by_the_likelihood_ensemble_as_that_class_alone_would()
    {
        var shop = new SyntheticShop(13);
        var state = new KpiState(TestEvents.Store);
        var monitor = new MinuteMonitor(TestEvents.Store);
        var closed = new List<ClosedMinute>();
        shop.Run(state, Start, Start.AddDays(3).AddHours(12), now => closed.AddRange(monitor.Close(state, now, "UTC", "GBP")));

        // Orders are fed with one order as the arrival size, conversion with none: the ensemble run alone on the same
        // minutes gives every verdict the monitor gave, likelihood included.
        var robustLarger = 0;
        foreach (var (stream, size) in new[] { (KpiStream.Orders, 1.0), (KpiStream.ConversionRate, 0.0) })
        {
            var alone = new LikelihoodEnsemble(MinuteMonitor.DefaultOptions);
            for (var i = 0; i < closed.Count; i++)
            {
                var verdict = closed[i].VerdictOf(stream)!;
                var at = new DateTimeOffset(closed[i].LocalMinute, TimeSpan.Zero);

                // A minute the drop test marked carries its longer window's figures: the stream was fed its 15 minutes.
                var marked = verdict.WindowMinutes != MinuteMonitor.WindowMinutes;
                var value = stream == KpiStream.Orders
                    ? closed.Skip(Math.Max(0, i - MinuteMonitor.WindowMinutes + 1)).Take(Math.Min(i + 1, MinuteMonitor.WindowMinutes)).Sum(m => (double)m.Figures.Orders)
                    : verdict.Value;
                var judged = alone.Judge(at, value, size);
                if (!marked)
                {
                    Assert.Equal(judged, verdict);
                }

                robustLarger += alone.LastScore.RobustLikelihood > alone.LastScore.KpiLikelihood ? 1 : 0;
            }
        }

        // The robust half is there and has the say on some minutes.
        Assert.True(robustLarger > 0);
    }

    private static (DateTimeOffset Minute, SalesDash.Engine.Anomalies.AnomalyVerdict Verdict)? FirstRunBelowBand(
        IEnumerable<(DateTimeOffset Minute, SalesDash.Engine.Anomalies.AnomalyVerdict Verdict)> minutes)
    {
        var run = 0;
        foreach (var m in minutes)
        {
            run = m.Verdict.Value < m.Verdict.Lower ? run + 1 : 0;
            if (run == AlertBook.SustainedMinutes)
            {
                return m;
            }
        }

        return null;
    }

    [Fact]
    public void Detectors_rebuilt_from_the_buckets_after_recovery_give_the_verdicts_of_the_live_run()
    {
        var shop = new SyntheticShop(11);
        var state = new KpiState(TestEvents.Store);
        var live = new MinuteMonitor(TestEvents.Store);
        // Longer than the rebuild replays (WarmUp), so the rebuilt detectors start from a truncated history.
        var end = Start.AddDays(6).AddHours(15);
        Assert.True(end - Start > MinuteMonitor.WarmUp);
        shop.Run(state, Start, end, now => live.Close(state, now, "UTC", "GBP"));

        // A recovered entity has the same buckets (from its snapshot) and rebuilds its monitor off its thread from a copy.
        var recovered = KpiState.FromSnapshot(TestEvents.Store, state.ToSnapshot());
        var rebuilt = MinuteMonitor.Rebuild(MinuteMonitor.Capture(recovered, end.AddSeconds(1)), end.AddSeconds(1), "UTC", "GBP");
        var newest = live.Since(null)[^1];
        var replayed = rebuilt.Since(null)[^1];
        Assert.Equal((newest.Minute, newest.Figures, newest.MinutesSinceLastOrder), (replayed.Minute, replayed.Figures, replayed.MinutesSinceLastOrder));
        Assert.Equal(newest.Readings, replayed.Readings);

        // From then on both judge every new minute alike, the slump included.
        var more = new SyntheticShop(12) { Drop = at => at >= end.AddMinutes(30) ? 0.1 : 1.0 };
        var liveMinutes = new List<ClosedMinute>();
        var rebuiltMinutes = new List<ClosedMinute>();
        more.Run(state, end, end.AddHours(2), now => liveMinutes.AddRange(live.Close(state, now, "UTC", "GBP")));
        more = new SyntheticShop(12) { Drop = at => at >= end.AddMinutes(30) ? 0.1 : 1.0 };
        more.Run(recovered, end, end.AddHours(2), now => rebuiltMinutes.AddRange(rebuilt.Close(recovered, now, "UTC", "GBP")));
        Assert.Equal(120, liveMinutes.Count);
        Assert.Equal(liveMinutes.Select(m => (m.Minute, m.Figures)), rebuiltMinutes.Select(m => (m.Minute, m.Figures)));
        Assert.Equal(liveMinutes.SelectMany(m => m.Readings), rebuiltMinutes.SelectMany(m => m.Readings));
    }
}
