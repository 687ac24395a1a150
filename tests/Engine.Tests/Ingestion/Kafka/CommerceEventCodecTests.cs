using System.Text.Json;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Ingestion.Kafka;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Ingestion.Kafka;

/// <summary>Every event type survives the trip through a Kafka record unchanged.</summary>
public sealed class CommerceEventCodecTests
{
    private static readonly DateTimeOffset At = Utc(2026, 3, 29, 0, 59, 30);

    public static TheoryData<CommerceEvent> Events()
    {
        var placed = Placed("o1", At, 123.45m, units: 3, returning: true) with { CountryCode = "GB", SourceName = "web", TotalTax = 20.58m };
        return new TheoryData<CommerceEvent>
        {
            placed,
            Updated(placed, At.AddMinutes(5), 99.99m),
            Cancelled(placed, At.AddHours(1)),
            Refund("r1", "o1", At.AddHours(2), 10.01m),
            Session("s1", At),
            AdSpend("c1", At, 42.42m),
            AdSpend("c2", At, 7m) with { CampaignName = "Summer Sale" },
            Shipment("easypost:evt_1", "1Z999", "delivered", At),
            Traffic(new DateOnly(2026, 3, 28), "(direct)", 12, At),
        };
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void An_event_decodes_to_what_was_encoded(CommerceEvent commerceEvent)
    {
        var decoded = CommerceEventCodec.Decode(CommerceEventCodec.Encode(commerceEvent));

        Assert.IsType(commerceEvent.GetType(), decoded);
        Assert.Equivalent(commerceEvent, decoded, strict: true);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void The_consumer_reads_an_event_from_the_record_value_in_place(CommerceEvent commerceEvent)
    {
        var decoded = new CommerceEventDeserializer().Deserialize(CommerceEventCodec.Encode(commerceEvent), isNull: false, default);

        Assert.IsType(commerceEvent.GetType(), decoded);
        Assert.Equivalent(commerceEvent, decoded, strict: true);
    }

    [Fact]
    public void The_consumer_refuses_a_null_value_as_not_an_event()
    {
        // Thrown inside Consume, this is what makes the consumer skip the record as poison instead of failing the stream.
        Assert.ThrowsAny<JsonException>(() => new CommerceEventDeserializer().Deserialize([], isNull: true, default));
        Assert.ThrowsAny<JsonException>(() => new CommerceEventDeserializer().Deserialize("{\"$type\":\"no-such-event\"}"u8, isNull: false, default));
    }

    [Fact]
    public void An_ad_spend_record_from_before_campaign_names_decodes_without_one()
    {
        // A record an older producer wrote: the same JSON without the CampaignName property.
        var record = System.Text.Json.Nodes.JsonNode.Parse(CommerceEventCodec.Encode(AdSpend("c1", At, 42.42m)))!.AsObject();
        Assert.True(record.Remove("CampaignName"));

        var decoded = Assert.IsType<AdSpendRecorded>(CommerceEventCodec.Decode(System.Text.Encoding.UTF8.GetBytes(record.ToJsonString())));

        Assert.Null(decoded.CampaignName);
        Assert.Equal(("c1", 42.42m), (decoded.CampaignId, decoded.Spend));
    }

    [Fact]
    public void The_record_names_its_event_type_and_channel_in_words()
    {
        using var json = JsonDocument.Parse(CommerceEventCodec.Encode(Refund("r1", "o1", At, 5m)));

        Assert.Equal("refund-issued", json.RootElement.GetProperty("$type").GetString());
        Assert.Equal("Shopify", json.RootElement.GetProperty("Channel").GetString());
    }

    [Fact]
    public void A_store_key_keeps_tenant_and_store_apart_even_with_a_slash_inside()
    {
        Assert.Equal("acme/eu-shop", CommerceEventCodec.KeyFor(new StoreRef("acme", "eu-shop")));
        Assert.NotEqual(CommerceEventCodec.KeyFor(new StoreRef("a/b", "c")), CommerceEventCodec.KeyFor(new StoreRef("a", "b/c")));
    }

    [Fact]
    public void Every_kind_of_commerce_event_has_a_name_on_the_topic()
    {
        var concrete = typeof(CommerceEvent).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(CommerceEvent)) && !t.IsAbstract)
            .OrderBy(t => t.Name);

        Assert.Equal(concrete, CommerceEventCodec.EventTypes.OrderBy(t => t.Name));
    }

    [Fact]
    public void An_unknown_event_type_is_rejected()
    {
        Assert.ThrowsAny<JsonException>(() => CommerceEventCodec.Decode("{\"$type\":\"coupon-used\",\"EventId\":\"x\"}"u8));
    }
}
