using System.Globalization;
using System.Text;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.History;

namespace SalesDash.Web.Imports;

/// <summary>How to read a file: a known layout by name, or a column mapping (field → header), and the date order.</summary>
/// <param name="Layout">A <see cref="ImportLayouts.Known"/> name; null: recognised from the header.</param>
/// <param name="Mapping">Field → the header of its column, for files of no known layout; wins over <paramref name="Layout"/>.</param>
/// <param name="DateOrder">Day-first or month-first for slashed dates; null: decided from the file's own dates.</param>
public sealed record ImportSettings(string? Layout = null, IReadOnlyDictionary<ImportField, string>? Mapping = null, DateOrder? DateOrder = null);

/// <summary>One data row of a preview: its cells, and what it becomes.</summary>
/// <param name="Becomes">"order", "refund" or "rejected".</param>
/// <param name="PlacedAt">The event's time in the store's zone, as the dashboard will show it.</param>
/// <param name="Amount">The whole order's total or the refund's amount the row belongs to.</param>
public sealed record PreviewRow(
    int Line, IReadOnlyList<string> Cells, string Becomes, string? OrderId, DateTime? PlacedAt, decimal? Amount, string? Currency, string? Customer,
    string? Problem);

/// <summary>Everything read from a file: how it is written and laid out, and the events and rejected rows it makes.</summary>
/// <param name="Layout">The layout's name, <see cref="ImportLayouts.Custom"/> for a mapping, null when neither fits.</param>
/// <param name="Mapping">Field → header of the column used.</param>
/// <param name="DateOrder">The order slashed dates were read in; null when the file has none or it could not be decided.</param>
/// <param name="DateOrderFrom">"file" (a day or month over 12 decided it), "chosen", "ambiguous", or "none needed".</param>
/// <param name="Failure">Why nothing can be imported as set (no layout, ambiguous dates, unreadable header); null otherwise.</param>
public sealed record TableRead(
    TextShape Shape,
    IReadOnlyList<string> Header,
    string? Layout,
    IReadOnlyDictionary<ImportField, string> Mapping,
    DateOrder? DateOrder,
    string DateOrderFrom,
    ParsedImport Parsed,
    IReadOnlyList<PreviewRow> Preview,
    string? Failure);

/// <summary>
/// Reads any tabular orders export into orders and refunds. Rows are grouped by order id; order-level fields come from
/// the first row of the order that has them (Shopify writes them once), line fields from every row. A sale's total is
/// its Total column, else the sum of its lines (line totals, or quantity × unit price) plus per-row charges. Refunds
/// are a "Refunded" amount on the order, an order id with the layout's refund prefix (Online Retail's "C"), or rows
/// with a negative amount or quantity. A bad value rejects its whole order, every row reported by line, since part
/// of an order would misstate its total. Slashed dates are read day- or month-first as chosen, else as the file's own
/// values prove (a first number over 12 is a day); a file that proves neither is refused rather than guessed.
/// </summary>
public static class TableImport
{
    /// <summary>Bytes looked at to recognise encoding and delimiter; enough for a header and a few dozen rows.</summary>
    public const int SniffBytes = 64 * 1024;

    /// <summary>Statuses meaning no sale happened: such orders are reported, not imported.</summary>
    private static readonly string[] NotSales = ["cancelled", "canceled", "failed", "pending", "pending payment", "pendingpayment", "draft", "trash", "declined", "void", "voided"];

    public static async Task<TableRead> ReadAsync(Stream file, ImportSettings settings, ImportTarget target, int previewRows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(target);
        var head = new byte[SniffBytes];
        var headLength = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        var shape = TextSniffer.Sniff(head.AsSpan(0, headLength));
        using var reader = new StreamReader(new PrefixedStream(head.AsMemory(0, headLength), file), shape.Encoding, detectEncodingFromByteOrderMarks: true);
        var state = new ReadState(shape, settings, target, previewRows);
        await foreach (var record in Csv.ReadAsync(reader, shape.Delimiter, cancellationToken))
        {
            if (!state.Take(record))
            {
                break;
            }
        }

        return state.Finish();
    }

    /// <summary>A preview's sample cut at a byte limit ends inside a row: everything after the last line break is dropped.</summary>
    public static ReadOnlyMemory<byte> WholeLines(ReadOnlyMemory<byte> sample)
    {
        var last = sample.Span.LastIndexOf((byte)'\n');
        return last < 0 ? sample : sample[..(last + 1)];
    }

