using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Anomalies;

/// <summary>What a watcher does after handing a notice to its <see cref="MinuteFeed"/>.</summary>
/// <param name="Closed">Minutes closed by it, oldest first, to judge.</param>
/// <param name="NeedsPull">The feed missed something it cannot know: pull the entity's minutes from <see cref="MinuteFeed.PullFrom"/>.</param>
public sealed record FeedStep(IReadOnlyList<ClosedMinute> Closed, bool NeedsPull)
{
    public static readonly FeedStep Nothing = new([], false);

    public static readonly FeedStep Pull = new([], true);
}

/// <summary>
/// One store's closed minutes as a watcher sees them, from what the store's entity publishes rather than by asking it:
/// pure and single-threaded, so the alert evaluator only moves messages and tests replay days without actors. It keeps
/// the store's <see cref="MinuteHistory"/> and runs the <see cref="MinuteMonitor"/> over it.
/// </summary>
/// <remarks>
/// The entity publishes each minute the clock completes while it runs, so a watcher that is told every minute never asks;
/// asking (<see cref="StoreMinutes.Pull"/>) would wake a passivated entity and keep it from passivating again. What the
/// feed cannot know, it pulls: at the start, and after a gap (a lost notice, an entity that crashed and came back).
/// <para>
/// "No orders for N minutes" must still be seen while an idle entity is passivated and publishes nothing. The entity says
/// so as it stops (<see cref="StoreMinutes.WentIdle"/>, with its last minute): any event would start it again, and it
/// says <see cref="StoreMinutes.Woke"/> before counting anything, so until then the feed keeps its own minute clock and
/// closes each minute the clock completes as empty. It waits <see cref="IdleGrace"/> past each minute's end first, so a
/// "woke" published just before a minute ended is heard before that minute is closed as empty. A scheduled wake was the
/// alternative: exact without a grace, but it would restore a recovery per idle store per check, and with that most of
/// the memory passivation gives back.
/// </para>
/// </remarks>
public sealed class MinuteFeed
{
    /// <summary>How long past a minute's end an idle store's minute waits before it is closed as empty.</summary>
    public static readonly TimeSpan IdleGrace = TimeSpan.FromSeconds(15);

    /// <summary>Completed minutes a running entity may be late with before the feed asks: its minute check runs every few seconds.</summary>
    public const int StaleMinutes = 3;

    private readonly MinuteHistory _history;
    private readonly MinuteMonitor _monitor;
    private StoreMinutes.Minute? _idleMinute;
    private DateTimeOffset? _idleAt;
    private DateTimeOffset _lastWoke = DateTimeOffset.MinValue;
    private string _timeZone = "UTC";
    private string _currency = string.Empty;

    public MinuteFeed(StoreRef store, KpiAnomalyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _history = new MinuteHistory(store);
        _monitor = new MinuteMonitor(store, options);
    }

    /// <summary>Whether a pull has been taken; until then every notice asks for one.</summary>
    public bool Started { get; private set; }

    /// <summary>Whether the entity said it went idle and has not woken since.</summary>
    public bool EntityIdle => _idleAt is not null;

    /// <summary>The newest minute held final; null before the first pull.</summary>
    public DateTimeOffset? Through => _history.Through is { } t ? MinuteMonitor.FromMinute(t) : null;

    /// <summary>Closed minutes the monitor keeps, for a judge that starts after them.</summary>
    public IReadOnlyList<ClosedMinute> Since(DateTimeOffset? after) => _monitor.Since(after);

    /// <summary>Where the next pull starts: everything a rebuild reads at first, then the minute after the newest held.</summary>
    public DateTimeOffset PullFrom(DateTimeOffset now) =>
        Through is { } through ? through.AddMinutes(1) : StoreMinutes.Floor(now) - MinuteMonitor.HistoryNeeded;

    /// <summary>
    /// Takes a pull's answer: at the start it fills the history and replays it through the detectors (slow for a busy
    /// store, so the caller may run it off its thread); later it fills the gap and closes what follows.
    /// </summary>
    public FeedStep Pulled(StoreMinutes.Pulled pulled)
    {
        ArgumentNullException.ThrowIfNull(pulled);
        Terms(pulled.TimeZone, pulled.Currency);
        _history.Merge(pulled);
        Started = true;
        return Close();
    }

