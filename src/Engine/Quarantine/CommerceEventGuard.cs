using System.Globalization;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Quarantine;

/// <summary>An event that must not be folded in; the message says why, for the sender, and <see cref="Field"/> names what is wrong.</summary>
public sealed class InvalidCommerceEventException : Exception
{
    public InvalidCommerceEventException(string message)
        : this(message, "event")
    {
    }

    public InvalidCommerceEventException(string message, string field)
        : base(message)
    {
        Field = field;
    }

    public InvalidCommerceEventException(GuardProblem problem)
        : this(problem?.ToString() ?? throw new ArgumentNullException(nameof(problem)), problem.Field)
    {
    }

    /// <summary>The event's field that is wrong, as a path such as <c>lines[1].quantity</c>.</summary>
    public string Field { get; }
}

/// <summary>What the guard found wrong with an event: the field (a path such as <c>lines[1].quantity</c>) and why.</summary>
public sealed record GuardProblem(string Field, string Detail)
{
    public override string ToString() => $"{Field}: {Detail}";
}

/// <summary>
/// The one check every event passes before it becomes durable (webhooks, pollers, imports and Kafka records alike) and
/// again before the store's entity folds it in (recovery of old journal events included). The bounds are far beyond
/// any real order and far inside what the figures can hold, so a sane event always passes and no event that passes
/// can overflow a minute's totals. Time matters too: the entity ages its minutes and dedupe memory by event time, so
/// one event dated far ahead would push every real minute out of the window.
/// </summary>
public static class CommerceEventGuard
{
    /// <summary>How far ahead of our clock an event may be dated: generous for skewed sender clocks,
    /// far below the hours that would age out real data.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(1);

    /// <summary>No e-commerce platform SalesDash reads predates this; the oldest public dataset we import (UCI Online
    /// Retail) is from 2010. Anything earlier is a default or garbage value (0001-01-01, Unix 0).</summary>
    public static readonly DateTimeOffset EarliestDate = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How far ahead a date that is a forecast rather than a fact (an estimated delivery) may lie.</summary>
    public static readonly TimeSpan MaxForecastAhead = TimeSpan.FromDays(366);

    /// <summary>Largest amount of money in one field: a trillion units covers any single order in any currency
    /// (even IDR or VND), and a minute would need 10^16 such events to overflow decimal.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Largest quantity on one line; wholesale orders stay far below it.</summary>
    public const int MaxLineQuantity = 1_000_000;

    /// <summary>Largest number of units in one order or refund: a minute's int unit total then holds 200 such orders.</summary>
    public const long MaxUnits = 10_000_000;

    /// <summary>Most lines one order or refund may have; platforms cap checkouts at a few hundred.</summary>
    public const int MaxLines = 5_000;

    /// <summary>Largest count (sessions, clicks, impressions, users) one event may carry.</summary>
    public const long MaxCount = 1_000_000_000_000;

    /// <summary>Longest identifier (event, order, refund, campaign, SKU, tracking code...).</summary>
    public const int MaxIdLength = 256;

    /// <summary>Longest free text (titles, landing pages, referrers, URLs): browsers cap URLs near 2 KB.</summary>
    public const int MaxTextLength = 4_096;

    /// <summary>Null when the event may be ingested, else what is wrong with it (as "field: detail").</summary>
    public static string? Problem(CommerceEvent commerceEvent, DateTimeOffset now) => Check(commerceEvent, now)?.ToString();

    /// <summary>Null when the event may be ingested now, else the first field that is wrong and why.</summary>
    public static GuardProblem? Check(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return CheckShape(commerceEvent) ?? CheckTime(commerceEvent, now);
    }

    /// <summary>Throws <see cref="InvalidCommerceEventException"/> when <see cref="Check"/> finds something.</summary>
    public static void EnsureValid(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        if (Check(commerceEvent, now) is { } problem)
        {
            throw new InvalidCommerceEventException(problem);
        }
    }

