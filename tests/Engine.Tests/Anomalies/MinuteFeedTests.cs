using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Alerts;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Anomalies;

/// <summary>
/// The alert side's view of a store's minutes, fed by what the entity publishes: an idle (passivated) entity publishes
/// nothing, yet "no orders for N minutes" fires once, and the order that wakes it resolves it; gaps are pulled.
/// </summary>
public sealed class MinuteFeedTests
{
    private static readonly DateTimeOffset Start = Utc(2026, 3, 4, 9, 0);

    /// <summary>An order at second 10 of each of the first <paramref name="minutes"/> minutes from <see cref="Start"/>.</summary>
    private static KpiState Trading(int minutes)
    {
        var state = new KpiState(Store);
        for (var i = 0; i < minutes; i++)
        {
            state.Apply(Placed($"o{i}", Start.AddMinutes(i).AddSeconds(10), 10m));
        }

        return state;
    }

    private static StoreMinutes.Pulled Pull(KpiState state, DateTimeOffset now, DateTimeOffset? from = null) =>
        StoreMinutes.Capture(state, from, StoreMinutes.Floor(now).AddMinutes(-1), "UTC", "GBP");

    private static StoreMinutes.MinuteClosed Published(KpiState state, DateTimeOffset minute) =>
        new(Store, "UTC", "GBP", StoreMinutes.MinuteOf(state, minute));

    [Fact]
    public void A_passivated_store_with_no_orders_for_the_window_fires_once_and_the_order_that_wakes_it_resolves_it()
    {
        var state = Trading(30);
        var feed = new MinuteFeed(Store);
        var book = new AlertBook(Store, []);
        var rule = new AlertRuleBuilder { Kind = AlertRuleKind.NoOrders, WindowMinutes = 20 }.Build();
        var effects = new List<AlertEffect>();
        void Judge(FeedStep step)
        {
            Assert.False(step.NeedsPull);
            foreach (var minute in step.Closed)
            {
                effects.AddRange(book.Process(minute, [rule]));
            }
        }

        // The evaluator starts while the store trades, then the entity passivates in minute 31 (last order in minute 29).
        Judge(feed.Pulled(Pull(state, Start.AddMinutes(30))));
        Judge(feed.Closed(Published(state, Start.AddMinutes(30)), Start.AddMinutes(31)));
        Judge(feed.WentIdle(new StoreMinutes.WentIdle(Store, "UTC", "GBP", StoreMinutes.MinuteOf(state, Start.AddMinutes(31)), Start.AddMinutes(31).AddSeconds(5)),
            Start.AddMinutes(31).AddSeconds(5)));
        Assert.True(feed.EntityIdle);

        // Nothing is published while it sleeps; the feed's own clock closes the quiet minutes, each once the grace is past.
        for (var now = Start.AddMinutes(32); now < Start.AddMinutes(60); now = now.AddSeconds(20))
        {
            Judge(feed.Tick(now));
        }

        Assert.Equal(Start.AddMinutes(58), feed.Through);
        var opened = Assert.Single(effects.OfType<AlertOpened>());
        Assert.Equal(Start.AddMinutes(50), opened.Alert.FiredAt);
        Assert.Equal(20m, opened.Alert.Figures.Observed);

        // An order at 10:00:10 wakes the entity (it says so before counting it) and is in the next minute it publishes.
        state.Apply(Placed("late", Start.AddMinutes(60).AddSeconds(10), 25m));
        Judge(feed.Woke(new StoreMinutes.Woke(Store, Start.AddMinutes(60), Start.AddMinutes(60).AddSeconds(9)), Start.AddMinutes(60).AddSeconds(9)));
        Assert.False(feed.EntityIdle);
        Judge(feed.Closed(Published(state, Start.AddMinutes(60)), Start.AddMinutes(61)));
        Assert.Empty(effects.OfType<AlertClosed>());

        // Trade goes on; the alert resolves after the book's clear spell, and nothing fires again.
        for (var i = 61; i < 60 + AlertBook.ClearMinutes; i++)
        {
            state.Apply(Placed($"again-{i}", Start.AddMinutes(i).AddSeconds(10), 25m));
            Judge(feed.Closed(Published(state, Start.AddMinutes(i)), Start.AddMinutes(i + 1)));
        }

        Assert.Single(effects.OfType<AlertOpened>());
        var closed = Assert.Single(effects.OfType<AlertClosed>());
        Assert.Equal(opened.Alert.Id, closed.Alert.Id);
        Assert.Equal(Start.AddMinutes(60 + AlertBook.ClearMinutes), closed.Alert.ResolvedAt);
    }

