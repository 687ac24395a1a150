using System.Globalization;
using System.Text;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Web.Imports;

/// <summary>
/// Turns Shopify's order export CSV into orders (and refunds, from "Refunded Amount"). The export has one row per
/// line item; order-level fields (Created at, Total, Email, ...) are on each order's first row only. A bad row
/// rejects its whole order — importing part of an order would misstate its total — and every row of that order is
/// reported with its line number.
/// </summary>
internal static class ShopifyOrderExportImport
{
    public const string FormatName = "shopify-orders";

    private static readonly string[] Required = ["Name", "Created at", "Total", "Lineitem quantity", "Lineitem name", "Lineitem price"];

    private static readonly string[] DateFormats = ["yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss"];

    public static async Task<ParsedImport> ParseAsync(Stream file, ImportTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(target.TimeZone);
        var errors = new List<ImportError>();
        var orders = new Dictionary<string, Draft>(StringComparer.Ordinal);
        var ordered = new List<Draft>();
        Dictionary<string, int>? columns = null;
        var dataRows = 0;

        await foreach (var record in Csv.ReadAsync(reader, cancellationToken))
        {
            if (columns is null)
            {
                columns = record.Fields.Select((name, i) => (name: name.Trim(), i))
                    .GroupBy(c => c.name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
                var missing = Required.Where(r => !columns.ContainsKey(r)).ToList();
                if (missing.Count > 0)
                {
                    errors.Add(new ImportError(record.Line, $"header lacks column(s) {string.Join(", ", missing)}"));
                    return new ParsedImport([], errors, 0);
                }

                continue;
            }

            dataRows++;
            if (Csv.IsUnclosed(record))
            {
                errors.Add(new ImportError(record.Line, "a quoted field is never closed"));
                break;
            }

            if (record.Fields.Count != columns.Count)
            {
                errors.Add(new ImportError(record.Line, $"expected {columns.Count} fields but found {record.Fields.Count}"));
                continue;
            }

            var row = new Row(record, columns);
            var name = row["Name"];
            if (name.Length == 0)
            {
                errors.Add(new ImportError(record.Line, "Name (the order's number) is empty"));
                continue;
            }

            if (!orders.TryGetValue(name, out var draft))
            {
                draft = new Draft(name, record.Line);
                orders[name] = draft;
                ordered.Add(draft);
                ReadOrderFields(draft, row, zone);
            }

            draft.Lines.Add(record.Line);
            ReadLine(draft, row);
        }

        var events = new List<ImportEvent>();
        var customersSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var draft in ordered.OrderBy(d => d.CreatedAt ?? DateTimeOffset.MaxValue).ThenBy(d => d.FirstLine))
        {
            if (draft.Problem is { } problem)
            {
                errors.Add(new ImportError(problem.Line, $"order {draft.Name}: {problem.Message}; order not imported"));
                errors.AddRange(draft.Lines.Where(l => l != problem.Line)
                    .Select(l => new ImportError(l, $"order {draft.Name} has a bad row at line {problem.Line}; not imported")));
                continue;
            }

            var returning = draft.Email is { Length: > 0 } email && !customersSeen.Add(email);
            var order = Order(draft, returning, target);
            events.Add(new ImportEvent(order, draft.FirstLine, draft.Lines.Count));
            if (draft.Refunded > 0m)
            {
                events.Add(new ImportEvent(Refund(draft, order, target), draft.FirstLine, 0));
            }
        }

        return new ParsedImport(events, [.. errors.OrderBy(e => e.Line)], dataRows);
    }

    private static void ReadOrderFields(Draft draft, Row row, TimeZoneInfo zone)
    {
        draft.CreatedAt = Date(row, "Created at", zone, required: true, draft);
        draft.CancelledAt = Date(row, "Cancelled at", zone, required: false, draft);
        draft.PaidAt = Date(row, "Paid at", zone, required: false, draft);
        draft.Total = Money(row, "Total", required: true, draft) ?? 0m;
        draft.Subtotal = Money(row, "Subtotal", required: false, draft) ?? 0m;
        draft.Shipping = Money(row, "Shipping", required: false, draft) ?? 0m;
        draft.Taxes = Money(row, "Taxes", required: false, draft) ?? 0m;
        draft.Discounts = Money(row, "Discount Amount", required: false, draft) ?? 0m;
        draft.Refunded = Money(row, "Refunded Amount", required: false, draft) ?? 0m;
        draft.Email = row["Email"];
        draft.Currency = row["Currency"];
        draft.Id = row["Id"];
        draft.Source = row["Source"];
        draft.Country = row["Shipping Country"] is { Length: > 0 } shipping ? shipping : row["Billing Country"];
        if (draft.Total < 0m || draft.Refunded < 0m)
        {
            draft.Fail(row.Line, "Total and Refunded Amount must not be negative");
        }
    }

