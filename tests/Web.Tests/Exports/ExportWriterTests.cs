using ClosedXML.Excel;
using SalesDash.Web.Exports;
using static SalesDash.Web.Tests.Exports.ExportFiles;

namespace SalesDash.Web.Tests.Exports;

/// <summary>The CSV and XLSX writers on their own: quoting, formula safety, types and formats.</summary>
public sealed class ExportWriterTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private static ExportDocument Document() => new("test",
    [
        new ExportTable("Orders",
            [new("Order", ColumnKind.Text), new("Placed at", ColumnKind.Time), new("Total", ColumnKind.Money, "GBP"), new("Change", ColumnKind.Ratio)],
            [
                ["a,b", ExportFormats.InZone(new DateTimeOffset(2026, 7, 1, 11, 0, 0, TimeSpan.Zero), London), -12.5m, -0.25m],
                ["say \"hi\"\r\nthere", ExportFormats.InZone(new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero), London), 3m, null],
                ["+1-555", null, 0m, 1.5m],
                ["@SUM(A1)", null, 1m, 0m],
            ]),
    ]);

    [Fact]
    public async Task Csv_quotes_per_rfc_4180_keeps_negative_numbers_and_defuses_formulas()
    {
        using var buffer = new MemoryStream();
        await CsvExport.WriteAsync(Document(), buffer, TestContext.Current.CancellationToken);
        var rows = ParseCsv(buffer.ToArray());
        Assert.Equal(["Order", "Placed at", "Total (GBP)", "Change"], rows[0]);
        Assert.Equal(["a,b", "2026-07-01T12:00:00+01:00", "-12.5", "-0.25"], rows[1]);
        Assert.Equal(["say \"hi\"\r\nthere", "2026-12-01T11:00:00+00:00", "3", ""], rows[2]);
        Assert.Equal("'+1-555", rows[3][0]);
        Assert.Equal("'@SUM(A1)", rows[4][0]);
    }

    [Fact]
    public void Xlsx_holds_numbers_as_numbers_times_with_their_offset_and_text_never_as_a_formula()
    {
        using var buffer = new MemoryStream();
        XlsxExport.Write(Document(), buffer);
        using var workbook = new XLWorkbook(new MemoryStream(buffer.ToArray()));
        var sheet = workbook.Worksheet("Orders");
        Assert.Equal("Total (GBP)", sheet.Cell(1, 3).GetString());
        Assert.Equal(XLDataType.Number, sheet.Cell(2, 3).DataType);
        Assert.Equal(-12.5m, sheet.Cell(2, 3).GetValue<decimal>());
        Assert.Contains("\"GBP\"", sheet.Cell(2, 3).Style.NumberFormat.Format, StringComparison.Ordinal);
        Assert.Equal(new DateTime(2026, 7, 1, 12, 0, 0), sheet.Cell(2, 2).GetDateTime());
        Assert.Contains("+01:00", sheet.Cell(2, 2).Style.NumberFormat.Format, StringComparison.Ordinal);
        Assert.Contains("+00:00", sheet.Cell(3, 2).Style.NumberFormat.Format, StringComparison.Ordinal);
        Assert.Equal("0.00%", sheet.Cell(2, 4).Style.NumberFormat.Format);
        Assert.False(sheet.Cell(5, 1).HasFormula);
        Assert.Equal("@SUM(A1)", sheet.Cell(5, 1).GetString());
    }
}