    private sealed class ReadState(TextShape shape, ImportSettings settings, ImportTarget target, int previewRows)
    {
        private readonly List<ImportError> _errors = [];
        private readonly Dictionary<(string Id, bool Refund), Draft> _drafts = [];
        private readonly List<Draft> _ordered = [];
        private readonly List<(CsvRecord Record, Draft? Draft, string? Problem)> _sample = [];
        private readonly Dictionary<DateOrder, int> _evidence = [];
        private IReadOnlyList<string>? _header;
        private Dictionary<ImportField, int> _columns = [];
        private ImportLayout? _layout;
        private string? _layoutName;
        private string? _failure;
        private bool _slashed;
        private int _dataRows;

        public bool Take(CsvRecord record)
        {
            if (_header is null)
            {
                _header = [.. record.Fields.Select(f => f.Trim().Trim('\uFEFF'))];
                _failure = Choose(record.Line);
                return _failure is null || previewRows > 0;
            }

            if (record.Fields.All(string.IsNullOrWhiteSpace))
            {
                return true;
            }

            _dataRows++;
            string? problem = null;
            Draft? draft = null;
            if (Csv.IsUnclosed(record))
            {
                problem = "a quoted field is never closed";
                _errors.Add(new ImportError(record.Line, problem));
            }
            else if (_failure is null)
            {
                (draft, problem) = Row(record);
            }

            if (_sample.Count < previewRows)
            {
                _sample.Add((record, draft, problem));
            }

            return !Csv.IsUnclosed(record) && (_failure is null || _sample.Count < previewRows);
        }

        private string? Choose(int line)
        {
            var header = _header!;
            if (settings.Mapping is { Count: > 0 } mapping)
            {
                var index = ImportLayouts.Index(header);
                var unknown = mapping.Where(m => !index.ContainsKey(ImportLayouts.Normalise(m.Value))).Select(m => $"'{m.Value}'").ToList();
                if (unknown.Count > 0)
                {
                    return $"the mapping names column(s) {string.Join(", ", unknown)}, which the header (line {line}) does not have";
                }

                _columns = mapping.ToDictionary(m => m.Key, m => index[ImportLayouts.Normalise(m.Value)]);
                _layoutName = ImportLayouts.Custom;
                return ImportLayouts.Incomplete(_columns);
            }

            if (settings.Layout is { Length: > 0 } name)
            {
                _layout = ImportLayouts.Find(name);
                if (_layout is null)
                {
                    return $"'{name}' is not a layout this importer knows ({string.Join(", ", ImportLayouts.Known.Select(l => l.Name))})";
                }

                if (!_layout.Fits(header))
                {
                    var found = _layout.Match(header);
                    var missing = _layout.Required.Where(f => !found.ContainsKey(f)).Select(f => _layout.Columns[f][0]);
                    _layoutName = _layout.Name;
                    return $"the header (line {line}) lacks column(s) {string.Join(", ", missing)} of the {_layout.Title}";
                }
            }
            else
            {
                _layout = ImportLayouts.Detect(header);
                if (_layout is null)
                {
                    return $"the header (line {line}) is not one of the known layouts ({string.Join(", ", ImportLayouts.Known.Select(l => l.Title))}); "
                        + "map its columns to an order id, a date and an amount";
                }
            }

            _layoutName = _layout.Name;
            _columns = _layout.Match(header);
            return null;
        }

