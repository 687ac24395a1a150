using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;

namespace SalesDash.Engine.Tests.Ingestion;

public sealed class CommerceEventGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static OrderPlaced Order(DateTimeOffset placed, decimal total = 10m, string zone = "Europe/London") => new()
    {
        Store = new StoreRef("t", "s"),
        Channel = SalesChannel.Shopify,
        EventId = "e1",
        OccurredAt = placed,
        StoreTimeZone = zone,
        Currency = "GBP",
        OrderId = "o1",
        PlacedAt = placed,
        Version = placed,
        TotalPrice = total,
        Lines = [new OrderLine("sku", "t", 1, total)],
    };

    [Fact]
    public void Orders_from_the_past_and_the_next_hour_are_accepted()
    {
        Assert.Null(CommerceEventGuard.Problem(Order(Now.AddDays(-30)), Now));
        Assert.Null(CommerceEventGuard.Problem(Order(Now.AddMinutes(59)), Now));
    }

    [Fact]
    public void An_order_dated_far_ahead_is_refused_with_the_reason()
    {
        var problem = CommerceEventGuard.Problem(Order(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero)), Now);

        Assert.NotNull(problem);
        Assert.Contains("2099-01-01", problem, StringComparison.Ordinal);
        Assert.Throws<InvalidCommerceEventException>(() => CommerceEventGuard.EnsureValid(Order(Now.AddHours(2)), Now));
    }

    [Fact]
    public void Negative_money_and_unknown_zones_are_refused()
    {
        Assert.NotNull(CommerceEventGuard.Problem(Order(Now, total: -1m), Now));
        Assert.NotNull(CommerceEventGuard.Problem(Order(Now, zone: "Mars/Olympus_Mons"), Now));
        var refund = new RefundIssued
        {
            Store = new StoreRef("t", "s"), Channel = SalesChannel.Shopify, EventId = "r", OccurredAt = Now,
            StoreTimeZone = "UTC", Currency = "GBP", RefundId = "r1", OrderId = "o1", Amount = -5m,
        };
        Assert.NotNull(CommerceEventGuard.Problem(refund, Now));
    }
}