    /// <summary>
    /// The checks that do not depend on the clock: required fields, lengths, bounds, currencies, zones. The store's
    /// state runs these before folding any event in, so an event that slipped past an older release cannot break it.
    /// </summary>
    public static GuardProblem? CheckShape(CommerceEvent commerceEvent)
    {
        ArgumentNullException.ThrowIfNull(commerceEvent);
        return Common(commerceEvent) ?? commerceEvent switch
        {
            OrderEvent order => Order(order),
            RefundIssued refund => Refund(refund),
            SessionStarted session => Id(session.SessionId, "sessionId") ?? OptionalText(session.Source, "source"),
            AdSpendRecorded spend => Id(spend.CampaignId, "campaignId") ?? Amount(spend.Spend, "spend") ?? Count(spend.Clicks, "clicks")
                ?? Count(spend.Impressions, "impressions") ?? OptionalText(spend.CampaignName, "campaignName"),
            ShipmentUpdated shipment => Shipment(shipment),
            TrafficReported traffic => Traffic(traffic),
            _ => null,
        };
    }

    private static GuardProblem? CheckTime(CommerceEvent commerceEvent, DateTimeOffset now)
    {
        var latest = now + MaxFutureSkew;
        if (commerceEvent.OccurredAt > latest)
        {
            return new("occurredAt", $"the event is dated {Format(commerceEvent.OccurredAt)}, more than {MaxFutureSkew.TotalMinutes:0} minutes after now ({Format(now)})");
        }

        return commerceEvent switch
        {
            OrderEvent order when order.PlacedAt > latest =>
                new("placedAt", $"order {order.OrderId} was placed at {Format(order.PlacedAt)}, more than {MaxFutureSkew.TotalMinutes:0} minutes after now ({Format(now)})"),
            // A version far ahead would make the order refuse every genuine update after it.
            OrderEvent order when order.Version > latest =>
                new("version", $"order {order.OrderId} has version {Format(order.Version)}, more than {MaxFutureSkew.TotalMinutes:0} minutes after now ({Format(now)})"),
            OrderEvent { CancelledAt: { } cancelled } order when cancelled > latest =>
                new("cancelledAt", $"order {order.OrderId} was cancelled at {Format(cancelled)}, after now ({Format(now)})"),
            ShipmentUpdated { EstimatedDelivery: { } estimate } when estimate > now + MaxForecastAhead =>
                new("estimatedDelivery", $"{Format(estimate)} is more than a year ahead"),
            ShipmentUpdated { ShippedAt: { } shipped } when shipped > latest => new("shippedAt", $"{Format(shipped)} is after now ({Format(now)})"),
            ShipmentUpdated { DeliveredAt: { } delivered } when delivered > latest => new("deliveredAt", $"{Format(delivered)} is after now ({Format(now)})"),
            TrafficReported traffic when traffic.ReportedAt > latest => new("reportedAt", $"{Format(traffic.ReportedAt)} is after now ({Format(now)})"),
            _ => null,
        };
    }

    private static GuardProblem? Common(CommerceEvent e)
    {
        if (e.Store is null)
        {
            return new("store", "missing");
        }

        return Id(e.Store.TenantId, "store.tenantId")
            ?? Id(e.Store.StoreId, "store.storeId")
            ?? (Enum.IsDefined(e.Channel) ? null : new GuardProblem("channel", $"{(int)e.Channel} is not a channel"))
            ?? Id(e.EventId, "eventId")
            ?? Date(e.OccurredAt, "occurredAt")
            ?? Zone(e.StoreTimeZone)
            ?? Currency(e.Currency, "currency")
            ?? Reporting(e.Reporting);
    }

