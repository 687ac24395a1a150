using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Tools.PublishSubscribe;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Alerts;

/// <summary>
/// Evaluates one store's alert rules, one closed minute at a time. It subscribes to the minutes the store's entity
/// publishes and runs them through a <see cref="MinuteFeed"/> (anomaly detectors included), pulling from the entity only
/// to catch up (at start, after a gap), so a watched entity still passivates when idle; it feeds the closed minutes to its
/// <see cref="AlertBook"/>, stores what opened or resolved, and hands notifications to the node's
/// <see cref="AlertDeliveryActor"/>. Open alerts are read back on start, so a restart or a move to another node never
/// opens the same alert twice.
/// </summary>
public sealed class AlertEvaluatorActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private const string TickTimer = "tick";
    private const string RetryTimer = "retry";

    private readonly StoreRef _store;
    private readonly AlertEvaluation _with;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MinuteFeed _feed;
    private AlertBook? _book;

    public AlertEvaluatorActor(StoreRef store, AlertEvaluation with)
    {
        _store = store;
        _with = with;
        _feed = new MinuteFeed(store);
        Loading();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        // Subscribed before the first pull, so no minute published between the pull's answer and the subscription is missed.
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(StoreMinutes.TopicFor(_store), Self));
        LoadOpenAlerts();
    }

    private void LoadOpenAlerts() =>
        _with.Alerts.OpenAlertsAsync(_store.TenantId, _store.StoreId, CancellationToken.None)
            .PipeTo(Self, success: open => new Loaded(open), failure: e => new LoadFailed(e));

    private bool _subscribed;

    private void Loading()
    {
        Receive<SubscribeAck>(_ =>
        {
            _subscribed = true;
            StartIfReady();
        });
        Receive<Loaded>(loaded =>
        {
            _book = new AlertBook(_store, loaded.Open);
            StartIfReady();
        });
        Receive<LoadFailed>(failed =>
        {
            _log.Warning(failed.Cause, "Reading open alerts of {0} failed; retrying", _store);
            Timers.StartSingleTimer("reload", Reload.Instance, _with.Options.ClockInterval);
        });
        Receive<Reload>(_ => LoadOpenAlerts());
        ReceiveAny(_ => Stash.Stash());
    }

    private void StartIfReady()
    {
        if (_subscribed && _book is not null)
        {
            Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _with.Options.ClockInterval);
            BeginPull();
        }
    }

    /// <summary>Asks the entity for what the feed cannot know; everything published meanwhile waits, in order, for the answer.</summary>
    private void BeginPull()
    {
        Become(Pulling);
        _with.Region.Ask<StoreMinutes.Pulled>(new StoreMinutes.Pull(_store, _feed.PullFrom(_with.Time.GetUtcNow())), _with.Options.PullTimeout)
            .PipeTo(Self, failure: e => new PullFailed(e));
    }

    private void Pulling()
    {
        Receive<StoreMinutes.Pulled>(pulled =>
        {
            // The first answer replays days of minutes through the detectors: off the actor's thread, the feed untouched meanwhile.
            var first = !_feed.Started;
            Task.Run(() => _feed.Pulled(pulled)).PipeTo(Self, success: step => new Caught(step, first), failure: e => new PullFailed(e));
        });
        ReceiveAsync<Caught>(async caught =>
        {
            Become(Ready);
            Stash.UnstashAll();
            await ProcessAsync(caught.First ? _feed.Since(_book!.LastMinute) : caught.Step.Closed);
        });
        Receive<PullFailed>(failed =>
        {
            _log.Warning(failed.Cause, "Pulling the minutes of {0} failed; retrying", _store);
            Timers.StartSingleTimer(RetryTimer, Retry.Instance, _with.Options.ClockInterval);
        });
        Receive<Retry>(_ => BeginPull());
        Receive<Tick>(_ => { });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        ReceiveAsync<StoreMinutes.MinuteClosed>(closed => StepAsync(_feed.Closed(closed, _with.Time.GetUtcNow())));
        ReceiveAsync<StoreMinutes.WentIdle>(idle => StepAsync(_feed.WentIdle(idle, _with.Time.GetUtcNow())));
        ReceiveAsync<StoreMinutes.Woke>(woke => StepAsync(_feed.Woke(woke, _with.Time.GetUtcNow())));
        ReceiveAsync<Tick>(_ => StepAsync(_feed.Tick(_with.Time.GetUtcNow())));
        Receive<StoreMinutes.Pulled>(_ => { });
        Receive<PullFailed>(_ => { });
    }

    private async Task StepAsync(FeedStep step)
    {
        if (step.NeedsPull)
        {
            BeginPull();
            return;
        }

        if (step.Closed.Count > 0)
        {
            await ProcessAsync(step.Closed);
        }
    }

    private async Task ProcessAsync(IReadOnlyList<ClosedMinute> minutes)
    {
        // Asked at every batch, so a rule the organisation's tier no longer allows stops at once (its open alert resolves,
        // as for a rule switched off) and runs again with the first batch after an upgrade.
        var rules = await _with.Allowance.RunningAsync(
            [.. (await _with.Rules.ListRulesAsync(_store.TenantId, CancellationToken.None)).Where(r => r.Enabled && r.AppliesTo(_store.StoreId))],
            CancellationToken.None);
        foreach (var minute in minutes)
        {
            foreach (var effect in _book!.Process(minute, rules))
            {
                switch (effect)
                {
                    case AlertOpened opened:
                        await _with.Alerts.SaveAlertAsync(opened.Alert, CancellationToken.None);
                        break;
                    case AlertClosed closed:
                        await _with.Alerts.SaveAlertAsync(closed.Alert, CancellationToken.None);
                        break;
                    case AlertNotify notify:
                        _with.Delivery.Tell(new AlertDeliveryActor.Deliver(new AlertNotification(notify.Alert, notify.Rule, notify.Kind, notify.HeldByQuietHours)));
                        break;
                }
            }
        }
    }

    public static Props PropsFor(StoreRef store, AlertEvaluation with) => Props.Create(() => new AlertEvaluatorActor(store, with));

    private sealed record Loaded(IReadOnlyList<Alert> Open);

    private sealed record LoadFailed(Exception Cause);

    private sealed record PullFailed(Exception Cause);

    private sealed record Caught(FeedStep Step, bool First);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed class Reload
    {
        public static readonly Reload Instance = new();
    }
}

/// <summary>What every store's <see cref="AlertEvaluatorActor"/> works with; the coordinator hands it down to each one it starts.</summary>
/// <param name="Region">The tenant stores' shard region, which evaluators pull missed minutes from.</param>
/// <param name="Delivery">The node's <see cref="AlertDeliveryActor"/>.</param>
public sealed record AlertEvaluation(
    IActorRef Region,
    IActorRef Delivery,
    IAlertRuleStore Rules,
    IAlertRuleAllowance Allowance,
    IAlertStore Alerts,
    AlertsOptions Options,
    TimeProvider Time);
