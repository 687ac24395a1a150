using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// How a commerce event is laid out on the Kafka topic: UTF-8 JSON with a "$type" discriminator, keyed by
/// its store. The discriminator names are the journal manifests of SalesDashSerializer, so a record on the
/// topic and a row in the journal read the same; like them, they may be added to but never renamed.
/// </summary>
public static class CommerceEventCodec
{
    private static readonly (Type Type, string Manifest)[] Subtypes = SalesDashSerializer.CommerceEvents;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        // Enum names survive reordering of enum members; numbers would not.
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DescribeSubtypes } },
    };

    /// <summary>The event types a record can carry; a new kind of event needs a manifest before it can go through Kafka.</summary>
    internal static IReadOnlyCollection<Type> EventTypes { get; } = [.. Subtypes.Select(s => s.Type)];

    /// <summary>
    /// The record key: the store's entity id ("{tenant}/{store}", escaped). One key per store puts a store's
    /// events on one partition, which keeps them in order.
    /// </summary>
    public static string KeyFor(StoreRef store) => TenantStoreIds.EntityIdFor(store);

    public static byte[] Encode(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return JsonSerializer.SerializeToUtf8Bytes(commerceEvent, Json);
    }

    /// <summary>
    /// Reads a record value; throws <see cref="JsonException"/> for anything that is not a known event addressed to a
    /// store. Bad values inside a well-formed event are not refused here: the store's entity quarantines them.
    /// </summary>
    public static CommerceEvent Decode(ReadOnlySpan<byte> value) => Decode(value, recent: null);

    /// <param name="value">The record's value.</param>
    /// <param name="recent">The consumer's last values of a store's repeated properties, to share them (see <see cref="RecentTexts"/>).</param>
    internal static CommerceEvent Decode(ReadOnlySpan<byte> value, RecentTexts? recent)
    {
        CommerceEvent? commerceEvent;
        try
        {
            // Order events in the codec's own shape are read without the serializer's per-record read stack; anything
            // else, well-formed or not, is the serializer's to read or refuse.
            commerceEvent = OrderEventReader.TryRead(value, recent) ?? JsonSerializer.Deserialize<CommerceEvent>(value, Json);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or OverflowException)
        {
            // Invalid UTF-16 escapes, unknown discriminators and the like: not an event, however close it looks.
            throw new JsonException($"The record value is not a commerce event: {e.Message}", e);
        }

        if (commerceEvent is null)
        {
            throw new JsonException("The record value is JSON null.");
        }

        // Without a store the record cannot be routed to any entity (nor quarantined by one).
        return commerceEvent.Store is { TenantId.Length: > 0, StoreId.Length: > 0 }
            ? commerceEvent
            : throw new JsonException("The record names no store.");
    }

    private static void DescribeSubtypes(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Type != typeof(CommerceEvent))
        {
            return;
        }

        var polymorphism = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$type" };
        foreach (var (type, name) in Subtypes)
        {
            polymorphism.DerivedTypes.Add(new JsonDerivedType(type, name));
        }

        typeInfo.PolymorphismOptions = polymorphism;
    }
}

/// <summary>
/// Decodes a record's value where librdkafka holds it, instead of copying every value into a <c>byte[]</c> first (a
/// record's size again in garbage per record folded). A value that is not an event throws, which the consumer's
/// <c>Consume</c> reports as a <see cref="Confluent.Kafka.ConsumeException"/> of
/// <see cref="Confluent.Kafka.ErrorCode.Local_ValueDeserialization"/> with the record's position.
/// </summary>
/// One per consumer: Confluent.Kafka calls it on the consumer's thread, and it keeps that consumer's recent values.
internal sealed class CommerceEventDeserializer : Confluent.Kafka.IDeserializer<CommerceEvent>
{
    private readonly RecentTexts _recent = new();

    public CommerceEvent Deserialize(ReadOnlySpan<byte> data, bool isNull, Confluent.Kafka.SerializationContext context) =>
        CommerceEventCodec.Decode(isNull ? default : data, _recent);
}
