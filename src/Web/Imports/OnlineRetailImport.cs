using SalesDash.Connectors.Datasets.OnlineRetail;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Web.Imports;

/// <summary>
/// Turns an Online Retail file into orders and refunds. Each InvoiceNo is one order made of its positive lines,
/// placed when its first line was written (the file's wall-clock time, read in the store's zone); a "C" invoice is
/// a refund of its lines. A customer's first invoice in the file is a new customer's order, later ones returning;
/// guest invoices count as new, as the live tiles count them. Rows the reader rejects and invoices with no sold
/// line (stock adjustments) are reported with their line numbers.
/// </summary>
internal static class OnlineRetailImport
{
    public const string FormatName = "online-retail";

    public static async Task<ParsedImport> ParseAsync(Stream file, ImportTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var read = await OnlineRetailCsv.ReadAsync(file, cancellationToken);
        var errors = read.Errors.Select(e => new ImportError(e.LineNumber, e.Message)).ToList();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(target.TimeZone);

        var invoices = read.Lines
            .GroupBy(l => l.InvoiceNo, StringComparer.Ordinal)
            .Select(g => g.OrderBy(l => l.LineNumber).ToList())
            .Select(lines => (Lines: lines, PlacedAt: HistoryPeriods.LocalToUtc(lines.Min(l => l.InvoiceDate), zone)))
            .OrderBy(i => i.PlacedAt)
            .ThenBy(i => i.Lines[0].InvoiceNo, StringComparer.Ordinal)
            .ToList();

        var events = new List<ImportEvent>();
        var customersSeen = new HashSet<long>();
        foreach (var (lines, placedAt) in invoices)
        {
            var first = lines[0];
            if (first.IsCancellation)
            {
                events.Add(new ImportEvent(Refund(lines, placedAt, target), first.LineNumber, lines.Count));
                continue;
            }

            var sold = lines.Where(l => l.Quantity > 0).ToList();
            foreach (var skipped in lines.Where(l => l.Quantity <= 0))
            {
                errors.Add(new ImportError(skipped.LineNumber, sold.Count == 0
                    ? $"invoice {first.InvoiceNo} has no line with a positive quantity (a stock adjustment, not a sale); not imported"
                    : $"invoice {first.InvoiceNo}: a line with quantity {skipped.Quantity} in a sale; not imported"));
            }

            if (sold.Count == 0)
            {
                continue;
            }

            var returning = first.CustomerId is { } customer && !customersSeen.Add(customer);
            events.Add(new ImportEvent(Order(first, sold, placedAt, returning, target), first.LineNumber, sold.Count));
        }

        return new ParsedImport(events, [.. errors.OrderBy(e => e.Line)], read.Lines.Count + read.Errors.Count);
    }

    private static OrderPlaced Order(RetailLine first, List<RetailLine> sold, DateTimeOffset placedAt, bool returning, ImportTarget target) => new()
    {
        Store = target.Store,
        Channel = target.Channel,
        EventId = target.EventId(FormatName, "order", first.InvoiceNo),
        OccurredAt = placedAt,
        StoreTimeZone = target.TimeZone,
        Currency = target.Currency,
        OrderId = first.InvoiceNo,
        PlacedAt = placedAt,
        Version = placedAt,
        TotalPrice = HistoryFacts.Cents(sold.Sum(l => l.Quantity * l.UnitPrice)),
        SubtotalPrice = HistoryFacts.Cents(sold.Sum(l => l.Quantity * l.UnitPrice)),
        Lines = [.. sold.Select(l => new OrderLine(l.StockCode, l.Description, l.Quantity, l.UnitPrice))],
        CustomerId = first.CustomerId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ReturningCustomer = returning,
        SourceName = FormatName,

        // The data set names countries ("United Kingdom", "EIRE"); they are kept as named rather than guessed into codes.
        CountryCode = string.IsNullOrWhiteSpace(first.Country) ? null : first.Country,
    };

    private static RefundIssued Refund(List<RetailLine> lines, DateTimeOffset at, ImportTarget target) => new()
    {
        Store = target.Store,
        Channel = target.Channel,
        EventId = target.EventId(FormatName, "refund", lines[0].InvoiceNo),
        OccurredAt = at,
        StoreTimeZone = target.TimeZone,
        Currency = target.Currency,
        RefundId = lines[0].InvoiceNo,

        // The data set does not say which sale a cancellation undoes; the cancellation's own number stands in.
        OrderId = lines[0].InvoiceNo,
        Amount = HistoryFacts.Cents(lines.Sum(l => Math.Abs(l.Quantity) * l.UnitPrice)),
        Units = lines.Sum(l => Math.Abs(l.Quantity)),
        Lines = [.. lines.Select(l => new OrderLine(l.StockCode, l.Description, Math.Abs(l.Quantity), l.UnitPrice))],
    };
}
