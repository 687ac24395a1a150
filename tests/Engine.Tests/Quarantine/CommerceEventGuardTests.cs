using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Quarantine;

namespace SalesDash.Engine.Tests.Quarantine;

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

    // A line's path is spelled out only for the line that is wrong; the message reads as before.
    [Fact]
    public void A_wrong_line_after_good_ones_is_named_by_its_index_and_field_with_the_reason()
    {
        var good = new OrderLine("sku", "t", 1, 1m);
        var order = Order(Now);

        Assert.Equal("lines[2].unitPrice: -1 is not between 0 and 1000000000000",
            CommerceEventGuard.Problem(order with { Lines = [good, good, good with { UnitPrice = -1m }] }, Now));
        Assert.Equal("lines[1].sku: contains a NUL character at 1", CommerceEventGuard.Problem(order with { Lines = [good, good with { Sku = "a\0" }] }, Now));
        Assert.Equal("lines[1].title: 4097 characters, more than 4096",
            CommerceEventGuard.Problem(order with { Lines = [good, good with { Title = new string('x', 4097) }] }, Now));
        Assert.Null(CommerceEventGuard.Problem(order with { Lines = [good, good, good] }, Now));
    }

    [Theory]
    [InlineData("GBP", true)]
    [InlineData("gbp", true)]
    [InlineData("GB1", false)]
    [InlineData("1GB", false)]
    [InlineData("GBPX", false)]
    [InlineData("G", false)]
    public void A_currency_is_three_ascii_letters(string currency, bool valid)
    {
        var problem = CommerceEventGuard.Problem(Order(Now) with { Currency = currency }, Now);

        Assert.Equal(valid, problem is null);
    }
}

/// <summary>The bounds of the one guard, each refusal naming the field.</summary>
public sealed class CommerceEventGuardBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static OrderPlaced Order(params OrderLine[] lines) => new()
    {
        Store = new StoreRef("t", "s"),
        Channel = SalesChannel.Shopify,
        EventId = "e1",
        OccurredAt = Now.AddMinutes(-5),
        StoreTimeZone = "Europe/London",
        Currency = "GBP",
        OrderId = "o1",
        PlacedAt = Now.AddMinutes(-5),
        Version = Now.AddMinutes(-5),
        TotalPrice = 10m,
        Lines = lines.Length == 0 ? [new OrderLine("sku", "t", 1, 10m)] : lines,
    };

    [Fact]
    public void The_issue_14_order_with_two_lines_of_two_billion_is_refused_naming_the_quantity()
    {
        var order = Order(new OrderLine("a", "A", 2_000_000_000, 1m), new OrderLine("b", "B", 2_000_000_000, 1m));

        var problem = CommerceEventGuard.Check(order, Now);

        Assert.Equal("lines[0].quantity", problem?.Field);
        var refusal = Assert.Throws<InvalidCommerceEventException>(() => CommerceEventGuard.EnsureValid(order, Now));
        Assert.Equal("lines[0].quantity", refusal.Field);
    }

    [Fact]
    public void Lines_within_bounds_that_add_up_past_the_unit_limit_are_refused()
    {
        var lines = Enumerable.Range(0, 11).Select(i => new OrderLine($"s{i}", "t", CommerceEventGuard.MaxLineQuantity, 1m)).ToArray();

        Assert.Equal("lines[].quantity", CommerceEventGuard.Check(Order(lines), Now)?.Field);
        Assert.Null(CommerceEventGuard.Check(Order(lines[..10]), Now));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "negative quantity", "lines[0].quantity" },
        { "too many lines", "lines" },
        { "huge total", "totalPrice" },
        { "negative tax", "totalTax" },
        { "null event id", "eventId" },
        { "long order id", "orderId" },
        { "null lines", "lines" },
        { "null line", "lines[0]" },
        { "placed in year 1", "placedAt" },
        { "version far ahead", "version" },
        { "bad currency", "currency" },
        { "null zone", "storeTimeZone" },
        { "unpaired surrogate", "lines[0].title" },
        { "NUL in sku", "lines[0].sku" },
        { "undefined channel", "channel" },
        { "null store", "store" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_malformed_order_is_refused_naming_its_field_and_never_throws(string defect, string field)
    {
        var ok = Order();
        OrderEvent order = defect switch
        {
            "negative quantity" => Order(new OrderLine("a", "A", -1, 1m)),
            "too many lines" => Order([.. Enumerable.Range(0, CommerceEventGuard.MaxLines + 1).Select(i => new OrderLine("a", "A", 1, 1m))]),
            "huge total" => ok with { TotalPrice = 79_228_162_514_264_337_593_543_950_335m },
            "negative tax" => ok with { TotalTax = -1m },
            "null event id" => ok with { EventId = null! },
            "long order id" => ok with { OrderId = new string('x', 10_000) },
            "null lines" => ok with { Lines = null! },
            "null line" => ok with { Lines = [null!] },
            "placed in year 1" => ok with { PlacedAt = DateTimeOffset.MinValue },
            "version far ahead" => ok with { Version = DateTimeOffset.MaxValue },
            "bad currency" => ok with { Currency = "€€" },
            "null zone" => ok with { StoreTimeZone = null! },
            "unpaired surrogate" => Order(new OrderLine("a", "A\ud800", 1, 1m)),
            "NUL in sku" => Order(new OrderLine("a\0", "A", 1, 1m)),
            "undefined channel" => ok with { Channel = (SalesChannel)999 },
            "null store" => ok with { Store = null! },
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };

        Assert.Equal(field, CommerceEventGuard.Check(order, Now)?.Field);
        Assert.Null(CommerceEventGuard.Check(ok, Now));
    }

    [Fact]
    public void Refunds_spend_shipments_and_traffic_have_bounds_too()
    {
        var refund = TestEvents.Refund("r1", "o1", Now.AddMinutes(-1), 5m);
        Assert.Null(CommerceEventGuard.Check(refund, Now));
        Assert.Equal("units", CommerceEventGuard.Check(refund with { Units = -3 }, Now)?.Field);
        Assert.Equal("amount", CommerceEventGuard.Check(refund with { Amount = 2e12m }, Now)?.Field);
        Assert.Equal("clicks", CommerceEventGuard.Check(TestEvents.AdSpend("c", Now.AddMinutes(-1), 1m) with { Clicks = -1 }, Now)?.Field);
        Assert.Equal("trackingCode", CommerceEventGuard.Check(TestEvents.Shipment("e", "", "delivered", Now.AddMinutes(-1)), Now)?.Field);
        Assert.Equal("sessions", CommerceEventGuard.Check(TestEvents.Traffic(new DateOnly(2026, 11, 24), "google", 5, Now) with { Sessions = -5 }, Now)?.Field);
    }
}

public sealed class CommerceEventGuardQuantityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_order_line_sells_at_least_one_unit_while_a_refund_line_may_return_none()
    {
        var order = TestEvents.Placed("o1", Now.AddMinutes(-5), 10m) with { Lines = [new OrderLine("a", "A", 0, 10m)] };
        var refund = TestEvents.Refund("r1", "o1", Now.AddMinutes(-1), 5m) with { Lines = [new OrderLine("a", "A", 0, 10m)] };

        Assert.Equal("lines[0].quantity", CommerceEventGuard.Check(order, Now)?.Field);
        Assert.Null(CommerceEventGuard.Check(refund, Now));
    }
}
