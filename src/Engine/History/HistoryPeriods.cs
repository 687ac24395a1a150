using System.Globalization;
using SalesDash.Engine.Time;

namespace SalesDash.Engine.History;

/// <summary>The periods a user can pick.</summary>
public enum PeriodKind
{
    Today,
    Yesterday,
    Last7,
    Last30,
    Last90,
    MonthToDate,
    Custom,
}

/// <summary>What a period is compared with.</summary>
public enum ComparisonKind
{
    None,

    /// <summary>The same length of time just before (for today and month to date: the same elapsed part of the day or month before).</summary>
    Previous,

    /// <summary>The same local dates and times one year earlier.</summary>
    PreviousYear,
}

/// <summary>How finely a trend is cut, in store-local time (weeks start on Monday).</summary>
public enum TrendGrain
{
    Minute,
    Hour,
    Day,
    Week,
}

/// <summary>
/// A span of store-local wall-clock time [StartLocal, EndLocal) and the UTC range it covers. Both ends are converted
/// separately, so DST days have 23 or 25 hours and a comparison lines up by wall clock.
/// </summary>
public sealed record HistoryPeriod(DateTime StartLocal, DateTime EndLocal, HistoryRange Utc)
{
    /// <summary>The first local date of the period.</summary>
    public DateOnly FirstDate => DateOnly.FromDateTime(StartLocal);

    /// <summary>The last local date the period touches (inclusive).</summary>
    public DateOnly LastDate => DateOnly.FromDateTime(EndLocal.TimeOfDay == TimeSpan.Zero && EndLocal > StartLocal ? EndLocal.AddDays(-1) : EndLocal);
}

/// <summary>Turns a period name and a clock into store-local spans; pure, so tests pin "now" and the zone.</summary>
public static class HistoryPeriods
{
    /// <summary>The longest custom period: two years of days is what a dashboard can usefully chart.</summary>
    public const int MaxCustomDays = 731;

    public static bool TryParsePeriod(string? text, out PeriodKind period)
    {
        period = (text ?? "last7").Trim().ToLowerInvariant() switch
        {
            "today" => PeriodKind.Today,
            "yesterday" => PeriodKind.Yesterday,
            "last7" or "last_7_days" => PeriodKind.Last7,
            "last30" or "last_30_days" => PeriodKind.Last30,
            "last90" or "last_90_days" => PeriodKind.Last90,
            "mtd" or "month_to_date" or "monthtodate" => PeriodKind.MonthToDate,
            "custom" => PeriodKind.Custom,
            _ => (PeriodKind)(-1),
        };
        return Enum.IsDefined(period);
    }

    /// <summary>Why a query's period, from and to were refused by <see cref="TryParsePeriod(string?, string?, string?, PeriodKind, out DatedPeriod)"/>: what was sent and the rules.</summary>
    public static string Refusal(string? period, string? from, string? to) =>
        $"period '{period}', from '{from}', to '{to}' do not make a period: period is one of today, yesterday, last7, last30, "
        + $"last90, mtd, custom; from and to (yyyy-MM-dd, both inclusive, to not before from, at most {MaxCustomDays} days) make "
        + "a custom period, named or not.";

    /// <summary>
    /// Reads a query's period with its dates. Dates alone make a custom period. Dates beside another period's name are
    /// refused, not dropped: someone asking for 1–31 March and shown the last seven days would not notice. With neither a
    /// name nor dates the period is <paramref name="whenAbsent"/>, the endpoint's default.
    /// </summary>
    public static bool TryParsePeriod(string? text, string? from, string? to, PeriodKind whenAbsent, out DatedPeriod period)
    {
        period = default;
        if (!TryParseDate(from, out var first) || !TryParseDate(to, out var last))
        {
            return false;
        }

        var dated = first is not null || last is not null;
        PeriodKind kind;
        if (string.IsNullOrWhiteSpace(text))
        {
            kind = dated ? PeriodKind.Custom : whenAbsent;
        }
        else if (!TryParsePeriod(text, out kind))
        {
            return false;
        }

        if (kind == PeriodKind.Custom
            ? first is not { } f || last is not { } l || l < f || l.DayNumber - f.DayNumber >= MaxCustomDays
            : dated)
        {
            return false;
        }

        period = new DatedPeriod(kind, first, last);
        return true;
    }

    public static bool TryParseComparison(string? text, out ComparisonKind comparison)
    {
        comparison = (text ?? "previous").Trim().ToLowerInvariant() switch
        {
            "none" or "" => ComparisonKind.None,
            "previous" or "previous_period" => ComparisonKind.Previous,
            "previous_year" or "year" or "last_year" => ComparisonKind.PreviousYear,
            _ => (ComparisonKind)(-1),
        };
        return Enum.IsDefined(comparison);
    }