    /// <summary>A minute the running entity completed.</summary>
    public FeedStep Closed(StoreMinutes.MinuteClosed closed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(closed);
        if (!Started)
        {
            return FeedStep.Pull;
        }

        // Only a running entity publishes minutes: whatever said it was idle is over.
        _idleAt = null;
        _idleMinute = null;
        var minute = MinuteMonitor.ToMinute(closed.Minute.At);
        var through = _history.Through!.Value;
        if (minute <= through)
        {
            return FeedStep.Nothing;
        }

        if (minute > through + 1)
        {
            return FeedStep.Pull;
        }

        Terms(closed.TimeZone, closed.Currency);
        _history.Add(closed.Minute);
        return Close();
    }

    /// <summary>The entity stopped; its last minute is final and every later one is empty until it wakes.</summary>
    public FeedStep WentIdle(StoreMinutes.WentIdle idle, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(idle);

        // A notice of an earlier life that arrives after the next life said it woke (a hand-off between nodes) is stale.
        if (!Started || idle.At < _lastWoke)
        {
            return Started ? FeedStep.Nothing : FeedStep.Pull;
        }

        var minute = MinuteMonitor.ToMinute(idle.Current.At);
        if (minute > _history.Through!.Value + 1)
        {
            // Minutes before its last were never heard: they may hold events.
            return FeedStep.Pull;
        }

        Terms(idle.TimeZone, idle.Currency);
        _idleAt = idle.At;
        _idleMinute = minute > _history.Through!.Value ? idle.Current : null;
        return Tick(now);
    }

    /// <summary>The entity started again and publishes every minute from its <see cref="StoreMinutes.Woke.From"/>.</summary>
    public FeedStep Woke(StoreMinutes.Woke woke, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(woke);
        _lastWoke = woke.At > _lastWoke ? woke.At : _lastWoke;
        if (!Started)
        {
            return FeedStep.Pull;
        }

        var before = MinuteMonitor.ToMinute(woke.From) - 1;
        if (_idleAt is not null)
        {
            // Asleep until it woke: the minutes before it are empty (its last one as it said), and final.
            var closed = FillIdle(before);
            _idleAt = null;
            _idleMinute = null;
            return closed;
        }

        // It stopped without saying so (a crash, a lost notice): the minutes it did not publish may hold events.
        return before > _history.Through!.Value ? FeedStep.Pull : FeedStep.Nothing;
    }

    /// <summary>
    /// The watcher's own clock: an idle entity's minutes close as empty once <see cref="IdleGrace"/> past their end; a
    /// running entity that has published nothing for <see cref="StaleMinutes"/> completed minutes is asked.
    /// </summary>
    public FeedStep Tick(DateTimeOffset now)
    {
        if (!Started)
        {
            return FeedStep.Pull;
        }

        if (_idleAt is not null)
        {
            return FillIdle(MinuteMonitor.ToMinute(now - IdleGrace) - 1);
        }

        return MinuteMonitor.ToMinute(now) - 1 - _history.Through!.Value > StaleMinutes ? FeedStep.Pull : FeedStep.Nothing;
    }

    private FeedStep FillIdle(long through)
    {
        if (through <= _history.Through!.Value)
        {
            return FeedStep.Nothing;
        }

        if (_idleMinute is { } last && MinuteMonitor.ToMinute(last.At) <= through)
        {
            _history.Add(last);
            _idleMinute = null;
        }

        _history.AdvanceTo(through);
        return Close();
    }

    private FeedStep Close() => new(_monitor.Close(_history, _timeZone, _currency), false);

    private void Terms(string timeZone, string currency)
    {
        if (!string.IsNullOrWhiteSpace(timeZone))
        {
            _timeZone = timeZone;
        }

        if (!string.IsNullOrWhiteSpace(currency))
        {
            _currency = currency;
        }
    }
}
