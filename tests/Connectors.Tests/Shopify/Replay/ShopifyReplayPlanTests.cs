using System.Globalization;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.Shopify.Replay;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Tests.Shopify.Replay;

public sealed class ShopifyReplayPlanTests(RetailDataFixture data) : IClassFixture<RetailDataFixture>
{
    private static readonly DateOnly Day = new(2025, 6, 17);

    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static readonly StoreProfile Store = new(
        new StoreRef("demo", "uk"), "Demo UK", SalesChannel.Shopify, "demo-uk.myshopify.com", "GBP", "Europe/London", "shpss_demo");

    private static ShopifyReplayOptions Options(int hourShift = 0) => ShopifyReplayOptions.For(Store, hourShift);

    private ReplayDay Build(DateOnly date, ShopifyReplayOptions? options = null) =>
        new ShopifyReplayPlan(data.Lines).Build(date, options ?? Options());

    private static JsonObject Body(ReplayWebhook webhook) => JsonNode.Parse(webhook.Body)!.AsObject();

    private static decimal Money(JsonNode? node) => decimal.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>orders/create deliveries without their retries: one per order.</summary>
    private static List<ReplayWebhook> Creates(ReplayDay day) =>
        [.. day.Webhooks.Where(w => w.Topic == ShopifyTopics.OrdersCreate).DistinctBy(w => w.WebhookId)];

    private static List<ReplayWebhook> Refunds(ReplayDay day) => [.. day.Webhooks.Where(w => w.Topic == ShopifyTopics.RefundsCreate)];

    [Fact]
    public void Same_date_and_options_give_byte_identical_webhooks()
    {
        var first = Build(Day);
        var second = new ShopifyReplayPlan(data.Lines.Reverse().ToList()).Build(Day, Options());

        Assert.True(first.Webhooks.Count > 1000, $"only {first.Webhooks.Count} webhooks");
        Assert.Equal(first.Webhooks.Count, second.Webhooks.Count);
        for (var i = 0; i < first.Webhooks.Count; i++)
        {
            var (a, b) = (first.Webhooks[i], second.Webhooks[i]);
            Assert.Equal((a.DueAt, a.Topic, a.WebhookId, a.ShopDomain), (b.DueAt, b.Topic, b.WebhookId, b.ShopDomain));
            Assert.Equal(a.Body, b.Body);
        }
    }

    [Fact]
    public void Eight_consecutive_dates_replay_every_trading_day_exactly_once()
    {
        var plan = new ShopifyReplayPlan(data.Lines);
        var folded = Enumerable.Range(0, 8).SelectMany(d => plan.DatasetDaysFor(Day.AddDays(d))).ToList();

        Assert.Equal(305, plan.TradingDays.Count);
        Assert.Equal(plan.TradingDays.Order(), folded.Order());
        Assert.Equal(plan.DatasetDaysFor(Day), plan.DatasetDaysFor(Day.AddDays(8)));
        Assert.InRange(plan.DatasetDaysFor(Day).Count, 38, 39);
    }

    [Fact]
    public void Order_and_webhook_ids_are_unique_within_a_day_and_differ_between_dates_replaying_the_same_trade()
    {
        var today = Build(Day);
        var nextCycle = Build(Day.AddDays(8));

        var todayOrderIds = Creates(today).Select(w => Body(w)["id"]!.GetValue<long>()).ToList();
        Assert.Equal(todayOrderIds.Count, todayOrderIds.Distinct().Count());
        Assert.Equal(today.Webhooks.Count - today.Webhooks.Count(w => w.Topic == ShopifyTopics.OrdersCreate) + Creates(today).Count,
            today.Webhooks.Select(w => w.WebhookId).Distinct().Count());

        Assert.Equal(Creates(today).Select(w => Body(w)["name"]!.GetValue<string>()), Creates(nextCycle).Select(w => Body(w)["name"]!.GetValue<string>()));
        Assert.Empty(todayOrderIds.Intersect(Creates(nextCycle).Select(w => Body(w)["id"]!.GetValue<long>())));
        Assert.Empty(today.Webhooks.Select(w => w.WebhookId).Intersect(nextCycle.Webhooks.Select(w => w.WebhookId)));
    }

