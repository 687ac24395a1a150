namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>
/// Keeps a test that reads "today" out of the minutes around UTC midnight. Such a test posts an order placed a moment
/// ago and reads it back among today's figures (tiles, the overview, insights, goals, this month's customers). The app
/// counts an order on its store's local day, and every store here is on UTC: an order placed at 23:59:30 and read at
/// 00:00:10 is rightly yesterday's, so the test would fail on the calendar, not on the product (it did, in a CI run
/// that reached these tests at midnight). Waiting those minutes out keeps the test's whole span inside one day; at any
/// other time of day it goes on at once.
/// </summary>
public static class UtcDay
{
    /// <summary>
    /// Longer than a test's longest wait for a figure (60 s) with its setup, and than the furthest back a test places an
    /// order it expects among today's (1 minute).
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(2);

    public static Task AwayFromMidnightAsync(CancellationToken cancellationToken) => AwayFromMidnightAsync(TimeProvider.System, cancellationToken);

    public static Task AwayFromMidnightAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var wait = WaitFrom(clock.GetUtcNow());
        if (wait == TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"UTC midnight is less than {Margin} away: waiting {wait} before reading today's figures.");
        return Task.Delay(wait, clock, cancellationToken);
    }

    /// <summary>How long from <paramref name="now"/> until it is at least <see cref="Margin"/> from either midnight.</summary>
    public static TimeSpan WaitFrom(DateTimeOffset now)
    {
        var sinceMidnight = now.UtcDateTime.TimeOfDay;
        var toMidnight = TimeSpan.FromDays(1) - sinceMidnight;
        if (sinceMidnight < Margin)
        {
            return Margin - sinceMidnight;
        }

        return toMidnight < Margin ? toMidnight + Margin : TimeSpan.Zero;
    }
}
