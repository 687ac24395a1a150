using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SalesDash.Connectors.Datasets.OnlineRetail;

namespace SalesDash.Connectors.Shopify.Replay;

/// <summary>One webhook delivery of a replay: when to send it, and what. The body is the raw bytes to sign and post.</summary>
public sealed record ReplayWebhook(DateTimeOffset DueAt, string Topic, string WebhookId, string ShopDomain, byte[] Body);

/// <summary>An invoice of the folded data days that produced no webhook, and why.</summary>
public sealed record SkippedInvoice(string InvoiceNo, DateOnly DatasetDay, string Reason);

/// <summary>One store-local demo day: its webhooks in due order, and what they were made from.</summary>
public sealed record ReplayDay(
    DateOnly LocalDate,
    int HourShift,
    IReadOnlyList<DateOnly> DatasetDays,
    IReadOnlyList<ReplayWebhook> Webhooks,
    IReadOnlyList<SkippedInvoice> Skipped);

/// <summary>
/// Turns the Online Retail invoices into the Shopify webhooks a live shop would send on a given local date.
/// The data set's trading days are folded onto an <see cref="CycleDays"/>-day cycle (day index mod 8 = the demo
/// date's day number mod 8), each invoice keeping its time of day, so any date gets a realistic day of trade.
/// Deterministic: the same lines, date and options give byte-identical webhooks.
/// </summary>
public sealed class ShopifyReplayPlan
{
    /// <summary>About 305 trading days over 8 demo days gives each demo day ~38 days of the sampled trade (~1,500 invoices).</summary>
    public const int CycleDays = 8;

    /// <summary>The data's busy hours (UK local): most invoices fall between 10:00 and 16:00.</summary>
    public static readonly TimeSpan BusyWindowStart = TimeSpan.FromHours(10);

    public static readonly TimeSpan BusyWindowEnd = TimeSpan.FromHours(16);

    // Ids are day number × 10^7 + the six-digit invoice number; synthetic order ids (refunds of orders outside the
    // replay) add 5 × 10^6, so they can never equal a real order id. Day numbers near 740,000 keep ids below 2^53,
    // which JavaScript clients still read exactly.
    private const long DayIdFactor = 10_000_000;
    private const long SyntheticOrderOffset = 5_000_000;
    private const int MaxInvoiceDigits = 6;

    private readonly IReadOnlyList<DateOnly> tradingDays;
    private readonly Dictionary<DateOnly, List<Invoice>> invoicesByDay;

    public ShopifyReplayPlan(IEnumerable<RetailLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var invoices = lines
            .GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
            .Select(g => new Invoice(g.Key, g.OrderBy(l => l.LineNumber).ToList()))
            .ToList();

        invoicesByDay = invoices
            .GroupBy(i => i.Day)
            .ToDictionary(g => g.Key, g => g.OrderBy(i => i.InvoiceNo, StringComparer.Ordinal).ToList());
        tradingDays = [.. invoicesByDay.Keys.Order()];
    }

    /// <summary>Every distinct day of the data set that has an invoice, oldest first; its index is the fold key.</summary>
    public IReadOnlyList<DateOnly> TradingDays => tradingDays;

    /// <summary>The data set's days whose trade plays on <paramref name="localDate"/>.</summary>
    public IReadOnlyList<DateOnly> DatasetDaysFor(DateOnly localDate)
    {
        var slot = localDate.DayNumber % CycleDays;
        return [.. tradingDays.Where((_, index) => index % CycleDays == slot)];
    }

    /// <summary>
    /// The smallest whole-hour shift (by size; later rather than earlier on a tie) that shows the data's busy window
    /// at the store-local time of <paramref name="now"/>: 0 when the local time is already between 10:00 and 16:00.
    /// </summary>
    public static int AutoHourShift(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone).TimeOfDay;
        for (var size = 0; size <= 12; size++)
        {
            foreach (var shift in size == 0 ? [0] : new[] { size, -size })
            {
                var dataTime = Wrap(local - TimeSpan.FromHours(shift));
                if (dataTime >= BusyWindowStart && dataTime < BusyWindowEnd)
                {
                    return shift;
                }
            }
        }