    public static bool TryParseGrain(string? text, out TrendGrain? grain)
    {
        grain = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (Enum.TryParse<TrendGrain>(text.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            grain = parsed;
            return true;
        }

        return false;
    }

    /// <summary>The period as of <paramref name="now"/> in <paramref name="zone"/>; custom periods take local dates, both inclusive.</summary>
    public static HistoryPeriod Resolve(PeriodKind period, DateTimeOffset now, TimeZoneInfo zone, DateOnly? from = null, DateOnly? to = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var today = localNow.Date;
        var (start, end) = period switch
        {
            PeriodKind.Today => (today, localNow),
            PeriodKind.Yesterday => (today.AddDays(-1), today),
            PeriodKind.Last7 => (today.AddDays(-7), today),
            PeriodKind.Last30 => (today.AddDays(-30), today),
            PeriodKind.Last90 => (today.AddDays(-90), today),
            PeriodKind.MonthToDate => (new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Unspecified), localNow),
            PeriodKind.Custom when from is { } f && to is { } t && t >= f && t.DayNumber - f.DayNumber < MaxCustomDays =>
                (f.ToDateTime(TimeOnly.MinValue), t.AddDays(1).ToDateTime(TimeOnly.MinValue)),
            PeriodKind.Custom => throw new ArgumentException(
                $"a custom period needs from and to (yyyy-MM-dd), to not before from, at most {MaxCustomDays} days"),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
        };
        return Span(start, end, zone);
    }

    /// <summary>The span <paramref name="current"/> is compared with, or null for <see cref="ComparisonKind.None"/>.</summary>
    public static HistoryPeriod? Compare(PeriodKind period, HistoryPeriod current, ComparisonKind comparison, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(zone);
        switch (comparison)
        {
            case ComparisonKind.None:
                return null;
            case ComparisonKind.PreviousYear:
                return Span(current.StartLocal.AddYears(-1), current.EndLocal.AddYears(-1), zone);
            case ComparisonKind.Previous when period == PeriodKind.MonthToDate:
                // The same elapsed part of the month before, cut at that month's end (31 March compares with all of February).
                var start = current.StartLocal.AddMonths(-1);
                var end = start + (current.EndLocal - current.StartLocal);
                return Span(start, end < current.StartLocal ? end : current.StartLocal, zone);
            case ComparisonKind.Previous:
                // Whole days back by the period's own number of local days; today compares with yesterday up to the same time.
                var days = Math.Max(1, (int)Math.Ceiling((current.EndLocal - current.StartLocal).TotalDays));
                return Span(current.StartLocal.AddDays(-days), current.EndLocal.AddDays(-days), zone);
            default:
                throw new ArgumentOutOfRangeException(nameof(comparison), comparison, null);
        }
    }

    /// <summary>The grain a trend gets when none is asked for: hours within two days, days within 92, weeks beyond.</summary>
    public static TrendGrain DefaultGrain(HistoryPeriod period)
    {
        ArgumentNullException.ThrowIfNull(period);
        var length = period.EndLocal - period.StartLocal;
        return length <= TimeSpan.FromDays(2) ? TrendGrain.Hour : length <= TimeSpan.FromDays(92) ? TrendGrain.Day : TrendGrain.Week;
    }

    /// <summary>Minute points are only offered for up to two days (2,880 points); beyond that a chart cannot show them.</summary>
    public static bool GrainFits(HistoryPeriod period, TrendGrain grain)
    {
        ArgumentNullException.ThrowIfNull(period);
        return grain != TrendGrain.Minute || period.EndLocal - period.StartLocal <= TimeSpan.FromDays(2);
    }

    /// <summary>The local start of the grain bucket holding <paramref name="local"/>.</summary>
    public static DateTime BucketStart(DateTime local, TrendGrain grain) => grain switch
    {
        TrendGrain.Minute => new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified),
        TrendGrain.Hour => new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified),
        TrendGrain.Day => local.Date,
        TrendGrain.Week => local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
        _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, null),
    };

    public static DateTime NextBucket(DateTime bucketStart, TrendGrain grain) => grain switch
    {
        TrendGrain.Minute => bucketStart.AddMinutes(1),
        TrendGrain.Hour => bucketStart.AddHours(1),
        TrendGrain.Day => bucketStart.AddDays(1),
        _ => bucketStart.AddDays(7),
    };

    /// <summary>Parses a yyyy-MM-dd local date.</summary>
    public static bool TryParseDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }

        return false;
    }

    /// <summary>The UTC instant a store-local wall-clock time first reads <paramref name="local"/> (see <see cref="StoreTime.LocalToUtc"/>).</summary>
    public static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone) => StoreTime.LocalToUtc(local, zone);

    private static HistoryPeriod Span(DateTime startLocal, DateTime endLocal, TimeZoneInfo zone) =>
        new(startLocal, endLocal, new HistoryRange(LocalToUtc(startLocal, zone), LocalToUtc(endLocal, zone)));
}

/// <summary>A period as a query gave it: a name, and the dates of a custom one.</summary>
public readonly record struct DatedPeriod(PeriodKind Kind, DateOnly? From, DateOnly? To)
{
    /// <summary>The period's name as the API answers with it.</summary>
    public string Name => Kind switch
    {
        PeriodKind.MonthToDate => "mtd",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
