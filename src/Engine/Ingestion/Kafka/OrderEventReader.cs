using System.Globalization;
using System.Text.Json;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Ingestion.Kafka;

/// <summary>
/// Reads the order events (nearly every record on the topic) straight off a <see cref="Utf8JsonReader"/>. The serializer
/// allocates its read stack (~0.5 KB, the event being nested) and the constructor arguments of <see cref="StoreRef"/> and
/// <see cref="OrderLine"/> afresh for every record, a fifth of what a folded record allocates besides the event itself.
/// It takes only what it is sure of: the exact shape <see cref="CommerceEventCodec.Encode"/> writes. Anything else (another
/// event type, an unknown or misplaced property, a token of another kind, a name in another case) answers null, and the
/// caller lets the serializer read the record, so what is accepted or refused, and why, stays the serializer's.
/// </summary>
internal static class OrderEventReader
{
    private static readonly SalesChannel[] Channels = Enum.GetValues<SalesChannel>();

    /// <summary>The channels' names as the codec writes them (JsonStringEnumConverter: the member's name).</summary>
    private static readonly byte[][] ChannelNames = [.. Channels.Select(c => System.Text.Encoding.UTF8.GetBytes(c.ToString()))];

    [Flags]
    private enum Seen
    {
        None = 0,
        Store = 1 << 0,
        Channel = 1 << 1,
        EventId = 1 << 2,
        OccurredAt = 1 << 3,
        StoreTimeZone = 1 << 4,
        Currency = 1 << 5,
        OrderId = 1 << 6,
        PlacedAt = 1 << 7,
        Version = 1 << 8,
        TotalPrice = 1 << 9,
        Lines = 1 << 10,
        Required = (Lines << 1) - 1,
    }

    /// <summary>The order event in <paramref name="value"/>, or null when it is not one in the codec's own shape.</summary>
    /// <param name="recent">The consumer's last values of the properties a store repeats on every record, shared instead of read again; null: none.</param>
    public static OrderEvent? TryRead(ReadOnlySpan<byte> value, RecentTexts? recent = null)
    {
        try
        {
            return Read(value, recent);
        }
        catch (JsonException)
        {
            // Not well-formed JSON: the serializer says so in its own words.
            return null;
        }
    }

    private static OrderEvent? Read(ReadOnlySpan<byte> value, RecentTexts? recent)
    {
        var reader = new Utf8JsonReader(value);
        // The serializer reads the discriminator only as the first property.
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
            || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("$type"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        var kind = reader.ValueTextEquals("order-placed"u8) ? Kind.Placed
            : reader.ValueTextEquals("order-updated"u8) ? Kind.Updated
            : reader.ValueTextEquals("order-cancelled"u8) ? Kind.Cancelled
            : Kind.None;
        if (kind == Kind.None)
        {
            return null;
        }

        var f = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!Property(ref reader, ref f, recent))
            {
                return null;
            }
        }

