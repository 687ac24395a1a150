using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>
/// The order events' own reader gives what the serializer gives for every record the codec writes, and leaves every
/// other shape to the serializer, so accepting, refusing and defaults stay the serializer's.
/// </summary>
public sealed class OrderEventReaderTests
{
    private static readonly DateTimeOffset At = Utc(2026, 3, 29, 0, 59, 30);

    public static TheoryData<OrderEvent> Orders()
    {
        var placed = Placed("o1", At, 123.45m, units: 3, returning: true) with { CountryCode = "GB", SourceName = "web", TotalTax = 20.58m };
        var everything = placed with
        {
            Channel = SalesChannel.WooCommerce,
            OccurredAt = At.ToOffset(TimeSpan.FromHours(5.5)),
            Reporting = new ReportingConversion("EUR", 1.1734567891m, new DateOnly(2026, 3, 27), "ECB reference rate"),
            SubtotalPrice = 100.01m,
            TotalDiscounts = 0.5m,
            TotalShipping = 4.99m,
            LandingSite = "/p?utm_source=news&x=\"quoted\"\\",
            ReferringSite = "https://example.com/ü/€/😀",
            UtmSource = "news",
            UtmMedium = "email",
            UtmCampaign = "Été 2026",
            CustomerEmailHash = new string('a', 64),
            Lines = [new OrderLine("SKU-1", "Mug \"large\"\n", 2, 10.005m), new OrderLine("", "", 0, 0m), new OrderLine("S-3", "Tee", -1, -79228162514264337593543950335m)],
        };
        return new TheoryData<OrderEvent>
        {
            placed,
            everything,
            placed with { Lines = [] },
            Updated(placed, At.AddMinutes(5), 99.99m),
            Cancelled(placed, At.AddHours(1)),
            Cancelled(everything, At.AddHours(1)) with { CancelledAt = null },
        };
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void An_order_the_codec_wrote_reads_as_the_serializer_reads_it(OrderEvent order)
    {
        var record = CommerceEventCodec.Encode(order);

        var read = OrderEventReader.TryRead(record);

        Assert.NotNull(read);
        Assert.IsType(order.GetType(), read);
        Assert.Equivalent(order, read, strict: true);
        Assert.Equal(Encoding.UTF8.GetString(record), Encoding.UTF8.GetString(CommerceEventCodec.Encode(read)));
    }

    public static TheoryData<string, string> OtherShapes() => new()
    {
        // Each is a record the codec would not write; the reader must not guess what the serializer makes of it.
        { "the discriminator after another property", """{"OrderId":"o9","$type":"order-placed"}""" },
        { "a name in another case", """{"$type":"order-placed","orderId":"o9"}""" },
        { "a property the codec does not write", """{"$type":"order-placed","Coupon":"x"}""" },
        { "a channel as a number", """{"$type":"order-placed","Channel":1}""" },
        { "a channel in lower case", """{"$type":"order-placed","Channel":"shopify"}""" },
        { "lines that are null", """{"$type":"order-placed","Lines":null}""" },
        { "a total as a string", """{"$type":"order-placed","TotalPrice":"1.00"}""" },
        { "a line without its title", """{"$type":"order-placed","Lines":[{"Sku":"a","Quantity":1,"UnitPrice":1}]}""" },
        { "a rate day with a time", """{"$type":"order-placed","Reporting":{"Currency":"EUR","Rate":1,"RateDate":"2026-03-27T00:00:00","RateSource":"x"}}""" },
        { "a refund", """{"$type":"refund-issued","RefundId":"r"}""" },
        { "two objects", """{"$type":"order-placed"} {}""" },
        { "not JSON", """{"$type":"order-placed",""" },
    };

    [Theory]
    [MemberData(nameof(OtherShapes))]
    public void A_shape_the_codec_does_not_write_is_left_to_the_serializer(string why, string record)
    {
        Assert.True(OrderEventReader.TryRead(Encoding.UTF8.GetBytes(record)) is null, why);
    }

    [Fact]
    public void A_required_property_missing_is_left_to_the_serializer()
    {
        var complete = JsonNode.Parse(CommerceEventCodec.Encode(Placed("o1", At, 5m)))!.AsObject();
        foreach (var property in new[] { "Store", "Channel", "EventId", "OccurredAt", "StoreTimeZone", "Currency", "OrderId", "PlacedAt", "Version", "TotalPrice", "Lines" })
        {
            var without = complete.DeepClone().AsObject();
            Assert.True(without.Remove(property));

            Assert.Null(OrderEventReader.TryRead(Encoding.UTF8.GetBytes(without.ToJsonString())));
            // The serializer refuses it, as it did before the reader existed.
            Assert.ThrowsAny<JsonException>(() => CommerceEventCodec.Decode(Encoding.UTF8.GetBytes(without.ToJsonString())));
        }
    }

    [Fact]
    public void A_record_the_reader_leaves_is_still_read_by_the_serializer_as_before()
    {
        // A channel in another case or as a number, and the discriminator's neighbours reordered: the serializer accepts these.
        var record = JsonNode.Parse(CommerceEventCodec.Encode(Placed("o1", At, 5m)))!.AsObject();
        record["Channel"] = "wooCommerce";
        var bytes = Encoding.UTF8.GetBytes(record.ToJsonString());
        Assert.Null(OrderEventReader.TryRead(bytes));

        var decoded = Assert.IsType<OrderPlaced>(CommerceEventCodec.Decode(bytes));

        Assert.Equal((SalesChannel.WooCommerce, "o1", 5m), (decoded.Channel, decoded.OrderId, decoded.TotalPrice));
    }

    [Fact]
    public void One_consumers_records_of_one_store_share_its_values_and_other_stores_get_their_own()
    {
        var eu = Placed("o1", At, 5m) with { SourceName = "web", CountryCode = "GB" };
        var us = Placed("o2", At, 6m, store: new StoreRef("acme", "us-shop"), zone: "America/New_York", currency: "USD") with { SourceName = "pos" };
        var escaped = Placed("o3", At, 7m, store: new StoreRef("acme", "eu-shop"), zone: "Europe/London", currency: "GBP") with { SourceName = "w\u0065b" };
        var deserializer = new CommerceEventDeserializer();
        var records = new OrderEvent[] { eu, eu with { OrderId = "o4", EventId = "e4" }, us, us with { CountryCode = "US" }, escaped };

        var decoded = records.Select(r => (OrderEvent)deserializer.Deserialize(CommerceEventCodec.Encode(r), isNull: false, default)).ToList();

        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equivalent(records[i], decoded[i], strict: true);
        }

        // Only the last value of each is kept: a run of one store's records shares it.
        Assert.Same(decoded[0].Store, decoded[1].Store);
        Assert.Same(decoded[0].Currency, decoded[1].Currency);
        Assert.Same(decoded[2].StoreTimeZone, decoded[3].StoreTimeZone);
    }
}
