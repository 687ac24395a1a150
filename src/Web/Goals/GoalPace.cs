namespace SalesDash.Web.Goals;

/// <summary>How far through its period a goal is expected to be by now.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<PaceMethod>))]
public enum PaceMethod
{
    /// <summary>Evenly over the period's time: half-way through the period, half the target.</summary>
    Linear,

    /// <summary>By the store's own trading hours: each local hour weighs what that hour of the day took over the last four weeks.</summary>
    HourlyProfile,
}

/// <summary>Where a goal stands.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<GoalStatus>))]
public enum GoalStatus
{
    NotStarted,
    OnPace,
    Behind,
    Met,
    Missed,
}

/// <summary>A goal's progress and pace at one instant.</summary>
/// <param name="ExpectedFraction">The share of the period's total the pace method expects by now (0..1).</param>
/// <param name="Projected">What the period ends on at the pace so far; null before anything is expected.</param>
public sealed record GoalPaceResult(
    decimal Achieved,
    decimal Target,
    decimal ProgressRatio,
    decimal ExpectedFraction,
    decimal? Projected,
    GoalStatus Status,
    PaceMethod Method,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt);

/// <summary>
/// The pace of a goal: pure, so the figures a merchant reads ("on pace for X by …") are unit tested without a host.
/// </summary>
public static class GoalPace
{
    /// <summary>
    /// Below this share of the period expected to be done, "behind" is not called: an hour into a month, one quiet
    /// minute would otherwise read as a missed month.
    /// </summary>
    public const decimal MinimumExpectedForVerdict = 0.05m;

    /// <summary>
    /// Works out the pace. <paramref name="hourWeights"/> holds 24 weights by store-local hour of day (what each hour
    /// took over recent weeks); null, or all zero (a store with no history), falls back to linear and says so.
    /// </summary>
    public static GoalPaceResult Compute(
        decimal achieved, decimal target, DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset now, TimeZoneInfo zone,
        IReadOnlyList<decimal>? hourWeights)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (endsAt <= startsAt)
        {
            throw new ArgumentException("A goal's period must end after it starts.", nameof(endsAt));
        }

        if (hourWeights is not null && hourWeights.Count != 24)
        {
            throw new ArgumentException("Hour weights are one per hour of the day.", nameof(hourWeights));
        }

        var profiled = hourWeights is not null && hourWeights.All(w => w >= 0m) ? ProfileFraction(startsAt, endsAt, now, zone, hourWeights) : null;
        var method = profiled is null ? PaceMethod.Linear : PaceMethod.HourlyProfile;
        var expected = profiled ?? LinearFraction(startsAt, endsAt, now);
        var progress = target == 0m ? 1m : Math.Round(achieved / target, 4, MidpointRounding.AwayFromZero);
        decimal? projected = now >= endsAt ? achieved : expected > 0m ? Math.Round(achieved / expected, 2, MidpointRounding.AwayFromZero) : null;

        var status = now < startsAt ? GoalStatus.NotStarted
            : achieved >= target ? GoalStatus.Met
            : now >= endsAt ? GoalStatus.Missed
            : expected >= MinimumExpectedForVerdict && projected < target ? GoalStatus.Behind
            : GoalStatus.OnPace;
        return new GoalPaceResult(achieved, target, progress, Math.Round(expected, 4, MidpointRounding.AwayFromZero), projected, status, method, startsAt, endsAt);
    }

    private static decimal LinearFraction(DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset now)
    {
        if (now <= startsAt)
        {
            return 0m;
        }

        return now >= endsAt ? 1m : (decimal)(now - startsAt).Ticks / (endsAt - startsAt).Ticks;
    }

    // Walks the period an hour at a time in UTC and weighs each hour by its local hour of day, so a DST change
    // inside the period gives its 23 or 25 hours their own weights; the hour now is counted pro rata.
    private static decimal? ProfileFraction(DateTimeOffset startsAt, DateTimeOffset endsAt, DateTimeOffset now, TimeZoneInfo zone, IReadOnlyList<decimal> weights)
    {
        decimal total = 0m, done = 0m;
        for (var hour = startsAt; hour < endsAt; hour = hour.AddHours(1))
        {
            var next = hour.AddHours(1) < endsAt ? hour.AddHours(1) : endsAt;
            var span = (decimal)(next - hour).Ticks / TimeSpan.TicksPerHour;
            var weight = weights[TimeZoneInfo.ConvertTime(hour, zone).Hour] * span;
            total += weight;
            if (now >= next)
            {
                done += weight;
            }
            else if (now > hour)
            {
                done += weight * ((decimal)(now - hour).Ticks / (next - hour).Ticks);
            }
        }

        // Hours the store never trades in weigh nothing; a period made only of them (or no history) has no profile to follow.
        return total == 0m ? null : done / total;
    }
}