    private static GuardProblem? Order(OrderEvent order)
    {
        var problem = Id(order.OrderId, "orderId")
            ?? Date(order.PlacedAt, "placedAt")
            ?? Date(order.Version, "version")
            ?? (order.CancelledAt is { } cancelled ? Date(cancelled, "cancelledAt") : null)
            ?? Amount(order.TotalPrice, "totalPrice")
            ?? Amount(order.SubtotalPrice, "subtotalPrice")
            ?? Amount(order.TotalTax, "totalTax")
            ?? Amount(order.TotalDiscounts, "totalDiscounts")
            ?? Amount(order.TotalShipping, "totalShipping")
            ?? OptionalId(order.CustomerId, "customerId")
            ?? OptionalText(order.SourceName, "sourceName")
            ?? OptionalText(order.CountryCode, "countryCode")
            ?? OptionalText(order.LandingSite, "landingSite")
            ?? OptionalText(order.ReferringSite, "referringSite")
            ?? OptionalText(order.UtmSource, "utmSource")
            ?? OptionalText(order.UtmMedium, "utmMedium")
            ?? OptionalText(order.UtmCampaign, "utmCampaign")
            ?? OptionalId(order.CustomerEmailHash, "customerEmailHash");
        return problem ?? Lines(order.Lines, "lines", required: true, minQuantity: 1);
    }

    private static GuardProblem? Refund(RefundIssued refund) =>
        Id(refund.RefundId, "refundId")
        ?? Id(refund.OrderId, "orderId")
        ?? Amount(refund.Amount, "amount")
        ?? (refund.Units is < 0 or > (int)MaxUnits ? new GuardProblem("units", $"{refund.Units} is not between 0 and {MaxUnits}") : null)
        ?? Lines(refund.Lines, "lines", required: false, minQuantity: 0);

    private static GuardProblem? Shipment(ShipmentUpdated shipment) =>
        Id(shipment.Carrier, "carrier")
        ?? Id(shipment.TrackingCode, "trackingCode")
        ?? Id(shipment.Status, "status")
        ?? OptionalText(shipment.StatusDetail, "statusDetail")
        ?? OptionalId(shipment.OrderId, "orderId")
        ?? OptionalId(shipment.ShipmentReference, "shipmentReference")
        ?? OptionalId(shipment.TrackerId, "trackerId")
        ?? OptionalText(shipment.PublicUrl, "publicUrl")
        ?? (shipment.EstimatedDelivery is { } estimate ? Date(estimate, "estimatedDelivery") : null)
        ?? (shipment.ShippedAt is { } shipped ? Date(shipped, "shippedAt") : null)
        ?? (shipment.DeliveredAt is { } delivered ? Date(delivered, "deliveredAt") : null);

    private static GuardProblem? Traffic(TrafficReported traffic) =>
        (traffic.Day < DateOnly.FromDateTime(EarliestDate.UtcDateTime) ? new GuardProblem("day", $"{traffic.Day:yyyy-MM-dd} is before {EarliestDate:yyyy-MM-dd}") : null)
        ?? Id(traffic.Source, "source")
        ?? OptionalText(traffic.Medium, "medium")
        ?? Count(traffic.Users, "users")
        ?? Count(traffic.ActiveUsers, "activeUsers")
        ?? Count(traffic.Sessions, "sessions")
        ?? Amount(traffic.Conversions, "conversions")
        ?? Date(traffic.ReportedAt, "reportedAt");

    /// <param name="minQuantity">1 for an order's lines (a line sells at least one unit; platforms keep a removed line's
    /// original quantity), 0 for a refund's (a refund can return money on a line without returning units).</param>
    private static GuardProblem? Lines(IReadOnlyList<OrderLine>? lines, string path, bool required, int minQuantity)
    {
        if (lines is null)
        {
            return required ? new GuardProblem(path, "missing") : null;
        }

        if (lines.Count > MaxLines)
        {
            return new(path, $"{lines.Count} lines, more than {MaxLines}");
        }

        // A line's path ("lines[3].sku") is spelled out only when that line is wrong: the guard runs on every event several
        // times on its way in, and four path strings a line each time were a fifth of a webhook's strings (bench/README,
        // issue 15 pt 1 at stop 24).
        long units = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is not { } line)
            {
                return new($"{path}[{i}]", "missing");
            }

