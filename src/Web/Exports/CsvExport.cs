using System.Globalization;
using System.Text;

namespace SalesDash.Web.Exports;

/// <summary>
/// Writes tables as RFC 4180 CSV: CRLF line ends, fields with a comma, quote or line break quoted and quotes doubled.
/// Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe;
/// numbers are never prefixed, so a negative figure stays a number. A document of several tables prints each under a
/// row naming it, separated by an empty line.
/// </summary>
public static class CsvExport
{
    /// <summary>UTF-8 with a byte-order mark: without it Excel reads the file as the machine's code page and garbles "£".</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    public static async Task WriteAsync(ExportDocument document, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        await using var writer = new StreamWriter(output, Encoding, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        var many = document.Tables.Count > 1;
        for (var t = 0; t < document.Tables.Count; t++)
        {
            var table = document.Tables[t];
            if (many)
            {
                if (t > 0)
                {
                    await writer.WriteLineAsync();
                }

                await writer.WriteLineAsync(Field(table.Name));
            }

            await WriteTableAsync(writer, table, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>The header row and the rows of one table.</summary>
    public static async Task WriteTableAsync(TextWriter writer, ExportTable table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(table);
        await writer.WriteLineAsync(string.Join(",", table.Columns.Select(c => Field(c.Title))));
        foreach (var row in table.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(Row(table.Columns, row));
        }
    }

    public static string Row(IReadOnlyList<ExportColumn> columns, IReadOnlyList<object?> row)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(row);
        var fields = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            fields[i] = Cell(columns[i], i < row.Count ? row[i] : null);
        }

        return string.Join(",", fields);
    }

    private static string Cell(ExportColumn column, object? value) => value switch
    {
        null => string.Empty,
        DateTimeOffset at => ExportFormats.Iso(at),
        Money money => money.Amount.ToString(CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        decimal or long or int or double when column.Kind != ColumnKind.Text => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => Field(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    /// <summary>One text field, made formula-safe, then quoted when RFC 4180 needs it.</summary>
    public static string Field(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