        // One object and nothing after it (trailing content makes the reader throw, caught above).
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || (f.Seen & Seen.Required) != Seen.Required)
        {
            return null;
        }

        return kind switch
        {
            Kind.Placed => new OrderPlaced { Store = f.Store!, Channel = f.Channel, EventId = f.EventId!, OccurredAt = f.OccurredAt, StoreTimeZone = f.StoreTimeZone!, Currency = f.Currency!, OrderId = f.OrderId!, PlacedAt = f.PlacedAt, Version = f.Version, TotalPrice = f.TotalPrice, Lines = f.Lines!, Reporting = f.Reporting, SubtotalPrice = f.SubtotalPrice, TotalTax = f.TotalTax, TotalDiscounts = f.TotalDiscounts, TotalShipping = f.TotalShipping, CustomerId = f.CustomerId, ReturningCustomer = f.ReturningCustomer, CancelledAt = f.CancelledAt, SourceName = f.SourceName, CountryCode = f.CountryCode, LandingSite = f.LandingSite, ReferringSite = f.ReferringSite, UtmSource = f.UtmSource, UtmMedium = f.UtmMedium, UtmCampaign = f.UtmCampaign, CustomerEmailHash = f.CustomerEmailHash },
            Kind.Updated => new OrderUpdated { Store = f.Store!, Channel = f.Channel, EventId = f.EventId!, OccurredAt = f.OccurredAt, StoreTimeZone = f.StoreTimeZone!, Currency = f.Currency!, OrderId = f.OrderId!, PlacedAt = f.PlacedAt, Version = f.Version, TotalPrice = f.TotalPrice, Lines = f.Lines!, Reporting = f.Reporting, SubtotalPrice = f.SubtotalPrice, TotalTax = f.TotalTax, TotalDiscounts = f.TotalDiscounts, TotalShipping = f.TotalShipping, CustomerId = f.CustomerId, ReturningCustomer = f.ReturningCustomer, CancelledAt = f.CancelledAt, SourceName = f.SourceName, CountryCode = f.CountryCode, LandingSite = f.LandingSite, ReferringSite = f.ReferringSite, UtmSource = f.UtmSource, UtmMedium = f.UtmMedium, UtmCampaign = f.UtmCampaign, CustomerEmailHash = f.CustomerEmailHash },
            _ => new OrderCancelled { Store = f.Store!, Channel = f.Channel, EventId = f.EventId!, OccurredAt = f.OccurredAt, StoreTimeZone = f.StoreTimeZone!, Currency = f.Currency!, OrderId = f.OrderId!, PlacedAt = f.PlacedAt, Version = f.Version, TotalPrice = f.TotalPrice, Lines = f.Lines!, Reporting = f.Reporting, SubtotalPrice = f.SubtotalPrice, TotalTax = f.TotalTax, TotalDiscounts = f.TotalDiscounts, TotalShipping = f.TotalShipping, CustomerId = f.CustomerId, ReturningCustomer = f.ReturningCustomer, CancelledAt = f.CancelledAt, SourceName = f.SourceName, CountryCode = f.CountryCode, LandingSite = f.LandingSite, ReferringSite = f.ReferringSite, UtmSource = f.UtmSource, UtmMedium = f.UtmMedium, UtmCampaign = f.UtmCampaign, CustomerEmailHash = f.CustomerEmailHash },
        };
    }

    /// <summary>Reads one property's value into <paramref name="f"/>; false when it is not one the codec writes as read.</summary>
    private static bool Property(ref Utf8JsonReader reader, ref Fields f, RecentTexts? recent)
    {
        // The hot names first, in the order the codec writes them; each is one comparison of a few bytes.
        if (reader.ValueTextEquals("OrderId"u8))
        {
            return Set(ref f.OrderId, Text(ref reader), ref f.Seen, Seen.OrderId);
        }

        if (reader.ValueTextEquals("PlacedAt"u8))
        {
            return Set(ref f.PlacedAt, Time(ref reader), ref f.Seen, Seen.PlacedAt);
        }

        if (reader.ValueTextEquals("Version"u8))
        {
            return Set(ref f.Version, Time(ref reader), ref f.Seen, Seen.Version);
        }

        if (reader.ValueTextEquals("TotalPrice"u8))
        {
            return Set(ref f.TotalPrice, Money(ref reader), ref f.Seen, Seen.TotalPrice);
        }

        if (reader.ValueTextEquals("SubtotalPrice"u8))
        {
            return Money(ref reader) is { } money && Assign(out f.SubtotalPrice, money);
        }

        if (reader.ValueTextEquals("TotalTax"u8))
        {
            return Money(ref reader) is { } money && Assign(out f.TotalTax, money);
        }

        if (reader.ValueTextEquals("TotalDiscounts"u8))
        {
            return Money(ref reader) is { } money && Assign(out f.TotalDiscounts, money);
        }

        if (reader.ValueTextEquals("TotalShipping"u8))
        {
            return Money(ref reader) is { } money && Assign(out f.TotalShipping, money);
        }

        if (reader.ValueTextEquals("Lines"u8))
        {
            return Set(ref f.Lines, Lines(ref reader), ref f.Seen, Seen.Lines);
        }

        if (reader.ValueTextEquals("CustomerId"u8))
        {
            return OptionalText(ref reader, out f.CustomerId);
        }

        if (reader.ValueTextEquals("ReturningCustomer"u8))
        {
            f.ReturningCustomer = reader.Read() && reader.TokenType == JsonTokenType.True;
            return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
        }

        if (reader.ValueTextEquals("CancelledAt"u8))
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                f.CancelledAt = null;
                return true;
            }

            return reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var cancelled) && Assign(out f.CancelledAt, cancelled);
        }

        if (reader.ValueTextEquals("SourceName"u8))
        {
            return OptionalText(ref reader, out f.SourceName, recent, RecentTexts.Slot.SourceName);
        }

        if (reader.ValueTextEquals("CountryCode"u8))
        {
            return OptionalText(ref reader, out f.CountryCode, recent, RecentTexts.Slot.CountryCode);
        }

        if (reader.ValueTextEquals("LandingSite"u8))
        {
            return OptionalText(ref reader, out f.LandingSite);
        }

        if (reader.ValueTextEquals("ReferringSite"u8))
        {
            return OptionalText(ref reader, out f.ReferringSite);
        }

        if (reader.ValueTextEquals("UtmSource"u8))
        {
            return OptionalText(ref reader, out f.UtmSource, recent, RecentTexts.Slot.UtmSource);
        }

        if (reader.ValueTextEquals("UtmMedium"u8))
        {
            return OptionalText(ref reader, out f.UtmMedium, recent, RecentTexts.Slot.UtmMedium);
        }

        if (reader.ValueTextEquals("UtmCampaign"u8))
        {
            return OptionalText(ref reader, out f.UtmCampaign);
        }

        if (reader.ValueTextEquals("CustomerEmailHash"u8))
        {
            return OptionalText(ref reader, out f.CustomerEmailHash);
        }

        if (reader.ValueTextEquals("Store"u8))
        {
            return Set(ref f.Store, Store(ref reader, recent), ref f.Seen, Seen.Store);
        }

        if (reader.ValueTextEquals("Channel"u8))
        {
            return Set(ref f.Channel, Channel(ref reader), ref f.Seen, Seen.Channel);
        }

        if (reader.ValueTextEquals("EventId"u8))
        {
            return Set(ref f.EventId, Text(ref reader), ref f.Seen, Seen.EventId);
        }

        if (reader.ValueTextEquals("OccurredAt"u8))
        {
            return Set(ref f.OccurredAt, Time(ref reader), ref f.Seen, Seen.OccurredAt);
        }

        if (reader.ValueTextEquals("StoreTimeZone"u8))
        {
            return Set(ref f.StoreTimeZone, Text(ref reader, recent, RecentTexts.Slot.StoreTimeZone), ref f.Seen, Seen.StoreTimeZone);
        }

        if (reader.ValueTextEquals("Currency"u8))
        {
            return Set(ref f.Currency, Text(ref reader, recent, RecentTexts.Slot.Currency), ref f.Seen, Seen.Currency);
        }

        if (reader.ValueTextEquals("Reporting"u8))
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                f.Reporting = null;
                return true;
            }

            return Reporting(ref reader) is { } reporting && Assign(out f.Reporting, reporting);
        }

        // A property the codec does not write: the serializer decides what it means.
        return false;
    }

    private static bool Set<T>(ref T? field, T? value, ref Seen seen, Seen property)
        where T : class
    {
        field = value;
        seen |= property;
        return value is not null;
    }

    private static bool Set<T>(ref T field, T? value, ref Seen seen, Seen property)
        where T : struct
    {
        field = value.GetValueOrDefault();
        seen |= property;
        return value.HasValue;
    }

    private static bool Assign<T>(out T field, T value)
    {
        field = value;
        return true;
    }

    private enum Kind
    {
        None,
        Placed,
        Updated,
        Cancelled,
    }

    /// <summary>An order event's properties as they are read, before it is built (its properties are init-only).</summary>
    private struct Fields
    {
        public Seen Seen;
        public StoreRef? Store;
        public SalesChannel Channel;
        public string? EventId;
        public DateTimeOffset OccurredAt;
        public string? StoreTimeZone;
        public string? Currency;
        public ReportingConversion? Reporting;
        public string? OrderId;
        public DateTimeOffset PlacedAt;
        public DateTimeOffset Version;
        public decimal TotalPrice;
        public decimal SubtotalPrice;
        public decimal TotalTax;
        public decimal TotalDiscounts;
        public decimal TotalShipping;
        public List<OrderLine>? Lines;
        public string? CustomerId;
        public bool ReturningCustomer;
        public DateTimeOffset? CancelledAt;
        public string? SourceName;
        public string? CountryCode;
        public string? LandingSite;
        public string? ReferringSite;
        public string? UtmSource;
        public string? UtmMedium;
        public string? UtmCampaign;
        public string? CustomerEmailHash;
    }

    private static string? Text(ref Utf8JsonReader reader, RecentTexts? recent = null, RecentTexts.Slot slot = default) =>
        !reader.Read() || reader.TokenType != JsonTokenType.String ? null
        : recent is null ? reader.GetString()
        : recent.Read(ref reader, slot);

    private static bool OptionalText(ref Utf8JsonReader reader, out string? text, RecentTexts? recent = null, RecentTexts.Slot slot = default)
    {
        text = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        text = recent is null ? reader.GetString() : recent.Read(ref reader, slot);
        return true;
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at) ? at : null;

    private static decimal? Money(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var money) ? money : null;

    private static SalesChannel? Channel(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        for (var i = 0; i < ChannelNames.Length; i++)
        {
            if (reader.ValueTextEquals(ChannelNames[i]))
            {
                return Channels[i];
            }
        }

        return null;
    }

    private static StoreRef? Store(ref Utf8JsonReader reader, RecentTexts? recent)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? tenant = null, store = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("TenantId"u8))
            {
                tenant = Text(ref reader, recent, RecentTexts.Slot.TenantId);
            }
            else if (reader.ValueTextEquals("StoreId"u8))
            {
                store = Text(ref reader, recent, RecentTexts.Slot.StoreId);
            }
            else
            {
                return null;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || tenant is null || store is null)
        {
            return null;
        }

        return recent is null ? new StoreRef(tenant, store) : recent.Store(tenant, store);
    }

    private static List<OrderLine>? Lines(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var lines = new List<OrderLine>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? sku = null, title = null;
            int? quantity = null;
            decimal? unitPrice = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Sku"u8))
                {
                    sku = Text(ref reader);
                }
                else if (reader.ValueTextEquals("Title"u8))
                {
                    title = Text(ref reader);
                }
                else if (reader.ValueTextEquals("Quantity"u8))
                {
                    quantity = reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var units) ? units : null;
                }
                else if (reader.ValueTextEquals("UnitPrice"u8))
                {
                    unitPrice = Money(ref reader);
                }
                else
                {
                    return null;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || sku is null || title is null || quantity is null || unitPrice is null)
            {
                return null;
            }

            lines.Add(new OrderLine(sku, title, quantity.Value, unitPrice.Value));
        }

        return reader.TokenType == JsonTokenType.EndArray ? lines : null;
    }

    private static ReportingConversion? Reporting(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? currency = null, source = null;
        decimal? rate = null;
        DateOnly? day = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Currency"u8))
            {
                currency = Text(ref reader);
            }
            else if (reader.ValueTextEquals("Rate"u8))
            {
                rate = Money(ref reader);
            }
            else if (reader.ValueTextEquals("RateDate"u8))
            {
                // The serializer's DateOnly is exactly yyyy-MM-dd.
                day = Text(ref reader) is { Length: 10 } text
                    && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            }
            else if (reader.ValueTextEquals("RateSource"u8))
            {
                source = Text(ref reader);
            }
            else
            {
                return null;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && currency is not null && rate is not null && day is not null && source is not null
            ? new ReportingConversion(currency, rate.Value, day.Value, source)
            : null;
    }
}

