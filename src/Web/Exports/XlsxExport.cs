using ClosedXML.Excel;

namespace SalesDash.Web.Exports;

/// <summary>
/// Writes tables as an XLSX workbook (ClosedXML), a sheet per table. Figures are numeric cells — money with a number
/// format naming its currency, ratios as percentages — and times are Excel date-times in the store's zone whose
/// format prints that moment's UTC offset. Text is always a text cell, so nothing in it runs as a formula.
/// </summary>
public static class XlsxExport
{
    public static void Write(ExportDocument document, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var workbook = new XLWorkbook();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in document.Tables)
        {
            var sheet = workbook.Worksheets.Add(SheetName(table.Name, names));
            for (var c = 0; c < table.Columns.Count; c++)
            {
                Text(sheet.Cell(1, c + 1), table.Columns[c].Title);
                sheet.Cell(1, c + 1).Style.Font.Bold = true;
            }

            for (var r = 0; r < table.Rows.Count; r++)
            {
                var row = table.Rows[r];
                for (var c = 0; c < table.Columns.Count; c++)
                {
                    Set(sheet.Cell(r + 2, c + 1), table.Columns[c], c < row.Count ? row[c] : null);
                }
            }

            sheet.SheetView.FreezeRows(1);

            // ClosedXML's AdjustToContents measures text with System.Drawing, which Linux lacks; characters are near enough.
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var widest = table.Rows.Take(1000).Select(r => c < r.Count ? Width(r[c]) : 0).DefaultIfEmpty(0).Max();
                sheet.Column(c + 1).Width = Math.Clamp(Math.Max(table.Columns[c].Title.Length, widest) + 2, 8, 60);
            }
        }

        if (document.Tables.Count == 0)
        {
            workbook.Worksheets.Add("Empty");
        }

        workbook.SaveAs(output);
    }

    private static void Set(IXLCell cell, ExportColumn column, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case DateTimeOffset at:
                cell.SetValue(at.DateTime);
                var offset = at.Offset;
                var sign = offset < TimeSpan.Zero ? "-" : "+";
                cell.Style.NumberFormat.Format = $"yyyy-mm-dd hh:mm:ss \"{sign}{offset.Duration():hh\\:mm}\"";
                return;
            case DateOnly date:
                cell.SetValue(date.ToDateTime(TimeOnly.MinValue));
                cell.Style.NumberFormat.Format = "yyyy-mm-dd";
                return;
            case Money money:
                cell.SetValue(money.Amount);
                cell.Style.NumberFormat.Format = $"#,##0.00 \"{money.Currency}\"";
                return;
            case bool b:
                cell.SetValue(b);
                return;
            case decimal or long or int or double when column.Kind != ColumnKind.Text:
                cell.SetValue(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                cell.Style.NumberFormat.Format = column.Kind switch
                {
                    ColumnKind.Money when !string.IsNullOrEmpty(column.Currency) => $"#,##0.00 \"{column.Currency}\"",
                    ColumnKind.Money => "#,##0.00",
                    ColumnKind.Ratio => "0.00%",
                    ColumnKind.Integer => "0",
                    _ => "0.####",
                };
                return;
            default:
                Text(cell, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                return;
        }
    }

    private static int Width(object? value) => value switch
    {
        null => 0,
        DateTimeOffset => 26,
        DateOnly => 10,
        Money money => money.Amount.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture).Length + 4,
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)?.Length ?? 0,
    };

    private static void Text(IXLCell cell, string text)
    {
        // A text cell keeps "=..." as text; SetValue alone would turn it into a formula.
        cell.DataType = XLDataType.Text;
        cell.SetValue(text);
        cell.DataType = XLDataType.Text;
    }

    /// <summary>Excel's sheet-name rules: at most 31 characters, none of : \ / ? * [ ], unique in the workbook.</summary>
    private static string SheetName(string name, HashSet<string> taken)
    {
        var clean = new string([.. name.Select(ch => ch is ':' or '\\' or '/' or '?' or '*' or '[' or ']' ? '-' : ch)]).Trim();
        clean = clean.Length == 0 ? "Sheet" : clean;
        clean = clean.Length > 31 ? clean[..31] : clean;
        var candidate = clean;
        for (var n = 2; !taken.Add(candidate); n++)
        {
            var suffix = $" ({n})";
            candidate = (clean.Length + suffix.Length > 31 ? clean[..(31 - suffix.Length)] : clean) + suffix;
        }

        return candidate;
    }
}