            if (line.Quantity < minQuantity || line.Quantity > MaxLineQuantity)
            {
                return new($"{path}[{i}].quantity", $"{line.Quantity} is not between {minQuantity} and {MaxLineQuantity}");
            }

            if (TextDetail(line.Sku, MaxIdLength) is { } sku)
            {
                return new($"{path}[{i}].sku", sku);
            }

            if (TextDetail(line.Title, MaxTextLength) is { } title)
            {
                return new($"{path}[{i}].title", title);
            }

            if (AmountDetail(line.UnitPrice) is { } price)
            {
                return new($"{path}[{i}].unitPrice", price);
            }

            units += line.Quantity;
        }

        return units > MaxUnits ? new GuardProblem($"{path}[].quantity", $"the lines add up to {units} units, more than {MaxUnits}") : null;
    }

    private static GuardProblem? Reporting(ReportingConversion? reporting)
    {
        if (reporting is null)
        {
            return null;
        }

        return Currency(reporting.Currency, "reporting.currency")
            ?? (reporting.Rate is > 0m and <= 1_000_000m ? null : new GuardProblem("reporting.rate", $"{reporting.Rate} is not a usable exchange rate"))
            ?? Text(reporting.RateSource, "reporting.rateSource", MaxIdLength);
    }

    private static GuardProblem? Zone(string? zone) =>
        string.IsNullOrWhiteSpace(zone) ? new GuardProblem("storeTimeZone", "missing")
        : zone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? new GuardProblem("storeTimeZone", $"unknown time zone '{Truncate(zone)}'")
        : null;

    private static GuardProblem? Currency(string? currency, string field) =>
        currency is { Length: 3 } && char.IsAsciiLetter(currency[0]) && char.IsAsciiLetter(currency[1]) && char.IsAsciiLetter(currency[2]) ? null : new GuardProblem(field, $"'{Truncate(currency ?? string.Empty)}' is not a three-letter currency code");

    private static GuardProblem? Amount(decimal amount, string field) =>
        AmountDetail(amount) is { } detail ? new(field, detail) : null;

    /// <summary>What is wrong with an amount, or null: the field's name is the caller's to add.</summary>
    private static string? AmountDetail(decimal amount) =>
        amount is >= 0m and <= MaxAmount ? null : $"{amount.ToString(CultureInfo.InvariantCulture)} is not between 0 and {MaxAmount:0}";

    private static GuardProblem? Count(long count, string field) =>
        count is >= 0 and <= MaxCount ? null : new GuardProblem(field, $"{count} is not between 0 and {MaxCount}");

    private static GuardProblem? Date(DateTimeOffset date, string field) =>
        date >= EarliestDate ? null : new GuardProblem(field, $"{Format(date)} is before {Format(EarliestDate)}");

    private static GuardProblem? Id(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? new GuardProblem(field, "missing") : Text(value, field, MaxIdLength);

    private static GuardProblem? OptionalId(string? value, string field) => value is null ? null : Text(value, field, MaxIdLength);

    private static GuardProblem? OptionalText(string? value, string field) => value is null ? null : Text(value, field, MaxTextLength);

    /// <summary>
    /// Length, NUL and unpaired surrogates: NUL cannot be stored in a PostgreSQL text column and an unpaired surrogate
    /// cannot be written as UTF-8 JSON, so either would fail the journal write of an event already acknowledged.
    /// </summary>
    private static GuardProblem? Text(string? value, string field, int maxLength) =>
        TextDetail(value, maxLength) is { } detail ? new(field, detail) : null;

    /// <summary>What is wrong with a text field, or null: the field's name is the caller's to add.</summary>
    private static string? TextDetail(string? value, int maxLength)
    {
        if (value is null)
        {
            return "missing";
        }

        if (value.Length > maxLength)
        {
            return $"{value.Length} characters, more than {maxLength}";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return $"contains a NUL character at {i}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"contains an unpaired UTF-16 surrogate at {i}";
            }
        }

        return null;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