        private (Draft? Draft, string? Problem) Row(CsvRecord record)
        {
            if (record.Fields.Count != _header!.Count)
            {
                return Reject(record.Line, $"expected {_header.Count} fields but found {record.Fields.Count}");
            }

            var id = Cell(record, ImportField.OrderId);
            if (ImportValues.IsMissing(id))
            {
                return Reject(record.Line, $"{Name(ImportField.OrderId)} (the order id) is empty");
            }

            string? problem = null;
            int? quantity = null;
            if (Has(record, ImportField.Quantity, out var quantityText))
            {
                if (ImportValues.TryQuantity(quantityText, shape.Delimiter, out var parsedQuantity))
                {
                    quantity = parsedQuantity;
                }
                else
                {
                    problem = $"{Name(ImportField.Quantity)} '{quantityText}' is not a whole number";
                }
            }

            decimal? lineAmount = null;
            decimal? unitPrice = null;
            if (Has(record, ImportField.LineTotal, out var lineText))
            {
                lineAmount = Amount(lineText, ImportField.LineTotal, ref problem);
                unitPrice = lineAmount is { } a && quantity is { } q && q != 0 ? Math.Abs(a / q) : lineAmount is { } b ? Math.Abs(b) : null;
            }
            else if (Has(record, ImportField.UnitPrice, out var priceText))
            {
                unitPrice = Amount(priceText, ImportField.UnitPrice, ref problem);
                lineAmount = unitPrice * (quantity ?? 1);
            }

            decimal? total = Has(record, ImportField.Total, out var totalText) ? Amount(totalText, ImportField.Total, ref problem) : null;
            var refund = _layout?.RefundPrefix is { } prefix
                ? id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                : quantity < 0 || lineAmount < 0 || total < 0;
            if (!_drafts.TryGetValue((id, refund), out var draft))
            {
                draft = new Draft(id, refund, record.Line);
                _drafts[(id, refund)] = draft;
                _ordered.Add(draft);
            }

            draft.Lines.Add(record.Line);
            if (problem is not null)
            {
                draft.Fail(record.Line, problem);
                return (draft, problem);
            }

            ReadOrderFields(draft, record, total);
            if (lineAmount is not null || quantity is not null)
            {
                var sku = Cell(record, ImportField.Sku) is { } s && !ImportValues.IsMissing(s) ? s : Cell(record, ImportField.Product) ?? string.Empty;
                var title = Cell(record, ImportField.Product) is { } p && !ImportValues.IsMissing(p) ? p : sku;
                draft.Items.Add(new Item(record.Line, sku, title, quantity ?? 1, unitPrice ?? 0m, lineAmount ?? 0m));
            }

            if (_layout?.ChargesPerRow == true)
            {
                draft.RowCharges += (Has(record, ImportField.Shipping, out var ship) ? Amount(ship, ImportField.Shipping, ref problem) ?? 0m : 0m)
                    + (Has(record, ImportField.Tax, out var tax) ? Amount(tax, ImportField.Tax, ref problem) ?? 0m : 0m);
                if (problem is not null)
                {
                    draft.Fail(record.Line, problem);
                }
            }

            return (draft, draft.Problem?.Line == record.Line ? draft.Problem?.Message : null);
        }

        private void ReadOrderFields(Draft draft, CsvRecord record, decimal? total)
        {
            string? problem = null;
            if (draft.DateText is null && Has(record, ImportField.Date, out var date))
            {
                draft.DateText = date;
                draft.DateLine = record.Line;
                Witness(date);
            }

            if (draft.CancelledText is null && Has(record, ImportField.CancelledAt, out var cancelled))
            {
                draft.CancelledText = cancelled;
                Witness(cancelled);
            }

            if (draft.PaidText is null && Has(record, ImportField.PaidAt, out var paid))
            {
                draft.PaidText = paid;
                Witness(paid);
            }

            draft.Total ??= total;
            if (_layout?.ChargesPerRow != true)
            {
                draft.Shipping ??= Has(record, ImportField.Shipping, out var ship) ? Amount(ship, ImportField.Shipping, ref problem) : null;
                draft.Tax ??= Has(record, ImportField.Tax, out var tax) ? Amount(tax, ImportField.Tax, ref problem) : null;
            }

            draft.Subtotal ??= Has(record, ImportField.Subtotal, out var sub) ? Amount(sub, ImportField.Subtotal, ref problem) : null;
            draft.Discounts ??= Has(record, ImportField.Discounts, out var disc) ? Amount(disc, ImportField.Discounts, ref problem) : null;
            draft.Refunded ??= Has(record, ImportField.Refunded, out var refunded) ? Amount(refunded, ImportField.Refunded, ref problem) : null;
            draft.Customer ??= Has(record, ImportField.Customer, out var customer) ? CustomerId(customer) : null;
            draft.Currency ??= Has(record, ImportField.Currency, out var currency) ? currency.ToUpperInvariant() : null;
            draft.Country ??= Has(record, ImportField.Country, out var country) ? country : null;
            draft.Status ??= Has(record, ImportField.Status, out var status) ? status : null;
            draft.Source ??= Has(record, ImportField.Source, out var source) ? source : null;
            draft.ExternalId ??= Has(record, ImportField.ExternalId, out var externalId) ? externalId : null;
            if (problem is not null)
            {
                draft.Fail(record.Line, problem);
            }
        }