/// <summary>
/// One consumer's last value of each property a store repeats on every record (its ids, time zone, currency, where its
/// orders come from), so a run of records of one store shares one string of each instead of allocating it per record.
/// A value is compared byte for byte with the last one read; only an unescaped value is shared. Not thread-safe: one
/// per consumer, used on its thread.
/// </summary>
internal sealed class RecentTexts
{
    /// <summary>Longer values are read afresh every time: the ids and codes this is for are far shorter.</summary>
    private const int MaxBytes = 128;

    private readonly byte[][] _bytes = [.. Enum.GetValues<Slot>().Select(_ => new byte[MaxBytes])];
    private readonly int[] _lengths = new int[Enum.GetValues<Slot>().Length];
    private readonly string?[] _texts = new string?[Enum.GetValues<Slot>().Length];
    private StoreRef? _store;

    public enum Slot
    {
        TenantId,
        StoreId,
        StoreTimeZone,
        Currency,
        SourceName,
        CountryCode,
        UtmSource,
        UtmMedium,
    }

    /// <summary>The string token the reader is on: the last one read into <paramref name="slot"/> if it has the same bytes.</summary>
    public string Read(ref Utf8JsonReader reader, Slot slot)
    {
        var i = (int)slot;
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxBytes)
        {
            return reader.GetString()!;
        }

        var value = reader.ValueSpan;
        if (_texts[i] is { } last && value.SequenceEqual(_bytes[i].AsSpan(0, _lengths[i])))
        {
            return last;
        }

        var text = reader.GetString()!;
        value.CopyTo(_bytes[i]);
        _lengths[i] = value.Length;
        _texts[i] = text;
        return text;
    }

    /// <summary>The last store built, if it is of these very strings (as <see cref="Read"/> shares them).</summary>
    public StoreRef Store(string tenant, string store)
    {
        if (_store is { } last && ReferenceEquals(last.TenantId, tenant) && ReferenceEquals(last.StoreId, store))
        {
            return last;
        }

        return _store = new StoreRef(tenant, store);
    }
}
