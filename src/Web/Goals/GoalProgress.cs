using System.Globalization;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Goals;

/// <summary>A goal as the API shows it: its settings, and where it stands now (null with a note when it cannot be worked out).</summary>
public sealed record GoalView(
    Goal Goal,
    string? Currency,
    string TimeZone,
    GoalPaceResult? Progress,
    string Sentence,
    string? Note);

/// <summary>The store-local span a goal covers now.</summary>
public static class GoalPeriods
{
    /// <summary>The UTC [start, end) of the goal's period containing <paramref name="now"/> (or its fixed dates), in the zone's days.</summary>
    public static (DateTimeOffset StartsAt, DateTimeOffset EndsAt) Window(Goal goal, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(goal);
        ArgumentNullException.ThrowIfNull(zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var (first, afterLast) = goal.Period switch
        {
            GoalPeriod.Day => (today, today.AddDays(1)),
            GoalPeriod.Week => (today.AddDays(-(((int)today.DayOfWeek + 6) % 7)), today.AddDays(7 - (((int)today.DayOfWeek + 6) % 7))),
            GoalPeriod.Month => (new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1)),
            _ => (goal.From ?? today, (goal.To ?? today).AddDays(1)),
        };
        return (Midnight(first, zone), Midnight(afterLast, zone));
    }

    /// <summary>The instant a local date starts; where midnight is skipped by a DST jump, the first minute that exists.</summary>
    public static DateTimeOffset Midnight(DateOnly date, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}

/// <summary>
/// Works out a goal's progress from the history store (the same figures as History and reports) and its pace from the
/// store's hourly profile over the four weeks before the period, or linearly when asked or when there is no history.
/// </summary>
public sealed class GoalProgressService(IHistoryStore history, IStoreDirectory stores, TimeProvider time)
{
    /// <summary>Four weeks: every weekday four times, short enough to follow a shop's season.</summary>
    public static readonly TimeSpan ProfileSpan = TimeSpan.FromDays(28);

    public async Task<GoalView> ViewAsync(Goal goal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var own = await stores.ListAsync(goal.TenantId, cancellationToken);
        IReadOnlyList<StoreProfile> scope = goal.StoreId is null ? own : [.. own.Where(s => s.Store.StoreId == goal.StoreId)];
        if (scope.Count == 0)
        {
            return new GoalView(goal, null, TimeZoneInfo.Utc.Id, null, "No figures.", "The goal's store no longer exists.");
        }

        var currencies = scope.Select(s => s.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var zones = scope.Select(s => s.TimeZone).Distinct(StringComparer.Ordinal).ToArray();
        // An organisation goal over stores in several zones runs on UTC days: no one store's midnight is the right one.
        var zone = zones.Length == 1 && TimeZoneInfo.TryFindSystemTimeZoneById(zones[0], out var found) ? found : TimeZoneInfo.Utc;
        var currency = goal.Metric == GoalMetric.Revenue ? (currencies.Length == 1 ? currencies[0] : null) : null;
        if (goal.Metric == GoalMetric.Revenue && currencies.Length > 1)
        {
            return new GoalView(goal, null, zone.Id, null, "No figures.",
                $"The organisation's stores take {string.Join(", ", currencies)}; a revenue goal cannot add them up.");
        }

        var now = time.GetUtcNow();
        var (startsAt, endsAt) = GoalPeriods.Window(goal, now, zone);
        var historyScope = goal.StoreId is null ? HistoryScope.Tenant(goal.TenantId) : HistoryScope.Store(goal.TenantId, goal.StoreId);
        var achieved = now <= startsAt ? 0m : await SumAsync(historyScope, goal.Metric, startsAt, now < endsAt ? now : endsAt, cancellationToken);
        var weights = goal.Pace == PaceMethod.HourlyProfile ? await HourWeightsAsync(historyScope, goal.Metric, startsAt, zone, cancellationToken) : null;
        var progress = GoalPace.Compute(achieved, goal.Target, startsAt, endsAt, now, zone, weights);
        var note = zone == TimeZoneInfo.Utc && zones.Length > 1 ? "The stores are in several time zones, so the goal runs on UTC days." : null;
        return new GoalView(goal, currency, zone.Id, progress, Sentence(goal, progress, currency, zone), note);
    }

    /// <summary>"On pace for 12,400.00 GBP by 30 Nov 2026", and the like for each status.</summary>
    public static string Sentence(Goal goal, GoalPaceResult progress, string? currency, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(goal);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(zone);
        string Figure(decimal value) => goal.Metric == GoalMetric.Revenue
            ? $"{value.ToString("N2", CultureInfo.InvariantCulture)} {currency}"
            : $"{value.ToString("N0", CultureInfo.InvariantCulture)} orders";
        string Day(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        var lastDay = Day(progress.EndsAt.AddTicks(-1));
        return progress.Status switch
        {
            GoalStatus.NotStarted => $"Starts {Day(progress.StartsAt)}.",
            GoalStatus.Met => $"Met: {Figure(progress.Achieved)} of {Figure(progress.Target)}.",
            GoalStatus.Missed => $"Ended at {Figure(progress.Achieved)} of {Figure(progress.Target)}.",
            GoalStatus.Behind => $"Behind: on pace for {Figure(progress.Projected ?? 0m)} of {Figure(progress.Target)} by {lastDay}.",
            _ when progress.Projected is { } projected => $"On pace for {Figure(projected)} by {lastDay}.",
            _ => $"{Figure(progress.Achieved)} of {Figure(progress.Target)} so far.",
        };
    }

    private async Task<decimal> SumAsync(HistoryScope scope, GoalMetric metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            return 0m;
        }

        // One slot covering the whole range: the store answers with one total (or nothing when there was nothing).
        var slot = TimeSpan.FromSeconds(Math.Ceiling((to - from).TotalSeconds));
        var slots = await history.SlotsAsync(scope, new HistoryRange(from, to), slot, cancellationToken);
        return slots.Sum(s => metric == GoalMetric.Revenue ? s.Totals.GrossRevenue : s.Totals.Orders);
    }

    private async Task<decimal[]> HourWeightsAsync(HistoryScope scope, GoalMetric metric, DateTimeOffset periodStart, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var from = periodStart - ProfileSpan;
        var slots = await history.SlotsAsync(scope, new HistoryRange(from, periodStart), TimeSpan.FromHours(1), cancellationToken);
        var weights = new decimal[24];
        foreach (var s in slots)
        {
            var hour = TimeZoneInfo.ConvertTime(from.AddHours(s.Index), zone).Hour;
            weights[hour] += metric == GoalMetric.Revenue ? s.Totals.GrossRevenue : s.Totals.Orders;
        }

        return weights;
    }
}