        private void Witness(string date)
        {
            if (ImportValues.IsSlashed(date))
            {
                _slashed = true;
                if (ImportValues.Evidence(date) is { } order)
                {
                    _evidence[order] = _evidence.GetValueOrDefault(order) + 1;
                }
            }
        }

        private decimal? Amount(string text, ImportField field, ref string? problem)
        {
            if (ImportValues.TryAmount(text, shape.Delimiter, out var amount) && Math.Abs(amount) <= Engine.Quarantine.CommerceEventGuard.MaxAmount)
            {
                return amount;
            }

            problem ??= $"{Name(field)} '{text}' is not an amount";
            return null;
        }

        /// <summary>Spreadsheets turn customer numbers into floats ("17850.0"); the number is the id.</summary>
        private static string CustomerId(string text) =>
            decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n == decimal.Truncate(n) && text.Contains('.', StringComparison.Ordinal)
                ? decimal.Truncate(n).ToString(CultureInfo.InvariantCulture)
                : text;

        private (Draft? Draft, string? Problem) Reject(int line, string problem)
        {
            _errors.Add(new ImportError(line, problem));
            return (null, problem);
        }

        private string? Cell(CsvRecord record, ImportField field) =>
            _columns.TryGetValue(field, out var i) && i < record.Fields.Count ? record.Fields[i].Trim() : null;

        private bool Has(CsvRecord record, ImportField field, out string value)
        {
            value = Cell(record, field) ?? string.Empty;
            return !ImportValues.IsMissing(value);
        }

        private string Name(ImportField field) => _columns.TryGetValue(field, out var i) ? _header![i] : field.ToString();

        public TableRead Finish()
        {
            var header = _header ?? [];
            var mapping = _columns.ToDictionary(c => c.Key, c => header[c.Value]);
            if (_header is null)
            {
                _failure = "the file is empty";
            }

            var (order, from) = DecideDateOrder();
            var events = new List<ImportEvent>();
            var eventsByDraft = new Dictionary<Draft, CommerceEvent>();
            if (_failure is null)
            {
                Build(order, events, eventsByDraft);
            }
            else
            {
                // Nothing is imported, but a preview still shows what each sampled row reads as.
                Build(order, [], eventsByDraft);
            }

            var preview = _sample.Select(s => Preview(s.Record, s.Draft, s.Problem, eventsByDraft)).ToList();
            var errors = _failure is null ? _errors.OrderBy(e => e.Line).ToList() : [];
            return new TableRead(shape, header, _layoutName, mapping, order, from,
                new ParsedImport(_failure is null ? events : [], errors, _dataRows), preview, _failure);
        }

        private (DateOrder? Order, string From) DecideDateOrder()
        {
            if (settings.DateOrder is { } chosen)
            {
                return (chosen, "chosen");
            }

            if (!_slashed)
            {
                return (null, "none needed");
            }

            if (_evidence.Count == 1)
            {
                return (_evidence.Keys.Single(), "file");
            }

            _failure ??= _evidence.Count == 0
                ? "dates like 03/04/2024 could be day/month or month/day and no date in the file has a day over 12 to tell; choose the date order"
                : $"the file's dates disagree: {_evidence[DateOrder.DayFirst]} read only day-first and {_evidence[DateOrder.MonthFirst]} only month-first; choose the date order";
            return (null, "ambiguous");
        }

        private void Build(DateOrder? order, List<ImportEvent> events, Dictionary<Draft, CommerceEvent> made)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(target.TimeZone);
            foreach (var draft in _ordered)
            {
                if (draft.Problem is null)
                {
                    draft.PlacedAt = When(draft.DateText, Name(ImportField.Date), order, zone, draft, required: true);
                    draft.CancelledAt = When(draft.CancelledText, Name(ImportField.CancelledAt), order, zone, draft, required: false);
                    draft.PaidAt = When(draft.PaidText, Name(ImportField.PaidAt), order, zone, draft, required: false);
                }
            }

