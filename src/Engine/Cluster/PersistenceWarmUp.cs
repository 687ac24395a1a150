using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace SalesDash.Engine.Clustering;

/// <summary>
/// Readies this node's journal and snapshot store before the node joins the cluster, so no entity recovery pays for
/// their start. A SQL plugin's first use opens its first connection, creates its tables (auto-initialize) and compiles
/// its queries; left to the first recovery, that work runs inside the recovery's 30 s timer
/// (recovery-event-timeout), and on a loaded machine it does not fit: the first store to recover failed with
/// "Recovery timed out". A node that has not joined gets no shards and no singletons, so once it is a member every
/// recovery on it is a plain read.
/// </summary>
public static class PersistenceWarmUp
{
    /// <summary>The id the warm-up reads; nothing is ever written under it.</summary>
    public const string ProbePersistenceId = "salesdash-node-warm-up";

    /// <summary>How long to wait before asking again after a plugin answered with a failure (database not up yet).</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A question unanswered this long is asked again: a plugin that failed its start is restarted by Akka and may not
    /// answer what it was asked before. Not a deadline: the warm-up keeps asking until it is answered.
    /// </summary>
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Completes once the default journal has replayed and the default snapshot store has loaded for a probe id, each
    /// without a failure; a failure (the database not reachable yet) is logged and asked again. Waits as long as it
    /// takes: the work is the plugins' own start, and until it is done the node has no business in the cluster.
    /// </summary>
    public static async Task WarmUpAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
        var log = Logging.GetLogger(system, typeof(PersistenceWarmUp));
        var journal = persistence.JournalFor(string.Empty);
        var snapshots = persistence.SnapshotStoreFor(string.Empty);

        // The journal stashes what it gets until its tables exist, then answers the replay (highest sequence number,
        // then the events: none) with RecoverySuccess; the snapshot store answers the load with an empty result.
        await UntilAnsweredAsync(journal, replyTo => new ReplayMessages(0, long.MaxValue, long.MaxValue, ProbePersistenceId, replyTo),
            answer => answer is RecoverySuccess, "journal", log, cancellationToken);
        await UntilAnsweredAsync(snapshots, _ => new LoadSnapshot(ProbePersistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue),
            answer => answer is LoadSnapshotResult, "snapshot store", log, cancellationToken);
    }

    private static async Task UntilAnsweredAsync(IActorRef plugin, Func<IActorRef, object> question, Func<object, bool> ready, string what,
        ILoggingAdapter log, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var answer = await plugin.Ask<object>(question, AskAgainAfter, cancellationToken);
                if (ready(answer))
                {
                    return;
                }

                log.Warning("The {0} is not ready yet ({1}); asking again in {2}", what, Describe(answer), RetryDelay);
            }
            catch (AskTimeoutException)
            {
                // Still creating its tables, or restarted after a failed start (which logs why): ask again.
                log.Warning("The {0} has not answered within {1}; asking again", what, AskAgainAfter);
            }

            await Task.Delay(RetryDelay, cancellationToken);
        }
    }

    private static string Describe(object answer) => answer switch
    {
        ReplayMessagesFailure failure => failure.Cause.Message,
        LoadSnapshotFailed failure => failure.Cause.Message,
        _ => answer.GetType().Name,
    };
}

/// <summary>
/// Joins the cluster only after <see cref="PersistenceWarmUp"/>: with the configured seed nodes, as the first node of a
/// cluster of one, or by starting discovery. Until then the node is no member, so it is given no shards or singletons.
/// </summary>
public sealed class WarmUpThenJoin : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action<IActorContext> _join;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public WarmUpThenJoin(Action<IActorContext> join)
    {
        _join = join;
        Receive<Ready>(_ =>
        {
            _join(Context);
            Context.Stop(Self);
        });
        Receive<Status.Failure>(failure =>
        {
            _log.Error(failure.Cause, "Readying the journal failed; trying again in 1 s before joining");
            Timers.StartSingleTimer(RetryTimer, Retry.Instance, TimeSpan.FromSeconds(1));
        });
        Receive<Retry>(_ => Start());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props that warm up, then run <paramref name="join"/> once, inside the actor.</summary>
    public static Props PropsFor(Action<IActorContext> join) => Props.Create(() => new WarmUpThenJoin(join));

    protected override void PreStart() => Start();

    protected override void PostStop()
    {
        // The system stopped before the plugins were ready: the warm-up's asks end with it.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Start() =>
        PersistenceWarmUp.WarmUpAsync(Context.System, _stopping.Token).PipeTo(Self, success: () => Ready.Instance);

    private sealed class Ready
    {
        public static readonly Ready Instance = new();
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }
}
