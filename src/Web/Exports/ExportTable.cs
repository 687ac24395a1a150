using System.Globalization;

namespace SalesDash.Web.Exports;

/// <summary>What a column holds, which decides how CSV prints it and how XLSX types and formats it.</summary>
public enum ColumnKind
{
    Text,
    Integer,
    Decimal,

    /// <summary>An amount in the column's currency (the code is in the header and in the XLSX number format).</summary>
    Money,

    /// <summary>A fraction (0.25 = 25 %): a plain number in CSV, a percentage format in XLSX.</summary>
    Ratio,

    /// <summary>A <see cref="DateTimeOffset"/> already in the store's zone; printed with its offset.</summary>
    Time,
    Date,
}

/// <summary>One column: its header, its kind and, for money, the ISO currency code.</summary>
public sealed record ExportColumn(string Header, ColumnKind Kind, string? Currency = null)
{
    /// <summary>The header as printed: money columns say their currency, so a figure is never read in the wrong one.</summary>
    public string Title => Kind == ColumnKind.Money && !string.IsNullOrEmpty(Currency) ? $"{Header} ({Currency})" : Header;
}

/// <summary>An amount with its currency, for cells whose currency differs by row (a tenant's stores may trade in several).</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>A named table of an export: a widget's figures, or one section of a report.</summary>
public sealed record ExportTable(string Name, IReadOnlyList<ExportColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>What one export file holds: a title (for the file name and the XLSX) and its tables.</summary>
public sealed record ExportDocument(string FileStem, IReadOnlyList<ExportTable> Tables);

/// <summary>The two file formats an export can be downloaded in.</summary>
public enum ExportFormat
{
    Csv,
    Xlsx,
}

public static class ExportFormats
{
    public const string CsvContentType = "text/csv; charset=utf-8; header=present";
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>csv (the default) or xlsx, case-insensitive.</summary>
    public static bool TryParse(string? value, out ExportFormat format)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "csv":
                format = ExportFormat.Csv;
                return true;
            case "xlsx":
                format = ExportFormat.Xlsx;
                return true;
            default:
                format = default;
                return false;
        }
    }

    /// <summary>A file name made of safe characters only, so it needs no quoting tricks in Content-Disposition.</summary>
    public static string FileName(string stem, ExportFormat format)
    {
        var safe = new string([.. stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        return $"{safe}.{(format == ExportFormat.Csv ? "csv" : "xlsx")}";
    }

    /// <summary>An instant in a zone, with that moment's offset (DST-aware).</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    /// <summary>A local wall-clock time of a zone, with the offset that zone had then.</summary>
    public static DateTimeOffset LocalInZone(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    /// <summary>The zone of an IANA id; a zone this machine does not know is read as UTC, as the history API does.</summary>
    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    internal static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