            var customersSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var format = _layoutName ?? ImportLayouts.Custom;
            // Ties broken by order id, so which of a customer's same-minute orders counts as returning does not depend on row order.
            foreach (var draft in _ordered.OrderBy(d => d.PlacedAt ?? DateTimeOffset.MaxValue).ThenBy(d => d.Id, StringComparer.Ordinal))
            {
                if (draft.Problem is { } problem)
                {
                    _errors.Add(new ImportError(problem.Line, $"order {draft.Id}: {problem.Message}; order not imported"));
                    _errors.AddRange(draft.Lines.Where(l => l != problem.Line)
                        .Select(l => new ImportError(l, $"order {draft.Id} has a bad row at line {problem.Line}; not imported")));
                    continue;
                }

                if (draft.Status is { } status && NotSales.Contains(status.Trim(), StringComparer.OrdinalIgnoreCase))
                {
                    _errors.AddRange(draft.Lines.Select(l => new ImportError(l, $"order {draft.Id} has status '{status}', not a sale; not imported")));
                    continue;
                }

                var currency = draft.Currency ?? target.Currency;
                var placedAt = draft.PlacedAt!.Value;
                if (draft.Refund)
                {
                    var amount = HistoryFacts.Cents(draft.Total is { } t ? Math.Abs(t) : draft.Items.Sum(i => Math.Abs(i.Amount)));
                    if (amount == 0m)
                    {
                        _errors.AddRange(draft.Lines.Select(l => new ImportError(l, $"refund {draft.Id} has no amount; not imported")));
                        continue;
                    }

                    var refund = new RefundIssued
                    {
                        Store = target.Store,
                        Channel = target.Channel,
                        EventId = target.EventId(format, _layout?.RefundPrefix is null ? "refund-rows" : "refund", draft.Id),
                        OccurredAt = placedAt,
                        StoreTimeZone = target.TimeZone,
                        Currency = currency,
                        RefundId = _layout?.RefundPrefix is null ? $"{draft.Id}:refund" : draft.Id,
                        OrderId = draft.Id,
                        Amount = amount,
                        Units = draft.Items.Sum(i => Math.Abs(i.Quantity)),
                        Lines = [.. draft.Items.Select(i => new OrderLine(i.Sku, i.Title, Math.Abs(i.Quantity), i.UnitPrice))],
                    };
                    events.Add(new ImportEvent(refund, draft.FirstLine, draft.Lines.Count));
                    made[draft] = refund;
                    continue;
                }

                var sold = draft.Items.Where(i => i.Quantity > 0).ToList();
                foreach (var skipped in draft.Items.Where(i => i.Quantity <= 0))
                {
                    _errors.Add(new ImportError(skipped.Line, sold.Count == 0
                        ? $"order {draft.Id} has no line with a positive quantity (a stock adjustment, not a sale); not imported"
                        : $"order {draft.Id}: a line with quantity {skipped.Quantity} in a sale; not imported"));
                }

                if (sold.Count == 0 && draft.Items.Count > 0 || sold.Count == 0 && draft.Total is null)
                {
                    continue;
                }

                var linesSum = sold.Sum(i => i.Amount);
                var total = draft.Total ?? HistoryFacts.Cents(linesSum + draft.RowCharges);
                var returning = draft.Customer is { } customer && !customersSeen.Add(customer);
                var placed = new OrderPlaced
                {
                    Store = target.Store,
                    Channel = target.Channel,
                    EventId = target.EventId(format, "order", draft.Id),
                    OccurredAt = placedAt,
                    StoreTimeZone = target.TimeZone,
                    Currency = currency,
                    OrderId = draft.ExternalId ?? draft.Id,
                    PlacedAt = placedAt,
                    Version = placedAt,
                    TotalPrice = total,
                    SubtotalPrice = draft.Subtotal ?? HistoryFacts.Cents(linesSum),
                    TotalTax = draft.Tax ?? 0m,
                    TotalShipping = draft.Shipping ?? 0m,
                    TotalDiscounts = draft.Discounts ?? 0m,
                    Lines = [.. sold.Select(i => new OrderLine(i.Sku, i.Title, i.Quantity, i.UnitPrice))],
                    CustomerId = draft.Customer,
                    ReturningCustomer = returning,
                    CancelledAt = draft.CancelledAt,
                    SourceName = draft.Source ?? format,
                    CountryCode = draft.Country,
                };
                events.Add(new ImportEvent(placed, draft.FirstLine, sold.Count == 0 ? draft.Lines.Count : sold.Count));
                made[draft] = placed;

                var refunded = draft.Refunded ?? (string.Equals(draft.Status?.Trim(), "refunded", StringComparison.OrdinalIgnoreCase) ? total : 0m);
                if (refunded > 0m)
                {
                    // The export gives the refunded total but not when: the cancellation (or payment, or sale) time is the best it says.
                    events.Add(new ImportEvent(new RefundIssued
                    {
                        Store = target.Store,
                        Channel = target.Channel,
                        EventId = target.EventId(format, "refund", draft.Id),
                        OccurredAt = draft.CancelledAt ?? draft.PaidAt ?? placedAt,
                        StoreTimeZone = target.TimeZone,
                        Currency = currency,
                        RefundId = $"{placed.OrderId}:refunded",
                        OrderId = placed.OrderId,
                        Amount = HistoryFacts.Cents(refunded),
                    }, draft.FirstLine, 0));
                }
            }
        }