    [Fact]
    public void Webhooks_come_in_due_order_all_on_the_demo_date_for_the_shop()
    {
        var day = Build(Day);

        Assert.All(day.Webhooks.Zip(day.Webhooks.Skip(1)), pair => Assert.True(pair.First.DueAt <= pair.Second.DueAt));
        Assert.All(day.Webhooks, w => Assert.Equal(Day, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(w.DueAt, London).DateTime)));
        Assert.All(day.Webhooks, w => Assert.Equal("demo-uk.myshopify.com", w.ShopDomain));
    }

    [Fact]
    public void Every_invoice_of_the_folded_days_appears_exactly_once_as_an_order_a_refund_or_a_skip()
    {
        var day = Build(Day);
        var expected = data.LinesFoldedOnto(Day).Select(l => l.InvoiceNo).Distinct().Order(StringComparer.Ordinal).ToList();

        var orders = Creates(day).Select(w => Body(w)["name"]!.GetValue<string>().TrimStart('#'));
        var refunds = Refunds(day).Select(w => Body(w)["note"]!.GetValue<string>().Replace("Cancellation ", string.Empty, StringComparison.Ordinal));
        var skipped = day.Skipped.Select(s => s.InvoiceNo);
        var seen = orders.Concat(refunds).Concat(skipped).ToList();

        Assert.Equal(expected, seen.Order(StringComparer.Ordinal));
        Assert.All(day.Skipped, s => Assert.Contains("stock adjustment", s.Reason, StringComparison.Ordinal));
        Assert.All(day.Skipped, s => Assert.All(data.Lines.Where(l => l.InvoiceNo == s.InvoiceNo), l => Assert.True(l.Quantity <= 0)));
    }

    [Fact]
    public void Plan_totals_equal_a_direct_sum_over_the_raw_lines_to_the_cent()
    {
        var day = Build(Day);
        var raw = data.LinesFoldedOnto(Day);
        var sales = raw.Where(l => !l.InvoiceNo.StartsWith('C') && l.Quantity > 0).ToList();
        var returns = raw.Where(l => l.InvoiceNo.StartsWith('C')).ToList();

        var bodies = Creates(day).Select(Body).ToList();
        var refundBodies = Refunds(day).Select(Body).ToList();

        Assert.Equal(Math.Round(sales.Sum(l => l.Quantity * l.UnitPrice), 2), bodies.Sum(b => Money(b["total_price"])));
        Assert.Equal(Math.Round(sales.Sum(l => l.Quantity * l.UnitPrice), 2), bodies.Sum(b => Money(b["subtotal_price"])));
        Assert.Equal(sales.Select(l => l.InvoiceNo).Distinct().Count(), bodies.Count);
        Assert.Equal(sales.Sum(l => l.Quantity), bodies.Sum(b => b["line_items"]!.AsArray().Sum(i => i!["quantity"]!.GetValue<int>())));
        Assert.Equal(Math.Round(returns.Sum(l => -l.Quantity * l.UnitPrice), 2), refundBodies.Sum(b => Money(b["transactions"]![0]!["amount"])));
        Assert.Equal(returns.Select(l => l.InvoiceNo).Distinct().Count(), refundBodies.Count);
        Assert.All(bodies, b => Assert.Equal("GBP", b["currency"]!.GetValue<string>()));
        Assert.All(bodies, b => Assert.Equal("0.00", b["total_tax"]!.GetValue<string>()));
    }

    [Fact]
    public void Order_body_is_shaped_like_a_Shopify_order()
    {
        var day = Build(Day);
        var (webhook, lines) = Creates(day)
            .Select(w => (Webhook: w, Lines: data.Lines.Where(l => "#" + l.InvoiceNo == Body(w)["name"]!.GetValue<string>()).ToList()))
            .First(x => x.Lines.Count > 2 && x.Lines[0].CustomerId is not null && x.Lines[0].Country == "United Kingdom");
        var body = Body(webhook);
        var first = lines[0];

        Assert.Equal((Day.DayNumber * 10_000_000L) + long.Parse(first.InvoiceNo, CultureInfo.InvariantCulture), body["id"]!.GetValue<long>());
        Assert.Equal(long.Parse(first.InvoiceNo, CultureInfo.InvariantCulture), body["order_number"]!.GetValue<long>());
        Assert.Equal(webhook.DueAt, Time(body["created_at"]));
        Assert.Equal(Time(body["created_at"]), Time(body["updated_at"]));
        Assert.Equal(first.CustomerId, body["customer"]!["id"]!.GetValue<long>());
        Assert.Equal("GB", body["shipping_address"]!["country_code"]!.GetValue<string>());
        Assert.Equal(first.Country, body["billing_address"]!["country"]!.GetValue<string>());
        var items = body["line_items"]!.AsArray();
        Assert.Equal(lines.Select(l => l.StockCode), items.Select(i => i!["sku"]!.GetValue<string>()));
        Assert.Equal(lines.Select(l => l.Quantity), items.Select(i => i!["quantity"]!.GetValue<int>()));
        Assert.Equal(lines.Select(l => l.UnitPrice), items.Select(i => Money(i!["price"])));
        Assert.Equal(lines.Select(l => l.Description), items.Select(i => i!["title"]!.GetValue<string>()));
    }

    [Fact]
    public void Guests_get_no_customer_and_unknown_countries_no_code()
    {
        var bodies = Creates(Build(Day)).Select(Body).ToList();
        var raw = data.LinesFoldedOnto(Day).Where(l => !l.IsCancellation && l.Quantity > 0).GroupBy(l => l.InvoiceNo).ToDictionary(g => "#" + g.Key, g => g.First());

        var guests = bodies.Where(b => b["customer"] is null).ToList();
        Assert.Equal(raw.Values.Count(l => l.CustomerId is null), guests.Count);
        Assert.NotEmpty(guests);

        var byCountry = bodies.ToLookup(b => raw[b["name"]!.GetValue<string>()].Country);
        Assert.All(byCountry["EIRE"], b => Assert.Equal("IE", b["shipping_address"]!["country_code"]!.GetValue<string>()));
        Assert.All(byCountry["Unspecified"].Concat(byCountry["Channel Islands"]), b => Assert.Null(b["shipping_address"]!["country_code"]));
        Assert.NotEmpty(byCountry["EIRE"]);
    }

    [Fact]
    public void Invoice_keeps_its_time_of_day_in_the_store_zone()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var day = Build(Day, Options() with { TimeZone = newYork });
        var raw = data.LinesFoldedOnto(Day).GroupBy(l => l.InvoiceNo).ToDictionary(g => g.Key, g => g.Min(l => l.InvoiceDate));

        Assert.All(Creates(day), w =>
        {
            var created = Time(Body(w)["created_at"]);
            var dataTime = raw[Body(w)["name"]!.GetValue<string>().TrimStart('#')];
            Assert.Equal(TimeSpan.FromHours(-4), created.Offset);
            Assert.Equal(dataTime.TimeOfDay, created.TimeOfDay);
            Assert.Equal(Day, DateOnly.FromDateTime(created.DateTime));
            Assert.Equal(w.DueAt, created);
        });
    }

    [Fact]
    public void HourShift_moves_every_invoice_by_whole_hours_wrapping_within_the_day()
    {
        var day = Build(Day, Options(hourShift: 5));
        var raw = data.LinesFoldedOnto(Day).GroupBy(l => l.InvoiceNo).ToDictionary(g => g.Key, g => g.Min(l => l.InvoiceDate));

        var shifted = Creates(day).Select(w => (Data: raw[Body(w)["name"]!.GetValue<string>().TrimStart('#')], Local: Time(Body(w)["created_at"]))).ToList();

        Assert.All(shifted, s => Assert.Equal(TimeSpan.FromHours((s.Data.Hour + 5) % 24) + TimeSpan.FromMinutes(s.Data.Minute), s.Local.TimeOfDay));
        Assert.All(shifted, s => Assert.Equal(Day, DateOnly.FromDateTime(s.Local.DateTime)));
        Assert.Contains(shifted, s => s.Data.Hour >= 19 && s.Local.Hour < 5);
    }

    [Fact]
    public void A_customers_second_order_of_the_day_makes_them_returning()
    {
        var day = Build(Day);
        var byCustomer = Creates(day)
            .Select(w => (Webhook: w, Body: Body(w)))
            .Where(x => x.Body["customer"] is not null)
            .GroupBy(x => x.Body["customer"]!["id"]!.GetValue<long>())
            .Where(g => g.Count() >= 2)
            .ToList();

        Assert.NotEmpty(byCustomer);
        Assert.All(byCustomer, g => Assert.Equal(Enumerable.Range(1, g.Count()), g.Select(x => x.Body["customer"]!["orders_count"]!.GetValue<int>())));

        var repeat = byCustomer[0].ToList();
        var first = Normalize(repeat[0].Webhook).OfType<OrderPlaced>().Single();
        var second = Normalize(repeat[1].Webhook).OfType<OrderPlaced>().Single();
        Assert.Equal(first.CustomerId, second.CustomerId);
        Assert.False(first.ReturningCustomer);
        Assert.True(second.ReturningCustomer);
    }

    [Fact]
    public void Refund_points_at_the_customers_latest_earlier_order_or_else_an_id_no_order_has()
    {
        var day = Build(Day);
        var customerOf = data.Lines.GroupBy(l => l.InvoiceNo).ToDictionary(g => g.Key, g => g.First().CustomerId);
        var lastOrder = new Dictionary<long, long>();
        var orderIds = Creates(day).Select(w => Body(w)["id"]!.GetValue<long>()).ToHashSet();
        var linked = 0;

        foreach (var webhook in day.Webhooks.DistinctBy(w => w.WebhookId))
        {
            var body = Body(webhook);
            if (webhook.Topic == ShopifyTopics.OrdersCreate && body["customer"] is { } customer)
            {
                lastOrder[customer["id"]!.GetValue<long>()] = body["id"]!.GetValue<long>();
            }
            else if (webhook.Topic == ShopifyTopics.RefundsCreate)
            {
                var invoice = body["note"]!.GetValue<string>()["Cancellation ".Length..];
                var orderId = body["order_id"]!.GetValue<long>();
                if (customerOf[invoice] is { } buyer && lastOrder.TryGetValue(buyer, out var expected))
                {
                    Assert.Equal(expected, orderId);
                    linked++;
                }
                else
                {
                    Assert.DoesNotContain(orderId, orderIds);
                }

                Assert.Equal(Money(body["transactions"]![0]!["amount"]), body["refund_line_items"]!.AsArray().Sum(i => Money(i!["subtotal"])));
            }
        }

        Assert.True(linked > 0, "no refund in the day followed an order by the same customer");
    }

    [Fact]
    public void Retries_and_updates_are_in_the_plan_and_change_no_figure_once_deduplicated()
    {
        var day = Build(Day);

        var retries = day.Webhooks.GroupBy(w => w.WebhookId).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, g => Assert.Equal(2, g.Count()));
        Assert.All(retries, g => Assert.Equal(g.First().Body, g.Last().Body));

        var creates = Creates(day).ToDictionary(w => Body(w)["id"]!.GetValue<long>(), Body);
        var updates = day.Webhooks.Where(w => w.Topic == ShopifyTopics.OrdersUpdated).ToList();
        Assert.NotEmpty(updates);
        Assert.All(updates, u =>
        {
            var body = Body(u);
            var created = creates[body["id"]!.GetValue<long>()];
            Assert.Equal(created["total_price"]!.GetValue<string>(), body["total_price"]!.GetValue<string>());
            Assert.True(Time(body["updated_at"]) > Time(created["updated_at"]));
            Assert.Equal(u.DueAt, Time(body["updated_at"]));
        });

        var tiles = TileFold.Apply(day.Webhooks.SelectMany(Normalize));
        var expected = ReplayOracle.ForDate(data.Lines, Day);
        var naive = day.Webhooks.Where(w => w.Topic != ShopifyTopics.RefundsCreate).Sum(w => Money(Body(w)["total_price"]));

        Assert.Equal(expected.GrossRevenue, tiles.Gross);
        Assert.Equal(expected.Orders, tiles.Orders);
        Assert.Equal(expected.Units, tiles.Units);
        Assert.Equal(expected.Refunds, tiles.Refunds);
        Assert.Equal(expected.ReturningCustomerOrders, tiles.Returning);
        Assert.True(naive > tiles.Gross, "without dedupe the figures would have been inflated");
    }

    [Fact]
    public void Every_webhook_of_the_plan_normalises_cleanly()
    {
        var day = Build(Day);

        Assert.All(day.Webhooks, w => Assert.IsType<ShopifyNormalizeResult.Ok>(
            ShopifyWebhookNormalizer.Normalize(w.Topic, w.Body, new ShopifyDelivery(w.WebhookId, w.DueAt), Store)));
    }

    [Fact]
    public void Spring_forward_day_in_London_keeps_times_valid_and_in_order()
    {
        // 2025-03-30: at 01:00 GMT London clocks jump to 02:00 BST. A −7 h shift puts the data's 08:xx trade at 01:xx,
        // a wall-clock hour that does not exist that day; those orders are due the moment the clocks jump.
        var springDay = new DateOnly(2025, 3, 30);
        var day = Build(springDay, Options(hourShift: -7));
        var gapStart = new DateTimeOffset(2025, 3, 30, 1, 0, 0, TimeSpan.Zero);
        var rawEightAm = data.LinesFoldedOnto(springDay)
            .GroupBy(l => l.InvoiceNo)
            .Count(g => !g.Key.StartsWith('C') && g.Any(l => l.Quantity > 0) && g.Min(l => l.InvoiceDate).Hour == 8);

        Assert.True(rawEightAm > 0, "the folded days have no 08:xx trade to land in the gap");
        Assert.All(day.Webhooks, w => Assert.False(London.IsInvalidTime(TimeZoneInfo.ConvertTime(w.DueAt, London).DateTime)));
        Assert.All(day.Webhooks.Zip(day.Webhooks.Skip(1)), p => Assert.True(p.First.DueAt <= p.Second.DueAt));
        Assert.All(day.Webhooks, w => Assert.Equal(springDay, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(w.DueAt, London).DateTime)));
        Assert.Equal(rawEightAm, Creates(day).Count(w => w.DueAt == gapStart));
        Assert.All(Creates(day), w => Assert.Equal(w.DueAt, Time(Body(w)["created_at"])));
        Assert.Equal(data.LinesFoldedOnto(springDay).Select(l => l.InvoiceNo).Distinct().Count(), Creates(day).Count + Refunds(day).Count + day.Skipped.Count);
    }

    [Fact]
    public void Fall_back_day_in_London_takes_the_first_pass_of_the_repeated_hour()
    {
        // 2025-10-26: London passes 01:00–02:00 twice (BST, then GMT). A −7 h shift puts the data's 08:xx trade there.
        var autumnDay = new DateOnly(2025, 10, 26);
        var day = Build(autumnDay, Options(hourShift: -7));
        var repeatedHour = Creates(day).Select(w => Time(Body(w)["created_at"])).Where(t => t.Hour == 1).ToList();

        Assert.NotEmpty(repeatedHour);
        Assert.All(repeatedHour, t => Assert.Equal(TimeSpan.FromHours(1), t.Offset));
        Assert.All(Creates(day).Select(w => Time(Body(w)["created_at"])).Where(t => t.Hour >= 2), t => Assert.Equal(TimeSpan.Zero, t.Offset));
        Assert.All(day.Webhooks.Zip(day.Webhooks.Skip(1)), p => Assert.True(p.First.DueAt <= p.Second.DueAt));
        Assert.Equal(data.LinesFoldedOnto(autumnDay).Select(l => l.InvoiceNo).Distinct().Count(), Creates(day).Count + Refunds(day).Count + day.Skipped.Count);
    }

    [Theory]
    [InlineData("2025-06-15T12:00:00+01:00", 0)]
    [InlineData("2025-06-15T10:00:00+01:00", 0)]
    [InlineData("2025-06-15T15:59:00+01:00", 0)]
    [InlineData("2025-06-15T16:00:00+01:00", 1)]
    [InlineData("2025-06-15T20:30:00+01:00", 5)]
    [InlineData("2025-06-15T09:00:00+01:00", -1)]
    [InlineData("2025-06-15T03:00:00+01:00", -7)]
    [InlineData("2025-06-15T23:00:00+01:00", 8)]
    [InlineData("2025-06-14T23:30:00Z", 9)]
    public void AutoHourShift_brings_the_busy_window_to_now_in_London(string now, int expected)
    {
        Assert.Equal(expected, ShopifyReplayPlan.AutoHourShift(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture), London));
    }

    [Fact]
    public void AutoHourShift_uses_the_store_zone_and_is_the_smallest_shift_that_works_at_every_hour()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        // 00:00 UTC is 09:00 in Tokyo: showing the data's 10:00 then takes the clock back an hour.
        Assert.Equal(-1, ShopifyReplayPlan.AutoHourShift(new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero), tokyo));

        for (var minute = 0; minute < 24 * 60; minute += 15)
        {
            var now = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.FromHours(9)).AddMinutes(minute);
            var shift = ShopifyReplayPlan.AutoHourShift(now, tokyo);
            var local = TimeSpan.FromMinutes(minute);

            static bool Busy(TimeSpan t) => t >= TimeSpan.FromHours(10) && t < TimeSpan.FromHours(16);
            static TimeSpan Wrap(TimeSpan t) => TimeSpan.FromMinutes(((t.TotalMinutes % 1440) + 1440) % 1440);

            Assert.True(Busy(Wrap(local - TimeSpan.FromHours(shift))), $"at {local} shift {shift} misses the window");
            Assert.DoesNotContain(Enumerable.Range(-23, 47), s => Math.Abs(s) < Math.Abs(shift) && Busy(Wrap(local - TimeSpan.FromHours(s))));
        }
    }

    private IEnumerable<CommerceEvent> Normalize(ReplayWebhook webhook)
    {
        var result = ShopifyWebhookNormalizer.Normalize(webhook.Topic, webhook.Body, new ShopifyDelivery(webhook.WebhookId, webhook.DueAt), Store);
        return Assert.IsType<ShopifyNormalizeResult.Ok>(result).Events;
    }
}
