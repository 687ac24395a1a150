using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace SalesDash.Engine.Clustering;

/// <summary>
/// Work the whole cluster must do once, not once per node: channel polling, scheduled reports, history retention,
/// exchange rates. A job decides what is due from durable state (a connection's next sync, a report's last send), so
/// the node that takes it over after another left or died carries on where that one stopped instead of redoing it.
/// </summary>
public interface IClusterJob
{
    /// <summary>Stable name; names the job's timer and its log lines.</summary>
    string Name { get; }

    /// <summary>How often the job looks for due work; it also runs as soon as its node takes the jobs over.</summary>
    TimeSpan Interval { get; }

    /// <summary>One pass: does what is due now. Cancelled when the node hands the jobs over or stops.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The cluster singleton that runs every <see cref="IClusterJob"/>: it lives on the oldest node only, so each job runs
/// on exactly one node at a time, and it moves to the next oldest when that node leaves or is downed. A job's passes
/// never overlap: a tick that finds the previous pass still running is skipped. On hand-over it cancels the passes
/// and stops only once they have ended, so the next node never starts a job the previous one is still running.
/// </summary>
public sealed class ClusterJobsActor : ReceiveActor, IWithTimers
{
    private readonly Dictionary<string, IClusterJob> _jobs;
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _handingOver;

    public ClusterJobsActor(IEnumerable<IClusterJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        _jobs = jobs.ToDictionary(j => j.Name, StringComparer.Ordinal);

        Receive<Due>(due => Start(due.Job));
        Receive<Finished>(OnFinished);
        Receive<HandOver>(_ => BeginHandOver());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(IEnumerable<IClusterJob> jobs) => Props.Create(() => new ClusterJobsActor(jobs));

    protected override void PreStart()
    {
        foreach (var job in _jobs.Values)
        {
            Timers.StartPeriodicTimer(job.Name, new Due(job.Name), TimeSpan.Zero, job.Interval);
        }
    }

    protected override void PostStop()
    {
        // A crash (the actor system terminated under it) gets here without HandOver: stop the passes all the same.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Start(string name)
    {
        if (_handingOver || !_running.Add(name))
        {
            return;
        }

        var job = _jobs[name];
        var token = _stopping.Token;
        Task.Run(() => job.RunAsync(token), token).PipeTo(Self,
            success: () => new Finished(name, null),
            failure: e => new Finished(name, e));
    }

    private void OnFinished(Finished finished)
    {
        _running.Remove(finished.Job);
        if (finished.Error is { } error && !(_handingOver && error is OperationCanceledException or AggregateException { InnerException: OperationCanceledException }))
        {
            // The next tick tries again; a pass that failed half-way left its durable state saying what is still due.
            _log.Warning(error, "Cluster job {0} failed; it runs again in {1}", finished.Job, _jobs[finished.Job].Interval);
        }

        StopIfHandedOver();
    }

    private void BeginHandOver()
    {
        _handingOver = true;
        Timers.CancelAll();
        _stopping.Cancel();
        StopIfHandedOver();
    }

    private void StopIfHandedOver()
    {
        if (_handingOver && _running.Count == 0)
        {
            Context.Stop(Self);
        }
    }

    /// <summary>Sent by the singleton manager when the node leaves: finish (cancel) the passes, then stop.</summary>
    public sealed class HandOver
    {
        public static readonly HandOver Instance = new();

        private HandOver()
        {
        }
    }

    private sealed record Due(string Job);

    private sealed record Finished(string Job, Exception? Error);
}

/// <summary>Marker for the registry: the proxy of the cluster-jobs singleton.</summary>
public sealed class ClusterJobs;

/// <summary>Wires the cluster-jobs singleton.</summary>
public static class ClusterJobsHosting
{
    /// <summary>The singleton's name; its manager is /user/cluster-jobs on every node.</summary>
    public const string SingletonName = "cluster-jobs";

    /// <summary>
    /// Runs every <see cref="IClusterJob"/> registered in the services on one node of the cluster (of <paramref name="role"/>).
    /// </summary>
    public static AkkaConfigurationBuilder AddClusterJobs(this AkkaConfigurationBuilder builder, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithSingleton<ClusterJobs>(
            SingletonName,
            (_, _, resolver) => ClusterJobsActor.PropsFor(resolver.GetService<IEnumerable<IClusterJob>>()),
            new ClusterSingletonOptions { Role = role, TerminationMessage = ClusterJobsActor.HandOver.Instance },
            createProxyToo: false);
    }

    /// <summary>Registers a job the cluster-jobs singleton runs.</summary>
    public static IServiceCollection AddClusterJob<TJob>(this IServiceCollection services)
        where TJob : class, IClusterJob
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IClusterJob, TJob>();
        return services;
    }
}
