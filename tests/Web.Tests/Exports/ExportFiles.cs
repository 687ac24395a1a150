using System.Globalization;
using System.Text;
using ClosedXML.Excel;

namespace SalesDash.Web.Tests.Exports;

/// <summary>Reads exported files back the way a spreadsheet would: an RFC 4180 CSV parser and ClosedXML for XLSX.</summary>
internal static class ExportFiles
{
    /// <summary>Rows of fields; quoted fields may hold commas, doubled quotes and line breaks.</summary>
    public static List<List<string>> ParseCsv(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.False(c is '\r' or '\n', $"a bare line break outside quotes at {i}: RFC 4180 lines end with CRLF");
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A CSV's rows as header → field maps (single-table files).</summary>
    public static List<Dictionary<string, string>> CsvRecords(byte[] bytes)
    {
        var rows = ParseCsv(bytes);
        var header = rows[0];
        return [.. rows.Skip(1).Select(r => header.Select((h, i) => (h, v: i < r.Count ? r[i] : string.Empty)).ToDictionary(p => p.h, p => p.v))];
    }

    public static decimal Dec(string field) => decimal.Parse(field, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>A sheet's rows as header → cell maps.</summary>
    public static List<Dictionary<string, IXLCell>> SheetRecords(IXLWorksheet sheet)
    {
        var used = sheet.RangeUsed()!;
        var width = used.ColumnCount();
        var header = Enumerable.Range(1, width).Select(c => sheet.Cell(1, c).GetString()).ToList();
        return [.. Enumerable.Range(2, used.RowCount() - 1).Select(r => header.Select((h, i) => (h, cell: sheet.Cell(r, i + 1))).ToDictionary(p => p.h, p => p.cell))];
    }
}
