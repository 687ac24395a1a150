using System.Globalization;
using System.Text.RegularExpressions;

namespace SalesDash.Web.Imports;

/// <summary>Which number of a slashed date is the day: 03/04/2024 is 3 April day-first, 4 March month-first.</summary>
public enum DateOrder
{
    DayFirst,
    MonthFirst,
}

/// <summary>A date cell read: the wall-clock time (or the instant, when the cell carries an offset).</summary>
public readonly record struct ParsedDate(DateTime Wall, TimeSpan? Offset);

/// <summary>
/// Reads the dates and amounts merchants' exports hold: ISO (2024-03-15 10:23:45, with or without T, seconds or an
/// offset), and day/month or month/day with 2- or 4-digit years and optional time with AM/PM. Amounts may carry a
/// currency sign, thousands separators, a decimal comma or accounting parentheses.
/// </summary>
public static partial class ImportValues
{
    /// <summary>Two-digit years up to this one are 20xx, later ones 19xx (Windows' and .NET's default pivot).</summary>
    private const int TwoDigitYearMax = 2049;

    private static readonly string[] MissingWords = ["na", "n/a", "null", "none", "nan", "-", "#n/a", "nil"];

    /// <summary>Empty, NA, N/A, null, none, NaN, "-": the forms a spreadsheet or database export gives a missing value.</summary>
    public static bool IsMissing([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] string? text) =>
        string.IsNullOrWhiteSpace(text) || MissingWords.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// What a slashed date's first two numbers can tell: a first number over 12 proves day-first, a second over 12
    /// month-first; null when the value is ISO, unreadable, or could be either.
    /// </summary>
    public static DateOrder? Evidence(string text)
    {
        var m = Slashed().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }

        var a = int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture);
        var b = int.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture);
        return a > 12 && b <= 12 ? DateOrder.DayFirst : b > 12 && a <= 12 ? DateOrder.MonthFirst : null;
    }

    /// <summary>True when the cell is a slashed (non-ISO) date, whose order matters.</summary>
    public static bool IsSlashed(string text) => Slashed().IsMatch(text.Trim());

    /// <summary>Reads a date cell; a slashed one needs <paramref name="order"/> (null: only ISO dates read).</summary>
    public static bool TryDate(string text, DateOrder? order, out ParsedDate date)
    {
        date = default;
        text = text.Trim();
        var iso = Iso().Match(text);
        int year, month, day;
        GroupCollection g;
        if (iso.Success)
        {
            g = iso.Groups;
            year = Int(g["y"]);
            month = Int(g["m"]);
            day = Int(g["d"]);
        }
        else
        {
            var slashed = Slashed().Match(text);
            if (!slashed.Success || order is null)
            {
                return false;
            }

            g = slashed.Groups;
            var (a, b) = (Int(g["a"]), Int(g["b"]));
            (day, month) = order == DateOrder.DayFirst ? (a, b) : (b, a);
            year = Int(g["y"]);
            if (g["y"].Value.Length == 2)
            {
                year += year <= TwoDigitYearMax % 100 ? 2000 : 1900;
            }
        }

        var hour = g["h"].Success ? Int(g["h"]) : 0;
        var minute = g["min"].Success ? Int(g["min"]) : 0;
        var second = g["s"].Success ? Int(g["s"]) : 0;
        if (g["ampm"].Success)
        {
            if (hour is < 1 or > 12)
            {
                return false;
            }

            hour = hour % 12 + (g["ampm"].Value.StartsWith('P') || g["ampm"].Value.StartsWith('p') ? 12 : 0);
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var wall = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        if (g["frac"].Success)
        {
            wall = wall.AddTicks((long)(double.Parse("0." + g["frac"].Value, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));
        }

        TimeSpan? offset = null;
        if (g["tz"].Success)
        {
            var tz = g["tz"].Value;
            if (tz is "Z" or "z" or "UTC")
            {
                offset = TimeSpan.Zero;
            }
            else
            {
                var digits = tz[1..].Replace(":", string.Empty, StringComparison.Ordinal);
                var span = new TimeSpan(Int(digits[..2]), Int(digits[2..]), 0);
                offset = tz[0] == '-' ? -span : span;
            }
        }

        date = new ParsedDate(wall, offset);
        return true;
    }

    /// <summary>
    /// Reads an amount. With both '.' and ',' the last one is the decimal point; a lone ',' is a decimal comma when the
    /// file is semicolon-separated or fewer/more than three digits follow it (1,5 or 12,50), else a thousands separator.
    /// </summary>
    public static bool TryAmount(string text, char delimiter, out decimal amount)
    {
        amount = 0m;
        var t = text.Trim();
        var negative = false;
        if (t.StartsWith('(') && t.EndsWith(')'))
        {
            negative = true;
            t = t[1..^1];
        }

        // Currency signs and codes around the number ("£12.50", "12,50 €", "USD 12.50").
        t = CurrencyAround().Replace(t, string.Empty).Trim();
        if (t.StartsWith('-'))
        {
            negative = !negative;
            t = t[1..].Trim();
        }
        else if (t.StartsWith('+'))
        {
            t = t[1..].Trim();
        }

        t = CurrencyAround().Replace(t, string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\u00A0", string.Empty, StringComparison.Ordinal)
            .Replace("'", string.Empty, StringComparison.Ordinal);
        if (t.Length == 0 || !PlainNumber().IsMatch(t))
        {
            return false;
        }

        var lastDot = t.LastIndexOf('.');
        var lastComma = t.LastIndexOf(',');
        string normal;
        if (lastDot >= 0 && lastComma >= 0)
        {
            normal = lastComma > lastDot ? t.Replace(".", string.Empty, StringComparison.Ordinal).Replace(',', '.') : t.Replace(",", string.Empty, StringComparison.Ordinal);
        }
        else if (lastComma >= 0)
        {
            var decimalComma = t.Count(c => c == ',') == 1 && (delimiter == ';' || t.Length - lastComma - 1 != 3);
            normal = decimalComma ? t.Replace(',', '.') : t.Replace(",", string.Empty, StringComparison.Ordinal);
        }
        else
        {
            normal = t;
        }

        if (!decimal.TryParse(normal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            return false;
        }

        amount = negative ? -amount : amount;
        return true;
    }

    /// <summary>A whole quantity; "2.0" (a spreadsheet's float) reads as 2.</summary>
    public static bool TryQuantity(string text, char delimiter, out int quantity)
    {
        quantity = 0;
        if (!TryAmount(text, delimiter, out var value) || value != decimal.Truncate(value) || Math.Abs(value) > int.MaxValue)
        {
            return false;
        }

        quantity = (int)value;
        return true;
    }

    private static int Int(Group group) => Int(group.Value);

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private const string Time = @"(?:[ T]+(?<h>\d{1,2}):(?<min>\d{2})(?::(?<s>\d{2})(?:[.,](?<frac>\d{1,7}))?)?\s*(?<ampm>[AaPp][Mm])?)?\s*(?<tz>Z|z|UTC|[+-]\d{2}:?\d{2})?";

    [GeneratedRegex(@"^(?<y>\d{4})[-/.](?<m>\d{1,2})[-/.](?<d>\d{1,2})" + Time + "$")]
    private static partial Regex Iso();

    [GeneratedRegex(@"^(?<a>\d{1,2})[/.-](?<b>\d{1,2})[/.-](?<y>\d{4}|\d{2})" + Time + "$")]
    private static partial Regex Slashed();

    [GeneratedRegex(@"^[\p{Sc}A-Za-z]+|[\p{Sc}A-Za-z]+$")]
    private static partial Regex CurrencyAround();

    [GeneratedRegex(@"^[0-9][0-9.,]*$|^[.,][0-9]+$")]
    private static partial Regex PlainNumber();
}
