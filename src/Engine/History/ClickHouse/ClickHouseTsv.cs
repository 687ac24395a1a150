using System.Globalization;
using System.Text;

namespace SalesDash.Engine.History.ClickHouse;

/// <summary>
/// Literals and TabSeparated rows for ClickHouse 18.16 and later. 18.16 knows neither query parameters
/// ({name:Type}) nor the RowBinaryWithNamesAndTypes format the driver's typed reader expects, so values are
/// written as escaped literals or TSV and results are read as TSV, which every version speaks.
/// </summary>
internal static class ClickHouseTsv
{
    /// <summary>A quoted string literal: backslash and quote escaped, as ClickHouse's lexer reads them.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
    }

    /// <summary>An instant as a DateTime expression; a Unix timestamp is absolute, whatever the server's zone.</summary>
    public static string Instant(DateTimeOffset at) => $"toDateTime({at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)})";

    /// <summary>Appends a TSV field: backslash, tab, line breaks and NUL escaped.</summary>
    public static StringBuilder Field(this StringBuilder row, string value)
    {
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '\\' => row.Append("\\\\"),
                '\t' => row.Append("\\t"),
                '\n' => row.Append("\\n"),
                '\r' => row.Append("\\r"),
                '\0' => row.Append("\\0"),
                _ => row.Append(ch),
            };
        }

        return row.Append('\t');
    }

    public static StringBuilder Field(this StringBuilder row, long value) => row.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\t');

    public static StringBuilder Field(this StringBuilder row, decimal value) => row.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\t');

    public static StringBuilder Field(this StringBuilder row, bool value) => row.Append(value ? '1' : '0').Append('\t');

    /// <summary>A DateTime('UTC') column as text (whole seconds; sub-second parts are cut).</summary>
    public static StringBuilder Field(this StringBuilder row, DateTimeOffset value) =>
        row.Append(value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append('\t');

    /// <summary>Ends a row: the last field's tab becomes the line break.</summary>
    public static void EndRow(this StringBuilder row)
    {
        row.Length--;
        row.Append('\n');
    }

    /// <summary>Splits TabSeparated output into rows of unescaped fields.</summary>
    public static IEnumerable<string[]> Rows(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            yield return [.. line.Split('\t').Select(Unescape)];
        }
    }

    public static long Long(string field) => long.Parse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>
    /// A Decimal field. Zero comes back as plain 0 whatever its scale: a sum of zero refunds ("0.00") then reads the same
    /// as no refunds at all, so a rollup row and the facts it sums show the same figure (the bench compares them as text).
    /// </summary>
    public static decimal Decimal(string field) =>
        decimal.Parse(field, NumberStyles.Number, CultureInfo.InvariantCulture) is var value && value == 0m ? 0m : value;

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                text.Append(field[i]);
                continue;
            }

            var next = field[++i];
            text.Append(next switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                _ => next,
            });
        }

        return text.ToString();
    }
}
