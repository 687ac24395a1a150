namespace SalesDash.Web.Reports;

/// <summary>
/// When a report is sent and which period a send covers, worked out on the zone's wall clock so a send at 07:00 stays
/// at 07:00 local across daylight-saving changes. Pure functions of the definition and an instant.
/// </summary>
public static class ReportSchedule
{
    /// <summary>The first send time strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextSend(ReportPeriod period, TimeOnly sendTime, TimeZoneInfo zone, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var localToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime);

        // Today's (or this period's) slot may still be ahead; otherwise the next one. Three candidates always cover it.
        var day = FirstSendDay(period, localToday);
        for (var i = 0; i < 3; i++)
        {
            var at = ToInstant(day.ToDateTime(sendTime), zone);
            if (at > after)
            {
                return at;
            }

            day = NextSendDay(period, day);
        }

        throw new InvalidOperationException("No send time found within three periods.");
    }

    /// <summary>The last send time at or before <paramref name="at"/>; null only for a zone that has none in the month before.</summary>
    public static DateTimeOffset? LatestSend(ReportPeriod period, TimeOnly sendTime, TimeZoneInfo zone, DateTimeOffset at)
    {
        // A monthly report's previous send is at most 31 days and a DST hour back; walk forward from before it.
        DateTimeOffset? latest = null;
        var candidate = NextSend(period, sendTime, zone, at.AddDays(-32));
        while (candidate <= at)
        {
            latest = candidate;
            candidate = NextSend(period, sendTime, zone, candidate);
        }

        return latest;
    }

    /// <summary>
    /// The complete period a send at <paramref name="at"/> covers: the local day, Monday-to-Sunday week or month
    /// before the one <paramref name="at"/> falls in.
    /// </summary>
    public static (DateOnly From, DateOnly To) CoveredPeriod(ReportPeriod period, TimeZoneInfo zone, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        switch (period)
        {
            case ReportPeriod.Daily:
                return (today.AddDays(-1), today.AddDays(-1));
            case ReportPeriod.Weekly:
                var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
                return (monday.AddDays(-7), monday.AddDays(-1));
            default:
                var first = new DateOnly(today.Year, today.Month, 1);
                return (first.AddMonths(-1), first.AddDays(-1));
        }
    }

    /// <summary>
    /// A zone's wall-clock time as an instant. A time skipped by a spring-forward change is sent when the clock has
    /// moved on past the gap; a time that happens twice in autumn is sent the first time.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            // Walk forward to the first valid minute: the gap is at most a couple of hours.
            var probe = wall;
            while (zone.IsInvalidTime(probe))
            {
                probe = probe.AddMinutes(1);
            }

            var offsetAfter = zone.GetUtcOffset(probe);
            return new DateTimeOffset(probe, offsetAfter);
        }

        if (zone.IsAmbiguousTime(wall))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(wall);
            return new DateTimeOffset(wall, offsets.Max());
        }

        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    private static DateOnly FirstSendDay(ReportPeriod period, DateOnly today) => period switch
    {
        ReportPeriod.Daily => today,
        ReportPeriod.Weekly => today.AddDays(-(((int)today.DayOfWeek + 6) % 7)),
        _ => new DateOnly(today.Year, today.Month, 1),
    };

    private static DateOnly NextSendDay(ReportPeriod period, DateOnly day) => period switch
    {
        ReportPeriod.Daily => day.AddDays(1),
        ReportPeriod.Weekly => day.AddDays(7),
        _ => day.AddMonths(1),
    };
}
