using System.Globalization;
using System.Text.Json;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Polling;

/// <summary>Loads and saves a poller's typed cursor as JSON in an <see cref="ICursorStore"/>.</summary>
internal sealed class TypedCursor<T>(ICursorStore store, StoreRef storeRef, string stream)
    where T : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<T?> LoadAsync(CancellationToken cancellationToken)
    {
        var text = await store.LoadAsync(storeRef, stream, cancellationToken);
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException e)
        {
            throw new ChannelResponseException($"The saved cursor for {stream} is unreadable ({e.Message}); delete the connection's cursor to start over.");
        }
    }

    public Task SaveAsync(T cursor, CancellationToken cancellationToken) =>
        store.SaveAsync(storeRef, stream, JsonSerializer.Serialize(cursor, Json), cancellationToken);
}

/// <summary>Day arithmetic in a reporting time zone (ad platforms and GA4 report days in the account's zone).</summary>
internal static class ReportDays
{
    public static TimeZoneInfo Zone(string timeZoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateOnly Today(TimeProvider time, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);

    /// <summary>The UTC instant of a local wall-clock time in the zone (the earlier one when clocks go back).</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }

        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Parse(string text, string path) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new ChannelResponseException($"{path}: '{text}' is not a yyyy-MM-dd date");
}

/// <summary>
/// Ad platforms report a day's running totals, which grow through the day and get revised for days after. The tiles add
/// up <see cref="AdSpendRecorded"/> events, so each poll publishes only the change since the last totals published for
/// that campaign and day; the totals themselves are in the event id, so republishing the same totals is a duplicate.
/// </summary>
internal static class AdSpendLedger
{
    public sealed record Totals(decimal Spend, long Clicks, long Impressions);

    public static AdSpendRecorded? Delta(
        IDictionary<string, Totals> ledger, StoreRef store, SalesChannel channel, string prefix, string campaignId, DateOnly day,
        Totals now, string currency, string storeTimeZone, TimeZoneInfo reportZone, DateTimeOffset utcNow, string? campaignName = null)
    {
        var key = $"{campaignId}|{ReportDays.Iso(day)}";
        var before = ledger.TryGetValue(key, out var held) ? held : new Totals(0m, 0, 0);
        if (before == now)
        {
            return null;
        }

        ledger[key] = now;
        // Today's change happened "now"; a revision of an earlier day belongs to that day's last minute.
        var endOfDay = ReportDays.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), reportZone).AddMinutes(-1);
        var at = endOfDay < utcNow ? endOfDay : utcNow;
        var fingerprint = string.Create(CultureInfo.InvariantCulture, $"{now.Spend}:{now.Clicks}:{now.Impressions}");
        return new AdSpendRecorded
        {
            Store = store,
            Channel = channel,
            EventId = $"{prefix}:{campaignId}:{ReportDays.Iso(day)}:{fingerprint}",
            OccurredAt = at,
            StoreTimeZone = storeTimeZone,
            Currency = currency,
            CampaignId = $"{prefix}:{campaignId}",
            CampaignName = string.IsNullOrWhiteSpace(campaignName) ? null : campaignName.Trim(),
            Spend = now.Spend - before.Spend,
            Clicks = now.Clicks - before.Clicks,
            Impressions = now.Impressions - before.Impressions,
        };
    }

    /// <summary>Forgets days before the oldest one a poll can still revise, so the ledger stays small.</summary>
    public static void Prune(IDictionary<string, Totals> ledger, DateOnly oldestKept)
    {
        var cutoff = ReportDays.Iso(oldestKept);
        foreach (var key in ledger.Keys.Where(k => string.CompareOrdinal(k[(k.LastIndexOf('|') + 1)..], cutoff) < 0).ToList())
        {
            ledger.Remove(key);
        }
    }
}