    private static void ReadLine(Draft draft, Row row)
    {
        var title = row["Lineitem name"];
        if (!int.TryParse(row["Lineitem quantity"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var quantity) || quantity <= 0)
        {
            draft.Fail(row.Line, $"Lineitem quantity '{row["Lineitem quantity"]}' is not a positive whole number");
            return;
        }

        if (!decimal.TryParse(row["Lineitem price"], NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0m)
        {
            draft.Fail(row.Line, $"Lineitem price '{row["Lineitem price"]}' is not a price");
            return;
        }

        var sku = row["Lineitem sku"] is { Length: > 0 } s ? s : title;
        draft.Items.Add(new OrderLine(sku, title, quantity, price));
    }

    private static DateTimeOffset? Date(Row row, string column, TimeZoneInfo zone, bool required, Draft draft)
    {
        var text = row[column];
        if (text.Length == 0)
        {
            if (required)
            {
                draft.Fail(row.Line, $"{column} is empty on the order's first row");
            }

            return null;
        }

        if (DateTimeOffset.TryParseExact(text, DateFormats[..3], CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
        {
            return withOffset.ToUniversalTime();
        }

        if (DateTime.TryParseExact(text, DateFormats[3], CultureInfo.InvariantCulture, DateTimeStyles.None, out var wall))
        {
            return HistoryPeriods.LocalToUtc(wall, zone);
        }

        draft.Fail(row.Line, $"{column} '{text}' is not a date like 2024-01-15 10:23:45 -0500");
        return null;
    }

    private static decimal? Money(Row row, string column, bool required, Draft draft)
    {
        var text = row[column];
        if (text.Length == 0)
        {
            if (required)
            {
                draft.Fail(row.Line, $"{column} is empty on the order's first row");
            }

            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return amount;
        }

        draft.Fail(row.Line, $"{column} '{text}' is not an amount");
        return null;
    }

    private static OrderPlaced Order(Draft draft, bool returning, ImportTarget target)
    {
        var created = draft.CreatedAt!.Value;
        return new OrderPlaced
        {
            Store = target.Store,
            Channel = target.Channel,
            EventId = target.EventId(FormatName, "order", draft.Name),
            OccurredAt = created,
            StoreTimeZone = target.TimeZone,
            Currency = draft.Currency is { Length: > 0 } currency ? currency : target.Currency,
            OrderId = draft.Id is { Length: > 0 } id ? id : draft.Name,
            PlacedAt = created,
            Version = created,
            TotalPrice = draft.Total,
            SubtotalPrice = draft.Subtotal,
            TotalTax = draft.Taxes,
            TotalShipping = draft.Shipping,
            TotalDiscounts = draft.Discounts,
            Lines = draft.Items,
            CustomerId = draft.Email is { Length: > 0 } email ? email : null,
            ReturningCustomer = returning,
            CancelledAt = draft.CancelledAt,
            SourceName = draft.Source is { Length: > 0 } source ? source : null,
            CountryCode = draft.Country is { Length: > 0 } country ? country : null,
        };
    }

    private static RefundIssued Refund(Draft draft, OrderPlaced order, ImportTarget target)
    {
        // The export gives the refunded total but not when: the cancellation (or payment) time is the best it says.
        var at = draft.CancelledAt ?? draft.PaidAt ?? order.PlacedAt;
        return new RefundIssued
        {
            Store = target.Store,
            Channel = target.Channel,
            EventId = target.EventId(FormatName, "refund", draft.Name),
            OccurredAt = at,
            StoreTimeZone = target.TimeZone,
            Currency = order.Currency,
            RefundId = $"{order.OrderId}:refunded",
            OrderId = order.OrderId,
            Amount = HistoryFacts.Cents(draft.Refunded),
        };
    }

    private sealed class Row(CsvRecord record, Dictionary<string, int> columns)
    {
        public int Line => record.Line;

        public string this[string column] => columns.TryGetValue(column, out var i) ? record.Fields[i].Trim() : string.Empty;
    }

    private sealed class Draft(string name, int firstLine)
    {
        public string Name { get; } = name;
        public int FirstLine { get; } = firstLine;
        public List<int> Lines { get; } = [];
        public List<OrderLine> Items { get; } = [];
        public (int Line, string Message)? Problem { get; private set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? CancelledAt { get; set; }
        public DateTimeOffset? PaidAt { get; set; }
        public decimal Total { get; set; }
        public decimal Subtotal { get; set; }
        public decimal Shipping { get; set; }
        public decimal Taxes { get; set; }
        public decimal Discounts { get; set; }
        public decimal Refunded { get; set; }
        public string? Email { get; set; }
        public string? Currency { get; set; }
        public string? Id { get; set; }
        public string? Source { get; set; }
        public string? Country { get; set; }

        public void Fail(int line, string message) => Problem ??= (line, message);
    }
}
