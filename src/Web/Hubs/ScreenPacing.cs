using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SalesDash.Web.Hubs;

/// <summary>How many tile writes this node spends on its screens, bound from the "Hubs" configuration section.</summary>
public sealed class ScreenPushOptions
{
    public const string Section = "Hubs";

    /// <summary>
    /// Tile writes per second the node spends on all its screens together while their stores change. A store's entity
    /// publishes up to 10 updates a second (Engine:TilePublishInterval); a few screens get every one, a wall of 2,000 TVs
    /// gets each screen this share: 8,000/s is 4 a second each, what the entity's former 250 ms interval allowed when the
    /// quiet fan-out bench measured 3.9 pushes/s a board with a p99 push lag of 435 ms on two cores (bench/README, issue 15 pt 5).
    /// </summary>
    public int ScreenPushesPerSecond { get; set; } = 8000;

    /// <summary>
    /// Rests shorter than this are not taken: the entity's own publish interval (100 ms) already spaces updates, so a
    /// shorter rest would hold nothing back and only add a timer.
    /// </summary>
    public TimeSpan MinScreenInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a screen rests between updates, however many screens share the node: a wallboard must see at least one push a second.</summary>
    public TimeSpan MaxScreenInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the relay re-reads every watched store, so the clock moving on (a new minute, a new day) reaches screens
    /// when no event arrives and the entity has been passivated.
    /// </summary>
    public TimeSpan TileRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long each screen rests between two tile writes while <paramref name="screens"/> screens are watched on this node.</summary>
    public TimeSpan IntervalFor(int screens)
    {
        var share = TimeSpan.FromSeconds((double)screens / ScreenPushesPerSecond);
        return share < MinScreenInterval ? TimeSpan.Zero : share > MaxScreenInterval ? MaxScreenInterval : share;
    }
}

/// <summary>Registration of <see cref="ScreenPushOptions"/>, validated on start.</summary>
public static class ScreenPacingHosting
{
    public static IServiceCollection AddScreenPacing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScreenPushOptions>()
            .Bind(configuration.GetSection(ScreenPushOptions.Section))
            .Validate(o => o.ScreenPushesPerSecond > 0, "Hubs:ScreenPushesPerSecond must be positive.")
            .Validate(o => o.MinScreenInterval >= TimeSpan.Zero && o.MaxScreenInterval > TimeSpan.Zero && o.MinScreenInterval <= o.MaxScreenInterval,
                "Hubs:MinScreenInterval must not be negative, and not above a positive Hubs:MaxScreenInterval.")
            .Validate(o => o.TileRefreshInterval > TimeSpan.Zero, "Hubs:TileRefreshInterval must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}

/// <summary>
/// The screens of one store on this node, and when each may be written next: pure state, no actor, no clock of its own.
/// A screen that has rested for the interval gets an update at once (the leading edge, so a change after a quiet spell is
/// not delayed); otherwise the update waits as its pending one, replacing any older (coalescing: a screen never receives
/// an update older than one it already has, nor every one of a burst). A screen whose write has not completed (a stalled
/// TV) also keeps only the newest pending, so it delays only itself and holds at most one write and one update.
/// </summary>
public sealed class ScreenPacer<TPush>
    where TPush : class
{
    private readonly Dictionary<string, Screen> _screens = new(StringComparer.Ordinal);

    public int Count => _screens.Count;

    public bool Add(string connectionId) => _screens.TryAdd(connectionId, new Screen());

    public bool Remove(string connectionId) => _screens.Remove(connectionId);

    public bool Contains(string connectionId) => _screens.ContainsKey(connectionId);

    /// <summary>
    /// A new update for every screen. Returns the screens to write it to now, counted as written at <paramref name="now"/>;
    /// every other screen keeps it as its pending update.
    /// </summary>
    public IReadOnlyList<string> Offer(TPush push, DateTimeOffset now, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(push);
        var writeNow = new List<string>();
        foreach (var (connectionId, screen) in _screens)
        {
            if (!screen.Busy && screen.Rested(now, interval))
            {
                screen.Pending = null;
                screen.LastWrite = now;
                writeNow.Add(connectionId);
            }
            else
            {
                screen.Pending = push;
            }
        }

        return writeNow;
    }

    /// <summary>The write to the screen did not complete at once: nothing more is written to it until <see cref="Completed"/>.</summary>
    public void Writing(string connectionId)
    {
        if (_screens.TryGetValue(connectionId, out var screen))
        {
            screen.Busy = true;
        }
    }

    /// <summary>The screen's write completed. Returns its pending update if its rest is over (counted as written now), else null.</summary>
    public TPush? Completed(string connectionId, DateTimeOffset now, TimeSpan interval)
    {
        if (!_screens.TryGetValue(connectionId, out var screen))
        {
            return null;
        }

        screen.Busy = false;
        return screen.Pending is { } pending && screen.Rested(now, interval) ? screen.Take(pending, now) : null;
    }

    /// <summary>Every screen, not busy, whose rest is over and which has an update pending: that update, counted as written now.</summary>
    public IReadOnlyList<(string ConnectionId, TPush Push)> Due(DateTimeOffset now, TimeSpan interval)
    {
        var due = new List<(string, TPush)>();
        foreach (var (connectionId, screen) in _screens)
        {
            if (!screen.Busy && screen.Pending is { } pending && screen.Rested(now, interval))
            {
                due.Add((connectionId, screen.Take(pending, now)));
            }
        }

        return due;
    }

    /// <summary>When the first screen that is not busy and holds a pending update may be written; null when none waits for its rest.</summary>
    public DateTimeOffset? NextDue(TimeSpan interval)
    {
        DateTimeOffset? next = null;
        foreach (var screen in _screens.Values)
        {
            if (!screen.Busy && screen.Pending is not null)
            {
                var at = screen.LastWrite is { } last ? last + interval : DateTimeOffset.MinValue;
                if (next is not { } n || at < n)
                {
                    next = at;
                }
            }
        }

        return next;
    }

    private sealed class Screen
    {
        /// <summary>A write to this connection has not completed yet.</summary>
        public bool Busy { get; set; }

        /// <summary>The newest update not yet written; it replaces any older one.</summary>
        public TPush? Pending { get; set; }

        /// <summary>When the last write to this screen started; null before the first.</summary>
        public DateTimeOffset? LastWrite { get; set; }

        public bool Rested(DateTimeOffset now, TimeSpan interval) => LastWrite is not { } last || now - last >= interval;

        public TPush Take(TPush pending, DateTimeOffset now)
        {
            Pending = null;
            LastWrite = now;
            return pending;
        }
    }
}
