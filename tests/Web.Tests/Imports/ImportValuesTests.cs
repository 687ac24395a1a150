using System.Text;
using SalesDash.Web.Imports;

namespace SalesDash.Web.Tests.Imports;

/// <summary>The cells real exports hold: dates in every usual form, amounts with signs and separators, missing values, encodings, delimiters.</summary>
public sealed class ImportValuesTests
{
    [Theory]
    [InlineData("12/06/2010 10:08", DateOrder.DayFirst, "2010-06-12T10:08:00")]
    [InlineData("12/06/2010 10:08", DateOrder.MonthFirst, "2010-12-06T10:08:00")]
    [InlineData("2/20/11 11:39", DateOrder.MonthFirst, "2011-02-20T11:39:00")]
    [InlineData("20.2.11", DateOrder.DayFirst, "2011-02-20T00:00:00")]
    [InlineData("1/5/2024 3:04 PM", DateOrder.MonthFirst, "2024-01-05T15:04:00")]
    [InlineData("1/5/2024 12:30 AM", DateOrder.DayFirst, "2024-05-01T00:30:00")]
    [InlineData("2024-03-15 10:23:45", null, "2024-03-15T10:23:45")]
    [InlineData("2024-03-15T10:23", null, "2024-03-15T10:23:00")]
    [InlineData("2024/3/5", null, "2024-03-05T00:00:00")]
    [InlineData("31/12/99 23:59:59", DateOrder.DayFirst, "1999-12-31T23:59:59")]
    public void Dates_read_in_iso_and_both_slashed_orders_with_two_or_four_digit_years(string text, DateOrder? order, string expected)
    {
        Assert.True(ImportValues.TryDate(text, order, out var date));
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date.Wall);
        Assert.Null(date.Offset);
    }

    [Theory]
    [InlineData("2024-01-15 10:23:45 -0500", -5)]
    [InlineData("2024-01-15T10:23:45+00:00", 0)]
    [InlineData("2024-01-15T10:23:45Z", 0)]
    [InlineData("2024-01-15 10:23:45 +05:30", 5.5)]
    public void Dates_with_an_offset_keep_it(string text, double hours)
    {
        Assert.True(ImportValues.TryDate(text, null, out var date));
        Assert.Equal(TimeSpan.FromHours(hours), date.Offset);
        Assert.Equal(new DateTime(2024, 1, 15, 10, 23, 45), date.Wall);
    }

    [Theory]
    [InlineData("31/02/2024", DateOrder.DayFirst)]
    [InlineData("13/13/2024", DateOrder.DayFirst)]
    [InlineData("2/20/11", DateOrder.DayFirst)]
    [InlineData("03/04/2024", null)]
    [InlineData("yesterday", DateOrder.DayFirst)]
    [InlineData("2024-13-01", null)]
    [InlineData("1/5/2024 13:04 PM", DateOrder.MonthFirst)]
    public void Impossible_or_undecided_dates_do_not_read(string text, DateOrder? order) =>
        Assert.False(ImportValues.TryDate(text, order, out _));

    [Theory]
    [InlineData("13/06/2010", DateOrder.DayFirst)]
    [InlineData("2/20/11 11:39", DateOrder.MonthFirst)]
    [InlineData("03/04/2024", null)]
    [InlineData("2024-03-15", null)]
    public void A_number_over_twelve_proves_the_order(string text, DateOrder? expected) => Assert.Equal(expected, ImportValues.Evidence(text));

    [Theory]
    [InlineData("12.50", ',', 12.50)]
    [InlineData("£1,234.50", ',', 1234.50)]
    [InlineData("1.234,50 €", ';', 1234.50)]
    [InlineData("12,50", ';', 12.50)]
    [InlineData("12,5", ',', 12.5)]
    [InlineData("1,234", ',', 1234)]
    [InlineData("(12.00)", ',', -12)]
    [InlineData("-3.10", '\t', -3.10)]
    [InlineData("USD 7", ',', 7)]
    [InlineData("1 234,56", ';', 1234.56)]
    public void Amounts_read_with_signs_separators_and_currency_marks(string text, char delimiter, double expected)
    {
        Assert.True(ImportValues.TryAmount(text, delimiter, out var amount));
        Assert.Equal((decimal)expected, amount);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1.2.3x")]
    public void Non_amounts_do_not_read(string text) => Assert.False(ImportValues.TryAmount(text, ',', out _));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("NA")]
    [InlineData("n/a")]
    [InlineData("NULL")]
    [InlineData("None")]
    public void Missing_values_come_in_many_spellings(string text) => Assert.True(ImportValues.IsMissing(text));

    [Fact]
    public void A_customer_id_is_not_missing() => Assert.False(ImportValues.IsMissing("17850"));

    [Fact]
    public void Encoding_is_utf8_with_or_without_bom_else_latin1()
    {
        var text = "Description\nCafé crème\n";
        Assert.Equal("utf-8", TextSniffer.DetectEncoding(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("utf-8", TextSniffer.DetectEncoding([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]));
        Assert.Equal("latin-1", TextSniffer.DetectEncoding(Encoding.Latin1.GetBytes(text)));

        // A sample cut inside a two-byte character is still UTF-8.
        var cut = Encoding.UTF8.GetBytes("Caf\u00e9");
        Assert.Equal("utf-8", TextSniffer.DetectEncoding(cut.AsSpan(0, cut.Length - 1)));
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n4,5,6\n", ',')]
    [InlineData("a;b;c\n1,5;2;3\n4;5,25;6\n", ';')]
    [InlineData("a\tb\tc\n1,5\t2;3\t3\n", '\t')]
    [InlineData("name,note,total\n\"Smith; John\",\"a;b;c\",3\n", ',')]
    [InlineData("a|b\n1|2\n", '|')]
    public void The_delimiter_is_the_one_that_splits_every_line_alike(string text, char expected) =>
        Assert.Equal(expected, TextSniffer.DetectDelimiter(text));

    [Theory]
    [InlineData("Lineitem quantity", "lineitemquantity")]
    [InlineData("  LINEITEM_QUANTITY ", "lineitemquantity")]
    [InlineData("lineitem-quantity", "lineitemquantity")]
    [InlineData("Customer ID", "customerid")]
    public void Headers_match_whatever_their_case_and_spacing(string header, string expected) => Assert.Equal(expected, ImportLayouts.Normalise(header));
}
