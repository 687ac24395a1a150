using System.Globalization;
using System.Text.Json.Nodes;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.Shopify.Replay;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Tests.Shopify.Replay;

public sealed class ReplayOracleTests(RetailDataFixture data) : IClassFixture<RetailDataFixture>
{
    private static readonly DateOnly Day = new(2025, 6, 17);

    private static readonly StoreProfile Store = new(
        new StoreRef("demo", "uk"), "Demo UK", SalesChannel.Shopify, "demo-uk.myshopify.com", "GBP", "Europe/London", "shpss_demo");

    [Fact]
    public void Oracle_matches_a_direct_sum_over_the_raw_lines()
    {
        var raw = data.LinesFoldedOnto(Day);
        var sales = raw.Where(l => !l.InvoiceNo.StartsWith('C') && l.Quantity > 0).ToList();
        var returns = raw.Where(l => l.InvoiceNo.StartsWith('C')).ToList();

        var expected = ReplayOracle.ForDate(data.Lines, Day);

        Assert.Equal(Math.Round(sales.Sum(l => l.Quantity * l.UnitPrice), 2), expected.GrossRevenue);
        Assert.Equal(sales.Select(l => l.InvoiceNo).Distinct().Count(), expected.Orders);
        Assert.Equal(sales.Sum(l => l.Quantity), expected.Units);
        Assert.Equal(Math.Round(returns.Sum(l => -l.Quantity * l.UnitPrice), 2), expected.Refunds);
        Assert.Equal(returns.Sum(l => -l.Quantity), expected.RefundedUnits);
        Assert.Equal(returns.Select(l => l.InvoiceNo).Distinct().Count(), expected.RefundCount);
        Assert.Equal(sales.Where(l => l.CustomerId is null).Select(l => l.InvoiceNo).Distinct().Count(), expected.GuestOrders);
        Assert.Equal(expected.Orders, expected.NewCustomerOrders + expected.ReturningCustomerOrders + expected.GuestOrders);
        Assert.Equal(expected.GrossRevenue - expected.Refunds, expected.NetRevenue);
        Assert.True(expected.GrossRevenue > 10_000m, $"gross {expected.GrossRevenue} is implausibly small for ~38 trading days");
    }

    [Fact]
    public void Eight_consecutive_days_add_up_to_the_whole_data_set()
    {
        var days = Enumerable.Range(0, 8).Select(d => ReplayOracle.ForDate(data.Lines, Day.AddDays(d))).ToList();
        var sales = data.Lines.Where(l => !l.IsCancellation && l.Quantity > 0).ToList();

        Assert.Equal(Math.Round(sales.Sum(l => l.Quantity * l.UnitPrice), 2), days.Sum(d => d.GrossRevenue));
        Assert.Equal(sales.Select(l => l.InvoiceNo).Distinct().Count(), days.Sum(d => d.Orders));
        Assert.Equal(data.Lines.Where(l => l.IsCancellation).Sum(l => -l.Quantity), days.Sum(d => d.RefundedUnits));
        Assert.Equal(305, days.Sum(d => d.DatasetDays.Count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(-9)]
    public void New_and_returning_customers_match_what_the_plan_tells_the_normaliser(int hourShift)
    {
        var day = new ShopifyReplayPlan(data.Lines).Build(Day, ShopifyReplayOptions.For(Store, hourShift));
        var placed = day.Webhooks
            .Where(w => w.Topic == ShopifyTopics.OrdersCreate)
            .DistinctBy(w => w.WebhookId)
            .Select(w => ShopifyWebhookNormalizer.Normalize(w.Topic, w.Body, new ShopifyDelivery(w.WebhookId, w.DueAt), Store))
            .Select(r => Assert.IsType<OrderPlaced>(Assert.Single(Assert.IsType<ShopifyNormalizeResult.Ok>(r).Events)))
            .ToList();

        var expected = ReplayOracle.ForDate(data.Lines, Day, hourShift);

        Assert.Equal(expected.ReturningCustomerOrders, placed.Count(p => p.ReturningCustomer));
        Assert.Equal(expected.NewCustomerOrders, placed.Count(p => p.CustomerId is not null && !p.ReturningCustomer));
        Assert.Equal(expected.GuestOrders, placed.Count(p => p.CustomerId is null));
        Assert.Equal(expected.GrossRevenue, placed.Sum(p => p.TotalPrice));
        Assert.True(expected.ReturningCustomerOrders > 0, "no returning customer on the day");
    }

    [Theory]
    [InlineData(9, 0)]
    [InlineData(12, 0)]
    [InlineData(15, 3)]
    public void Partial_day_counts_only_what_is_due_before_the_given_local_time(int hour, int hourShift)
    {
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var day = new ShopifyReplayPlan(data.Lines).Build(Day, ShopifyReplayOptions.For(Store, hourShift));
        var cutoff = new DateTimeOffset(Day.ToDateTime(new TimeOnly(hour, 0)), london.GetUtcOffset(Day.ToDateTime(new TimeOnly(hour, 0))));
        var due = day.Webhooks.Where(w => w.DueAt < cutoff).DistinctBy(w => w.WebhookId).ToList();
        var orders = due.Where(w => w.Topic == ShopifyTopics.OrdersCreate).Select(w => JsonNode.Parse(w.Body)!).ToList();
        var refunds = due.Where(w => w.Topic == ShopifyTopics.RefundsCreate).Select(w => JsonNode.Parse(w.Body)!).ToList();

        var expected = ReplayOracle.ForDate(data.Lines, Day, hourShift, new TimeOnly(hour, 0));
        var whole = ReplayOracle.ForDate(data.Lines, Day, hourShift);

        Assert.Equal(orders.Count, expected.Orders);
        Assert.Equal(orders.Sum(o => decimal.Parse(o["total_price"]!.GetValue<string>(), CultureInfo.InvariantCulture)), expected.GrossRevenue);
        Assert.Equal(refunds.Sum(r => decimal.Parse(r["transactions"]![0]!["amount"]!.GetValue<string>(), CultureInfo.InvariantCulture)), expected.Refunds);
        Assert.InRange(expected.Orders, 1, whole.Orders - 1);
    }
}
