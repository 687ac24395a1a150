using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SalesDash.Connectors.Datasets.OnlineRetail;

/// <summary>One invoice line of the UCI "Online Retail" data set.</summary>
/// <param name="LineNumber">1-based physical line in the file where the record starts (the header is line 1).</param>
/// <param name="InvoiceDate">UK local wall-clock time, as the data set records it (Kind = Unspecified).</param>
/// <param name="CustomerId">Null for a guest checkout; the data set writes ids as floats ("12923.0").</param>
public sealed record RetailLine(
    int LineNumber,
    string InvoiceNo,
    string StockCode,
    string Description,
    int Quantity,
    DateTime InvoiceDate,
    decimal UnitPrice,
    long? CustomerId,
    string Country)
{
    /// <summary>Invoices whose number starts with "C" cancel earlier sales; the data set uses them as returns.</summary>
    public bool IsCancellation => InvoiceNo.StartsWith('C');
}

/// <summary>A row that could not be read, with the line it starts on so it can be found in the file.</summary>
public sealed record RetailReadError(int LineNumber, string Message);

/// <summary>Everything read from a file: the good rows and, separately, why each bad row was rejected.</summary>
public sealed record RetailReadResult(IReadOnlyList<RetailLine> Lines, IReadOnlyList<RetailReadError> Errors);

/// <summary>
/// Reads the UCI Online Retail CSV (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country),
/// plain or gzipped. Bad rows are reported, never silently dropped.
/// </summary>
public static class OnlineRetailCsv
{
    private static readonly string[] Columns =
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"];

    private const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>Reads a whole file from disk (gzip detected by content, not by name).</summary>
    public static async Task<RetailReadResult> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return await ReadAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads from a stream positioned at the start of the CSV or of its gzip envelope; the stream is not disposed.</summary>
    public static async Task<RetailReadResult> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // Sniffing the gzip magic bytes needs to look ahead; a non-seekable stream is buffered whole
        // (the shipped sample is under 3 MB, so that is cheap).
        var source = stream;
        MemoryStream? buffered = null;
        if (!stream.CanSeek)
        {
            buffered = new MemoryStream();
            await stream.CopyToAsync(buffered, cancellationToken).ConfigureAwait(false);
            buffered.Position = 0;
            source = buffered;
        }

        try
        {
            var start = source.Position;
            var magic = new byte[2];
            var read = await source.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            source.Position = start;
            var isGzip = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;

            if (!isGzip)
            {
                return await ReadTextAsync(source, cancellationToken).ConfigureAwait(false);
            }

            var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                return await ReadTextAsync(gzip, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (buffered is not null)
            {
                await buffered.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<RetailReadResult> ReadTextAsync(Stream text, CancellationToken cancellationToken)
    {
        var lines = new List<RetailLine>();
        var errors = new List<RetailReadError>();
        using var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);

        var lineNumber = 0;
        var header = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        lineNumber++;
        if (header is null)
        {
            errors.Add(new RetailReadError(1, "the file is empty: no header line"));
            return new RetailReadResult(lines, errors);
        }

        var headerFields = SplitRecord(header, out _);
        var index = new int[Columns.Length];
        var missing = new List<string>();
        for (var c = 0; c < Columns.Length; c++)
        {
            index[c] = headerFields.FindIndex(h => string.Equals(h.Trim(), Columns[c], StringComparison.OrdinalIgnoreCase));
            if (index[c] < 0)
            {
                missing.Add(Columns[c]);
            }
        }

        if (missing.Count > 0)
        {
            errors.Add(new RetailReadError(1, $"header lacks column(s) {string.Join(", ", missing)}"));
            return new RetailReadResult(lines, errors);
        }

        while (true)
        {
            var physical = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (physical is null)
            {
                break;
            }

            lineNumber++;
            var recordStart = lineNumber;
            if (physical.Length == 0)
            {
                continue;
            }

            // A quoted description may hold a line break: keep reading until the quotes balance.
            var record = physical;
            var fields = SplitRecord(record, out var openQuote);
            while (openQuote)
            {
                var next = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                lineNumber++;
                record = record + "\n" + next;
                fields = SplitRecord(record, out openQuote);
            }

            if (openQuote)
            {
                errors.Add(new RetailReadError(recordStart, "a quoted field is never closed"));
                break;
            }

            var parsed = ParseRecord(recordStart, fields, index, headerFields.Count, out var error);
            if (parsed is not null)
            {
                lines.Add(parsed);
            }
            else
            {
                errors.Add(new RetailReadError(recordStart, error!));
            }
        }

        return new RetailReadResult(lines, errors);
    }

    private static RetailLine? ParseRecord(int lineNumber, List<string> fields, int[] index, int expectedFields, out string? error)
    {
        error = null;
        if (fields.Count != expectedFields)
        {
            error = $"expected {expectedFields} fields but found {fields.Count}";
            return null;
        }

        string Field(int column) => fields[index[column]];

        var invoice = Field(0).Trim();
        if (invoice.Length == 0)
        {
            error = "InvoiceNo is empty";
            return null;
        }

        var stockCode = Field(1).Trim();
        if (stockCode.Length == 0)
        {
            error = "StockCode is empty";
            return null;
        }

        if (!int.TryParse(Field(3).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var quantity))
        {
            error = $"Quantity '{Field(3)}' is not a whole number";
            return null;
        }

        if (!DateTime.TryParseExact(Field(4).Trim(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var invoiceDate))
        {
            error = $"InvoiceDate '{Field(4)}' is not in the form {DateFormat}";
            return null;
        }

        if (!decimal.TryParse(Field(5).Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var unitPrice))
        {
            error = $"UnitPrice '{Field(5)}' is not a number";
            return null;
        }

        long? customerId = null;
        var rawCustomer = Field(6).Trim();
        if (rawCustomer.Length > 0)
        {
            // The published file stores ids as floats ("12923.0"); anything with a real fraction is not an id.
            if (!decimal.TryParse(rawCustomer, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var idValue)
                || idValue != decimal.Truncate(idValue) || idValue <= 0 || idValue > long.MaxValue)
            {
                error = $"CustomerID '{rawCustomer}' is not a whole positive number";
                return null;
            }

            customerId = (long)idValue;
        }

        return new RetailLine(
            lineNumber,
            invoice,
            stockCode,
            Field(2).Trim(),
            quantity,
            invoiceDate,
            unitPrice,
            customerId,
            Field(7).Trim());
    }

    /// <summary>RFC 4180 split: commas separate, double quotes enclose, "" inside quotes is a literal quote.</summary>
    private static List<string> SplitRecord(string record, out bool openQuote)
    {
        var fields = new List<string>(8);
        var current = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < record.Length; i++)
        {
            var ch = record[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < record.Length && record[i + 1] == '"')
                    {
                        current.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"')
            {
                inQuotes = true;
            }
            else if (ch == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else if (ch != '\r')
            {
                current.Append(ch);
            }
        }

        fields.Add(current.ToString());
        openQuote = inQuotes;
        return fields;
    }
}
