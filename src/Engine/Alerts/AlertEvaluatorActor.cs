using Akka.Actor;
using Akka.Event;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Engine.Alerts;

/// <summary>
/// Evaluates one store's alert rules, one closed minute at a time. It pulls the minutes the store's entity has closed
/// since the last one it saw (which also keeps an entity with rules awake), feeds them to its <see cref="AlertBook"/>,
/// stores what opened or resolved, and hands notifications to the node's <see cref="AlertDeliveryActor"/>. Open alerts
/// are read back on start, so a restart or a move to another node never opens the same alert twice.
/// </summary>
public sealed class AlertEvaluatorActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private const string PullTimer = "pull";

    private readonly StoreRef _store;
    private readonly IActorRef _region;
    private readonly IAlertRuleStore _rules;
    private readonly IAlertRuleAllowance _allowance;
    private readonly IAlertStore _alerts;
    private readonly IActorRef _delivery;
    private readonly AlertsOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private AlertBook? _book;
    private bool _pulling;

    public AlertEvaluatorActor(StoreRef store, IActorRef region, IAlertRuleStore rules, IAlertRuleAllowance allowance, IAlertStore alerts, IActorRef delivery, AlertsOptions options)
    {
        _store = store;
        _region = region;
        _rules = rules;
        _allowance = allowance;
        _alerts = alerts;
        _delivery = delivery;
        _options = options;
        Loading();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    protected override void PreStart() => LoadOpenAlerts();

    private void LoadOpenAlerts() =>
        _alerts.OpenAlertsAsync(_store.TenantId, _store.StoreId, CancellationToken.None)
            .PipeTo(Self, success: open => new Loaded(open), failure: e => new LoadFailed(e));

    private void Loading()
    {
        Receive<Loaded>(loaded =>
        {
            _book = new AlertBook(_store, loaded.Open);
            Become(Ready);
            Stash.UnstashAll();
            Timers.StartPeriodicTimer(PullTimer, PullTick.Instance, TimeSpan.Zero, _options.PollInterval);
        });
        Receive<LoadFailed>(failed =>
        {
            _log.Warning(failed.Cause, "Reading open alerts of {0} failed; retrying", _store);
            Timers.StartSingleTimer("reload", Reload.Instance, _options.PollInterval);
        });
        Receive<Reload>(_ => LoadOpenAlerts());
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<PullTick>(_ =>
        {
            if (_pulling)
            {
                return;
            }

            _pulling = true;
            _region.Ask<StoreMinutes.Closed>(new StoreMinutes.Pull(_store, _book!.LastMinute), _options.PullTimeout)
                .PipeTo(Self, failure: e => new PullFailed(e));
        });
        ReceiveAsync<StoreMinutes.Closed>(async closed =>
        {
            try
            {
                if (closed.Minutes.Count > 0)
                {
                    await ProcessAsync(closed.Minutes);
                }
            }
            finally
            {
                _pulling = false;
            }
        });
        Receive<PullFailed>(failed =>
        {
            _pulling = false;
            _log.Warning(failed.Cause, "Pulling closed minutes of {0} failed; retrying on the next tick", _store);
        });
    }

    private async Task ProcessAsync(IReadOnlyList<ClosedMinute> minutes)
    {
        // Asked at every batch, so a rule the organisation's tier no longer allows stops at once (its open alert resolves,
        // as for a rule switched off) and runs again with the first batch after an upgrade.
        var rules = await _allowance.RunningAsync(
            [.. (await _rules.ListRulesAsync(_store.TenantId, CancellationToken.None)).Where(r => r.Enabled && r.AppliesTo(_store.StoreId))],
            CancellationToken.None);
        foreach (var minute in minutes)
        {
            foreach (var effect in _book!.Process(minute, rules))
            {
                switch (effect)
                {
                    case AlertOpened opened:
                        await _alerts.SaveAlertAsync(opened.Alert, CancellationToken.None);
                        break;
                    case AlertClosed closed:
                        await _alerts.SaveAlertAsync(closed.Alert, CancellationToken.None);
                        break;
                    case AlertNotify notify:
                        _delivery.Tell(new AlertDeliveryActor.Deliver(new AlertNotification(notify.Alert, notify.Rule, notify.Kind, notify.HeldByQuietHours)));
                        break;
                }
            }
        }
    }

    public static Props PropsFor(StoreRef store, IActorRef region, IAlertRuleStore rules, IAlertRuleAllowance allowance, IAlertStore alerts, IActorRef delivery, AlertsOptions options) =>
        Props.Create(() => new AlertEvaluatorActor(store, region, rules, allowance, alerts, delivery, options));

    private sealed record Loaded(IReadOnlyList<Alert> Open);

    private sealed record LoadFailed(Exception Cause);

    private sealed record PullFailed(Exception Cause);

    private sealed class PullTick
    {
        public static readonly PullTick Instance = new();
    }

    private sealed class Reload
    {
        public static readonly Reload Instance = new();
    }
}
