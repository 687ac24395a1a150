using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;

namespace SalesDash.Engine.Alerts;

/// <summary>
/// A cluster singleton that keeps one <see cref="AlertEvaluatorActor"/> per store some enabled rule watches, and none
/// for the others. Being one in the cluster, it makes each store's rules evaluated exactly once, however many nodes run.
/// </summary>
public sealed class AlertCoordinatorActor : ReceiveActor, IWithTimers
{
    private const string RefreshTimer = "refresh";

    private readonly AlertEvaluation _with;
    private readonly IStoreDirectory _stores;
    private readonly Dictionary<StoreRef, IActorRef> _evaluators = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <remarks>
    /// A store whose rules are all paused by its organisation's tier is still watched: its evaluator resolves the alerts
    /// those rules left open and picks them up again the moment the tier allows them.
    /// </remarks>
    public AlertCoordinatorActor(AlertEvaluation with, IStoreDirectory stores)
    {
        _with = with;
        _stores = stores;

        Receive<RulesChanged>(_ => Refresh());
        Receive<RefreshTick>(_ => Refresh());
        Receive<Watched>(Apply);
        Receive<Status.Failure>(f => _log.Warning(f.Cause, "Reading alert rules failed; retrying at the next refresh"));
        Receive<SubscribeAck>(_ => { });
    }

    /// <summary>The pub-sub topic rule changes are published on, from whichever node took the API call.</summary>
    public const string RulesChangedTopic = "alert-rules-changed";

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // Rule changes arrive over pub-sub rather than a singleton proxy: a proxy logs "failed to find an associated
        // singleton" as it starts, before its first lookup could answer (akka.net #8568), on every node, every start.
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(RulesChangedTopic, Self));
        Timers.StartPeriodicTimer(RefreshTimer, RefreshTick.Instance, TimeSpan.Zero, _with.Options.RulesRefreshInterval);
    }

    private void Refresh() => WatchedStoresAsync().PipeTo(Self);

    private async Task<Watched> WatchedStoresAsync()
    {
        var rules = await _with.Rules.ListEnabledRulesAsync(CancellationToken.None);
        var watched = new HashSet<StoreRef>();
        var tenantWide = rules.Where(r => r.StoreId is null).Select(r => r.TenantId).ToHashSet(StringComparer.Ordinal);
        foreach (var tenantId in tenantWide)
        {
            foreach (var store in await _stores.ListAsync(tenantId, CancellationToken.None))
            {
                watched.Add(store.Store);
            }
        }

        foreach (var rule in rules.Where(r => r.StoreId is not null))
        {
            watched.Add(new StoreRef(rule.TenantId, rule.StoreId!));
        }

        return new Watched(watched);
    }

    private void Apply(Watched watched)
    {
        foreach (var store in _evaluators.Keys.Where(s => !watched.Stores.Contains(s)).ToList())
        {
            Context.Stop(_evaluators[store]);
            _evaluators.Remove(store);
        }

        foreach (var store in watched.Stores.Where(s => !_evaluators.ContainsKey(s)))
        {
            var name = $"{Uri.EscapeDataString(store.TenantId)}~{Uri.EscapeDataString(store.StoreId)}";
            _evaluators[store] = Context.ActorOf(AlertEvaluatorActor.PropsFor(store, _with), name);
        }
    }

    public static Props PropsFor(AlertEvaluation with, IStoreDirectory stores) => Props.Create(() => new AlertCoordinatorActor(with, stores));

    /// <summary>Rules were created, changed or deleted: look again now rather than at the next refresh. Crosses nodes.</summary>
    public sealed record RulesChanged
    {
        public static readonly RulesChanged Instance = new();
    }

    private sealed record Watched(HashSet<StoreRef> Stores);

    private sealed class RefreshTick
    {
        public static readonly RefreshTick Instance = new();
    }
}

/// <summary>
/// The per-node door for rule changes: what the alerts API tells it is published to the coordinator singleton's
/// topic, wherever in the cluster the singleton runs.
/// </summary>
public sealed class AlertRulesChangedPublisher : ReceiveActor
{
    public AlertRulesChangedPublisher()
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<AlertCoordinatorActor.RulesChanged>(changed => mediator.Tell(new Publish(AlertCoordinatorActor.RulesChangedTopic, changed)));
    }
}