    [Fact]
    public void Minutes_heard_from_the_entity_are_judged_exactly_as_the_monitor_judges_the_entity_state()
    {
        // Two channels, a dip and sessions: the published path must give the same figures and verdicts as reading the state.
        var shop = new SyntheticShop(seed: 7);
        var state = new KpiState(Store);
        var from = Start.AddDays(-3);
        var to = Start.AddHours(3);
        shop.Run(state, from, to, _ => { });
        var direct = new MinuteMonitor(Store);
        direct.Close(state, Start.AddSeconds(1), "UTC", "GBP");
        var expected = direct.Close(state, to.AddSeconds(1), "UTC", "GBP");

        var feed = new MinuteFeed(Store);
        Assert.False(feed.Pulled(Pull(state, Start.AddSeconds(1), from)).NeedsPull);
        var heard = new List<ClosedMinute>();
        for (var minute = Start; minute < to; minute = minute.AddMinutes(1))
        {
            heard.AddRange(feed.Closed(Published(state, minute), minute.AddMinutes(1)).Closed);
        }

        Assert.Equal(expected.Count, heard.Count);
        Assert.Equal(180, heard.Count);
        foreach (var (want, got) in expected.Zip(heard))
        {
            Assert.Equal((want.Minute, want.Figures, want.Yesterday, want.LastWeek, want.MinutesSinceLastOrder), (got.Minute, got.Figures, got.Yesterday, got.LastWeek, got.MinutesSinceLastOrder));
            Assert.Equal(want.Readings.Select(r => (r.Name, r.Verdict)), got.Readings.Select(r => (r.Name, r.Verdict)));
            Assert.Equal(want.Channels!.Select(c => (c.Channel, c.Figures, c.MinutesSinceLastOrder)), got.Channels!.Select(c => (c.Channel, c.Figures, c.MinutesSinceLastOrder)));
        }
    }

    [Fact]
    public void A_missed_minute_is_pulled_and_the_pull_closes_every_minute_of_the_gap_in_order()
    {
        var state = Trading(40);
        var feed = new MinuteFeed(Store);
        feed.Pulled(Pull(state, Start.AddMinutes(20)));

        // Minutes 20 and 21 were never heard (a lost notice); 22 arrives.
        Assert.True(feed.Closed(Published(state, Start.AddMinutes(22)), Start.AddMinutes(23)).NeedsPull);
        Assert.Equal(Start.AddMinutes(20), feed.PullFrom(Start.AddMinutes(23)));

        var caught = feed.Pulled(Pull(state, Start.AddMinutes(23), feed.PullFrom(Start.AddMinutes(23))));
        Assert.Equal([Start.AddMinutes(20), Start.AddMinutes(21), Start.AddMinutes(22)], caught.Closed.Select(m => m.Minute));
        Assert.All(caught.Closed, m => Assert.Equal(new MinuteFigures(10m, 1, 0), m.Figures));

        // The copy published meanwhile is not judged twice.
        Assert.Empty(feed.Closed(Published(state, Start.AddMinutes(22)), Start.AddMinutes(23)).Closed);
    }

    [Fact]
    public void A_running_entity_that_falls_silent_is_asked_but_an_idle_one_is_not()
    {
        var state = Trading(10);
        var running = new MinuteFeed(Store);
        running.Pulled(Pull(state, Start.AddMinutes(10)));
        Assert.False(running.Tick(Start.AddMinutes(10).AddSeconds(30)).NeedsPull);
        Assert.True(running.Tick(Start.AddMinutes(10 + MinuteFeed.StaleMinutes + 1)).NeedsPull);

        var idle = new MinuteFeed(Store);
        idle.Pulled(Pull(state, Start.AddMinutes(10)));
        idle.WentIdle(new StoreMinutes.WentIdle(Store, "UTC", "GBP", StoreMinutes.MinuteOf(state, Start.AddMinutes(10)), Start.AddMinutes(10)), Start.AddMinutes(10));
        var step = idle.Tick(Start.AddHours(2));
        Assert.False(step.NeedsPull);
        Assert.Equal(Start.AddHours(2).AddMinutes(-2), idle.Through);
    }

    [Fact]
    public void A_went_idle_notice_of_an_earlier_life_that_arrives_after_the_next_life_woke_is_ignored()
    {
        var state = Trading(10);
        var feed = new MinuteFeed(Store);
        feed.Pulled(Pull(state, Start.AddMinutes(10)));

        // Handed off between nodes: the new life's "woke" overtakes the old life's "went idle".
        feed.Woke(new StoreMinutes.Woke(Store, Start.AddMinutes(10), Start.AddMinutes(10).AddSeconds(2)), Start.AddMinutes(10).AddSeconds(2));
        feed.WentIdle(new StoreMinutes.WentIdle(Store, "UTC", "GBP", StoreMinutes.MinuteOf(state, Start.AddMinutes(10)), Start.AddMinutes(10).AddSeconds(1)),
            Start.AddMinutes(10).AddSeconds(3));

        Assert.False(feed.EntityIdle);
        Assert.Empty(feed.Tick(Start.AddMinutes(12)).Closed);
    }

    [Fact]
    public void An_entity_that_comes_back_without_having_said_it_went_idle_is_pulled_for_the_minutes_it_missed()
    {
        var state = Trading(10);
        var feed = new MinuteFeed(Store);
        feed.Pulled(Pull(state, Start.AddMinutes(5)));

        // It crashed in minute 5 and restarted in minute 9: minutes 5-8 may hold journaled events nobody published.
        Assert.True(feed.Woke(new StoreMinutes.Woke(Store, Start.AddMinutes(9), Start.AddMinutes(9)), Start.AddMinutes(9)).NeedsPull);
        var caught = feed.Pulled(Pull(state, Start.AddMinutes(9), feed.PullFrom(Start.AddMinutes(9))));
        Assert.Equal(4, caught.Closed.Count);
        Assert.All(caught.Closed, m => Assert.Equal(1, m.Figures.Orders));
    }
}
