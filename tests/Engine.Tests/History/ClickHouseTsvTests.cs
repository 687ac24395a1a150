using System.Globalization;
using SalesDash.Engine.History.ClickHouse;

namespace SalesDash.Engine.Tests.History;

/// <summary>
/// ClickHouse answers a Decimal(18,2) sum of zeros as "0.00": read as 0.00 it showed differently from a breakdown group
/// with no refund rows at all (0), so a product's refunds read from the rollups and from the facts disagreed as text
/// (found by bench/History at 2M lines).
/// </summary>
public sealed class ClickHouseTsvTests
{
    [Theory]
    [InlineData("0.00", "0")]
    [InlineData("-0.00", "0")]
    [InlineData("0", "0")]
    [InlineData("12.50", "12.50")]
    [InlineData("-3.05", "-3.05")]
    public void A_zero_decimal_reads_as_plain_zero_and_other_values_keep_their_cents(string field, string shown) =>
        Assert.Equal(shown, ClickHouseTsv.Decimal(field).ToString(CultureInfo.InvariantCulture));
}