        // Unreachable: a six-hour window is always within twelve hours of any time of day.
        return 0;
    }

    /// <summary>The webhooks of one store-local date, in due order (ties keep their order of emission).</summary>
    public ReplayDay Build(DateOnly localDate, ShopifyReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HourShift is < -23 or > 23)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HourShift, "HourShift must be between -23 and 23 hours.");
        }

        var datasetDays = DatasetDaysFor(localDate);
        var shift = TimeSpan.FromHours(options.HourShift);
        var skipped = new List<SkippedInvoice>();

        var timeline = datasetDays
            .SelectMany(day => invoicesByDay[day])
            .Select(invoice =>
            {
                var wall = Wrap(invoice.TimeOfDay + shift);
                return (Invoice: invoice, Wall: wall, DueAt: ToInstant(localDate.ToDateTime(TimeOnly.FromTimeSpan(wall)), options.TimeZone));
            })
            .OrderBy(e => e.DueAt)
            .ThenBy(e => e.Wall)
            .ThenBy(e => e.Invoice.InvoiceNo, StringComparer.Ordinal)
            .ToList();

        var emitted = new List<ReplayWebhook>();
        var ordersSoFar = new Dictionary<long, int>();
        var lastOrderOf = new Dictionary<long, long>();
        var orderIndex = 0;
        var dayIdBase = localDate.DayNumber * DayIdFactor;

        foreach (var (invoice, _, dueAt) in timeline)
        {
            if (!TryInvoiceNumber(invoice.InvoiceNo, out var isCancellation, out var number))
            {
                skipped.Add(new SkippedInvoice(invoice.InvoiceNo, invoice.Day, "invoice number is neither six digits (a sale) nor C + six digits (a cancellation)"));
                continue;
            }

            if (isCancellation)
            {
                var orderId = invoice.CustomerId is { } buyer && lastOrderOf.TryGetValue(buyer, out var earlier)
                    ? earlier
                    : dayIdBase + SyntheticOrderOffset + number;
                var body = RefundBody(invoice, dayIdBase + number, orderId, dueAt, options.Currency);
                emitted.Add(new ReplayWebhook(dueAt, ShopifyTopics.RefundsCreate, WebhookId(options, localDate, "refund", invoice.InvoiceNo), options.ShopDomain, body));
                continue;
            }

            var saleLines = invoice.Lines.Where(l => l.Quantity > 0).ToList();
            if (saleLines.Count == 0)
            {
                // In the data these are stock write-offs: negative quantity, price 0, no description, no customer.
                skipped.Add(new SkippedInvoice(invoice.InvoiceNo, invoice.Day, "no line with a positive quantity (a stock adjustment, not a sale)"));
                continue;
            }

            var id = dayIdBase + number;
            int? ordersCount = null;
            if (invoice.CustomerId is { } customer)
            {
                ordersCount = ordersSoFar.GetValueOrDefault(customer) + 1;
                ordersSoFar[customer] = ordersCount.Value;
                lastOrderOf[customer] = id;
            }

            var createId = WebhookId(options, localDate, "create", invoice.InvoiceNo);
            var created = OrderBody(invoice, saleLines, id, number, dueAt, dueAt, ordersCount, options.Currency);
            emitted.Add(new ReplayWebhook(dueAt, ShopifyTopics.OrdersCreate, createId, options.ShopDomain, created));

            if (options.DuplicateEvery > 0 && orderIndex % options.DuplicateEvery == options.DuplicateEvery - 1
                && StaysOnDate(dueAt + options.DuplicateDelay, localDate, options.TimeZone))
            {
                // A retry: same id, same bytes, a little later — ingestion must count it once.
                emitted.Add(new ReplayWebhook(dueAt + options.DuplicateDelay, ShopifyTopics.OrdersCreate, createId, options.ShopDomain, created));
            }

            if (options.UpdateEvery > 0 && orderIndex % options.UpdateEvery == options.UpdateEvery / 2
                && StaysOnDate(dueAt + options.UpdateDelay, localDate, options.TimeZone))
            {
                var updatedAt = ToZone(dueAt + options.UpdateDelay, options.TimeZone);
                var updated = OrderBody(invoice, saleLines, id, number, dueAt, updatedAt, ordersCount, options.Currency);
                emitted.Add(new ReplayWebhook(updatedAt, ShopifyTopics.OrdersUpdated, WebhookId(options, localDate, "update", invoice.InvoiceNo), options.ShopDomain, updated));
            }

            orderIndex++;
        }

        // OrderBy is stable, so deliveries due at the same instant keep the timeline's order.
        var webhooks = emitted.OrderBy(w => w.DueAt).ToList();
        return new ReplayDay(localDate, options.HourShift, datasetDays, webhooks, skipped);
    }

    private static TimeSpan Wrap(TimeSpan timeOfDay)
    {
        var ticks = timeOfDay.Ticks % TimeSpan.TicksPerDay;
        return TimeSpan.FromTicks(ticks < 0 ? ticks + TimeSpan.TicksPerDay : ticks);
    }

    /// <summary>
    /// A store wall-clock time as an instant. A time the clocks skip (spring forward) is delivered the moment they
    /// jump; a time they pass twice (fall back) takes the first pass. Both keep due times in wall-clock order.
    /// </summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        var probe = local;
        while (zone.IsInvalidTime(probe))
        {
            probe = probe.AddMinutes(1);
        }

        DateTime utc;
        if (zone.IsAmbiguousTime(probe))
        {
            // The larger offset is the earlier pass (e.g. 01:30 BST before 01:30 GMT).
            var offset = zone.GetAmbiguousTimeOffsets(probe).Max();
            utc = DateTime.SpecifyKind(probe - offset, DateTimeKind.Utc);
        }
        else
        {
            utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(probe, DateTimeKind.Unspecified), zone);
        }

        return ToZone(new DateTimeOffset(utc, TimeSpan.Zero), zone);
    }

    private static DateTimeOffset ToZone(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    private static bool StaysOnDate(DateTimeOffset instant, DateOnly localDate, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(ToZone(instant, zone).DateTime) == localDate;

    private static bool TryInvoiceNumber(string invoiceNo, out bool isCancellation, out long number)
    {
        isCancellation = invoiceNo.StartsWith('C');
        var digits = isCancellation ? invoiceNo[1..] : invoiceNo;
        number = 0;
        return digits.Length is > 0 and <= MaxInvoiceDigits
            && digits.All(char.IsAsciiDigit)
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Shopify webhook ids are UUIDs; these are name-based (SHA-256 of shop, date, purpose, invoice) so replays repeat them.</summary>
    private static string WebhookId(ShopifyReplayOptions options, DateOnly localDate, string purpose, string invoiceNo)
    {
        var name = $"{options.ShopDomain}|{localDate:yyyy-MM-dd}|{purpose}|{invoiceNo}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: custom, per RFC 9562
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Unit prices keep the data's precision (the full data set has sub-penny prices) but show at least pence.</summary>
    private static string Price(decimal amount) => amount.ToString("0.00######", CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static byte[] OrderBody(
        Invoice invoice, List<RetailLine> saleLines, long id, long number, DateTimeOffset createdAt, DateTimeOffset updatedAt, int? ordersCount, string currency)
    {
        var total = Math.Round(saleLines.Sum(l => l.Quantity * l.UnitPrice), 2, MidpointRounding.AwayFromZero);
        var buffer = new ArrayBufferWriter<byte>(512 + (saleLines.Count * 160));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("name", "#" + invoice.InvoiceNo);
            json.WriteNumber("order_number", number);
            json.WriteString("created_at", Timestamp(createdAt));
            json.WriteString("updated_at", Timestamp(updatedAt));
            json.WriteString("processed_at", Timestamp(createdAt));
            json.WriteNull("cancelled_at");
            json.WriteString("currency", currency);
            json.WriteString("financial_status", "paid");
            json.WriteString("source_name", "web");
            json.WriteString("total_price", Money(total));
            json.WriteString("subtotal_price", Money(total));
            json.WriteString("total_line_items_price", Money(total));
            json.WriteString("total_tax", "0.00");
            json.WriteString("total_discounts", "0.00");
            json.WriteStartObject("total_shipping_price_set");
            json.WriteStartObject("shop_money");
            json.WriteString("amount", "0.00");
            json.WriteString("currency_code", currency);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("line_items");
            for (var i = 0; i < saleLines.Count; i++)
            {
                var line = saleLines[i];
                json.WriteStartObject();
                json.WriteNumber("id", (id * 1000) + i + 1);
                json.WriteString("sku", line.StockCode);
                json.WriteString("title", line.Description);
                json.WriteNumber("quantity", line.Quantity);
                json.WriteString("price", Price(line.UnitPrice));
                json.WriteEndObject();
            }

            json.WriteEndArray();

            if (invoice.CustomerId is { } customerId)
            {
                json.WriteStartObject("customer");
                json.WriteNumber("id", customerId);
                json.WriteNumber("orders_count", ordersCount ?? 1);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("customer");
            }

            WriteAddress(json, "shipping_address", invoice.Country);
            WriteAddress(json, "billing_address", invoice.Country);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAddress(Utf8JsonWriter json, string name, string country)
    {
        json.WriteStartObject(name);
        json.WriteString("country", country);
        if (RetailCountries.CodeFor(country) is { } code)
        {
            json.WriteString("country_code", code);
        }
        else
        {
            json.WriteNull("country_code");
        }

        json.WriteEndObject();
    }

    private static byte[] RefundBody(Invoice invoice, long refundId, long orderId, DateTimeOffset at, string currency)
    {
        var amount = Math.Round(invoice.Lines.Sum(l => Math.Abs(l.Quantity) * l.UnitPrice), 2, MidpointRounding.AwayFromZero);
        var buffer = new ArrayBufferWriter<byte>(512 + (invoice.Lines.Count * 200));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", refundId);
            json.WriteNumber("order_id", orderId);
            json.WriteString("created_at", Timestamp(at));
            json.WriteString("processed_at", Timestamp(at));
            json.WriteString("note", "Cancellation " + invoice.InvoiceNo);
            json.WriteBoolean("restock", true);

            json.WriteStartArray("refund_line_items");
            for (var i = 0; i < invoice.Lines.Count; i++)
            {
                var line = invoice.Lines[i];
                var quantity = Math.Abs(line.Quantity);
                json.WriteStartObject();
                json.WriteNumber("id", (refundId * 1000) + i + 1);
                json.WriteNumber("quantity", quantity);
                json.WriteString("subtotal", Money(Math.Round(quantity * line.UnitPrice, 2, MidpointRounding.AwayFromZero)));
                json.WriteString("total_tax", "0.00");
                json.WriteStartObject("line_item");
                json.WriteString("sku", line.StockCode);
                json.WriteString("title", line.Description);
                json.WriteNumber("quantity", quantity);
                json.WriteString("price", Price(line.UnitPrice));
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("transactions");
            json.WriteStartObject();
            json.WriteNumber("id", refundId);
            json.WriteNumber("order_id", orderId);
            json.WriteString("kind", "refund");
            json.WriteString("status", "success");
            json.WriteString("amount", Money(amount));
            json.WriteString("currency", currency);
            json.WriteString("gateway", "manual");
            json.WriteString("created_at", Timestamp(at));
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An invoice as one order (or cancellation): the data set's lines that share an InvoiceNo.</summary>
    private sealed class Invoice(string invoiceNo, List<RetailLine> lines)
    {
        public string InvoiceNo { get; } = invoiceNo;
        public List<RetailLine> Lines { get; } = lines;

        // An invoice's lines can straddle a minute; the order is placed when its first line was written.
        public DateTime PlacedAt { get; } = lines.Min(l => l.InvoiceDate);
        public DateOnly Day => DateOnly.FromDateTime(PlacedAt);
        public TimeSpan TimeOfDay => PlacedAt.TimeOfDay;
        public long? CustomerId => Lines[0].CustomerId;
        public string Country => Lines[0].Country;
    }
}
