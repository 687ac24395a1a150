namespace SalesDash.Engine.Time;

/// <summary>
/// A store's wall clock and the Unix minutes live figures are bucketed by; shared by the tenant entity, the minute
/// monitor and history so that a store's day starts at the same instant everywhere.
/// </summary>
public static class StoreTime
{
    /// <summary>
    /// The store's zone; a zone this machine does not know still gets figures, on UTC, and says so through
    /// <paramref name="resolvedId"/>.
    /// </summary>
    public static TimeZoneInfo ResolveZone(string? timeZoneId, out string resolvedId)
    {
        if (!string.IsNullOrWhiteSpace(timeZoneId) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            resolvedId = timeZoneId;
            return zone;
        }

        resolvedId = TimeZoneInfo.Utc.Id;
        return TimeZoneInfo.Utc;
    }

    /// <summary>
    /// The UTC instant a store-local wall-clock time first reads <paramref name="local"/>. A time skipped by a
    /// spring-forward gap maps to the moment of the jump; a repeated fall-back time maps to its first pass.
    /// </summary>
    public static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsAmbiguousTime(wall))
        {
            offset = zone.GetAmbiguousTimeOffsets(wall).Max();
        }
        else if (zone.IsInvalidTime(wall))
        {
            // The offset in force just before the gap; gaps are at most a few hours long.
            offset = zone.GetUtcOffset(wall.AddHours(-6));
        }
        else
        {
            offset = zone.GetUtcOffset(wall);
        }

        return new DateTimeOffset(wall.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