        private static DateTimeOffset? When(string? text, string column, DateOrder? order, TimeZoneInfo zone, Draft draft, bool required)
        {
            if (text is null)
            {
                if (required)
                {
                    draft.Fail(draft.FirstLine, "the date is empty");
                }

                return null;
            }

            if (!ImportValues.TryDate(text, order, out var date))
            {
                draft.Fail(draft.DateLine, order is null && ImportValues.IsSlashed(text)
                    ? $"date '{text}' needs a date order"
                    : $"{column} '{text}' is not a date (ISO 2024-03-15 10:23, or day/month/year or month/day/year as the file's other dates are)");
                return null;
            }

            return date.Offset is { } offset
                ? new DateTimeOffset(date.Wall, offset).ToUniversalTime()
                : HistoryPeriods.LocalToUtc(date.Wall, zone);
        }

        private PreviewRow Preview(CsvRecord record, Draft? draft, string? problem, Dictionary<Draft, CommerceEvent> made)
        {
            var cells = record.Fields.Where(f => f != "\u0000unclosed").ToList();
            var zone = TimeZoneInfo.FindSystemTimeZoneById(target.TimeZone);
            if (draft is not null && made.TryGetValue(draft, out var e))
            {
                var local = TimeZoneInfo.ConvertTime(e.OccurredAt, zone).DateTime;
                return e switch
                {
                    OrderPlaced o => new PreviewRow(record.Line, cells, "order", o.OrderId, local, o.TotalPrice, o.Currency, o.CustomerId, problem),
                    RefundIssued r => new PreviewRow(record.Line, cells, "refund", r.OrderId, local, r.Amount, r.Currency, null, problem),
                    _ => new PreviewRow(record.Line, cells, "rejected", draft.Id, null, null, null, null, problem),
                };
            }

            var why = problem ?? draft?.Problem?.Message ?? _errors.FirstOrDefault(x => x.Line == record.Line)?.Message ?? _failure;
            return new PreviewRow(record.Line, cells, "rejected", draft?.Id, null, null, null, null, why);
        }
    }

    private sealed record Item(int Line, string Sku, string Title, int Quantity, decimal UnitPrice, decimal Amount);

    private sealed class Draft(string id, bool refund, int firstLine)
    {
        public string Id { get; } = id;
        public bool Refund { get; } = refund;
        public int FirstLine { get; } = firstLine;
        public List<int> Lines { get; } = [];
        public List<Item> Items { get; } = [];
        public (int Line, string Message)? Problem { get; private set; }
        public string? DateText { get; set; }
        public int DateLine { get; set; }
        public string? CancelledText { get; set; }
        public string? PaidText { get; set; }
        public DateTimeOffset? PaidAt { get; set; }
        public string? Source { get; set; }
        public string? ExternalId { get; set; }
        public DateTimeOffset? PlacedAt { get; set; }
        public DateTimeOffset? CancelledAt { get; set; }
        public decimal? Total { get; set; }
        public decimal? Subtotal { get; set; }
        public decimal? Shipping { get; set; }
        public decimal? Tax { get; set; }
        public decimal? Discounts { get; set; }
        public decimal? Refunded { get; set; }
        public decimal RowCharges { get; set; }
        public string? Customer { get; set; }
        public string? Currency { get; set; }
        public string? Country { get; set; }
        public string? Status { get; set; }

        public void Fail(int line, string message) => Problem ??= (line, message);
    }

    /// <summary>The sniffed head followed by the rest of the stream, so the file is read once from the start.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_head.Length > 0)
            {
                var n = Math.Min(buffer.Length, _head.Length);
                _head.Span[..n].CopyTo(buffer);
                _head = _head[n..];
                return n;
            }

            return rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head.Length > 0)
            {
                var n = Math.Min(buffer.Length, _head.Length);
                _head.Span[..n].CopyTo(buffer.Span);
                _head = _head[n..];
                return ValueTask.FromResult(n);
            }

            return rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
