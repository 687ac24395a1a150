using System.Globalization;
using Akka.Actor;
using Akka.Discovery;
using Akka.Discovery.KubernetesApi;
using Akka.Event;
using Akka.Hosting;

// Not SalesDash.Engine.Cluster: a namespace named Cluster would hide Akka.Cluster.Cluster from every file under SalesDash.Engine.
namespace SalesDash.Engine.Clustering;

/// <summary>How a node finds the rest of its cluster.</summary>
public enum ClusterDiscovery
{
    /// <summary>The configured seed nodes; with none, the node forms a cluster of one (a laptop, a single container).</summary>
    Config,

    /// <summary>The Kubernetes API: pods with the service's label are looked up and joined as seed nodes.</summary>
    Kubernetes,
}

/// <summary>Discovery-based joining settings, bound from "Cluster:Bootstrap"; used when Cluster:Discovery is Kubernetes.</summary>
public sealed class ClusterBootstrapSettings
{
    /// <summary>The name the pods are looked up by; with the default selector, their "app" label.</summary>
    public string ServiceName { get; set; } = "salesdash";

    /// <summary>Kubernetes label selector for the pods of this cluster; {0} is <see cref="ServiceName"/>.</summary>
    public string PodLabelSelector { get; set; } = "app={0}";

    /// <summary>Namespace to look pods up in; empty means the pod's own (read from its service account).</summary>
    public string? PodNamespace { get; set; }

    /// <summary>The named container port that carries Akka remoting; a pod without it is reached on Cluster:Port.</summary>
    public string PortName { get; set; } = "remoting";

    /// <summary>
    /// Nodes (this one included) that must be seen before joining. Above one on purpose: a pod that sees only
    /// itself waits instead of founding a cluster of its own beside the others.
    /// </summary>
    public int RequiredContactPoints { get; set; } = 2;

    /// <summary>How often the pods are looked up until the node has joined.</summary>
    public TimeSpan LookupInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// How this node joins: the split-brain resolver's patience, and either seed nodes / self-join or discovery over
/// the Kubernetes API. The same image runs on a laptop and in a cluster, chosen by configuration.
/// </summary>
/// <remarks>
/// Akka.Management's cluster bootstrap would be the usual choice for Kubernetes, but its HTTP endpoint (Akka.Http.Shim
/// 1.5.73) was built against Ceen.Httpd 0.9.9, and the 0.9.10 the package copy holds lacks the method it calls: the
/// actor system terminates at start. Joining the discovered pods as ordered seed nodes needs no HTTP endpoint; see
/// <see cref="DiscoverySeedJoiner"/> for why it still forms one cluster.
/// </remarks>
public static class ClusterFormation
{
    /// <summary>Adds SBR timing and the configured way of joining; call after WithClustering.</summary>
    public static AkkaConfigurationBuilder AddClusterFormation(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(node);

        var stableAfter = ((long)node.DownUnreachableAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.cluster.split-brain-resolver.stable-after = {stableAfter}ms", HoconAddMode.Prepend);

        return node.Discovery switch
        {
            ClusterDiscovery.Kubernetes => builder.AddKubernetesDiscoveryJoin(node),
            _ => builder.AddSeedNodeJoin(node),
        };
    }

    private static AkkaConfigurationBuilder AddSeedNodeJoin(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        // The seeds are joined here, not through akka.cluster.seed-nodes (which joins at once): only after the journal
        // is ready (see PersistenceWarmUp). With no seeds the node would wait forever to join; forming a cluster of one
        // makes a single command work.
        var seeds = node.SeedNodes.Select(Address.Parse).ToArray();
        return builder.AddStartup((system, _) => system.ActorOf(WarmUpThenJoin.PropsFor(context =>
        {
            var cluster = Akka.Cluster.Cluster.Get(context.System);
            if (seeds.Length == 0)
            {
                cluster.Join(cluster.SelfAddress);
            }
            else
            {
                cluster.JoinSeedNodes(seeds);
            }
        }), "warm-up-then-join"));
    }

    private static AkkaConfigurationBuilder AddKubernetesDiscoveryJoin(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        var bootstrap = node.Bootstrap;
        return builder
            .WithKubernetesDiscovery(new KubernetesDiscoveryOptions
            {
                PodLabelSelector = bootstrap.PodLabelSelector,
                PodNamespace = string.IsNullOrWhiteSpace(bootstrap.PodNamespace) ? null : bootstrap.PodNamespace,
            })
            .AddStartup((system, _) => system.ActorOf(WarmUpThenJoin.PropsFor(
                context => context.System.ActorOf(DiscoverySeedJoiner.PropsFor(bootstrap, node.Port), "discovery-seed-joiner")), "warm-up-then-join"));
    }
}

/// <summary>
/// Looks the service's nodes up through the default Akka.Discovery method until at least
/// <see cref="ClusterBootstrapSettings.RequiredContactPoints"/> are seen and the same set is seen twice in a row,
/// then joins them all as seed nodes, ordered by address, and stops. Every node orders the same set the same way,
/// so only the lowest may found a cluster, and only after none of the others answered (Akka's first-seed rule);
/// a node restarting beside a running cluster is answered by its members and joins them.
/// </summary>
public sealed class DiscoverySeedJoiner : ReceiveActor, IWithTimers
{
    private const string LookupTimer = "lookup";
    private readonly ClusterBootstrapSettings _settings;
    private readonly int _fallbackPort;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IReadOnlyList<Address> _lastSeen = [];

    public DiscoverySeedJoiner(ClusterBootstrapSettings settings, int fallbackPort)
    {
        _settings = settings;
        _fallbackPort = fallbackPort;

        ReceiveAsync<LookupTick>(_ => LookUpAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(ClusterBootstrapSettings settings, int fallbackPort) =>
        Props.Create(() => new DiscoverySeedJoiner(settings, fallbackPort));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(LookupTimer, LookupTick.Instance, TimeSpan.Zero, _settings.LookupInterval);

    private async Task LookUpAsync()
    {
        if (_cluster.State.Members.Any(m => m.UniqueAddress == _cluster.SelfUniqueAddress))
        {
            Context.Stop(Self);
            return;
        }

        ServiceDiscovery.Resolved resolved;
        try
        {
            var lookup = new Lookup(_settings.ServiceName, _settings.PortName, "tcp");
            resolved = await Discovery.Get(Context.System).Default.Lookup(lookup, _settings.LookupInterval);
        }
        catch (Exception e)
        {
            // Discovery down (API server restarting, RBAC missing): keep trying, and say why nothing joins.
            _log.Warning(e, "Looking up {0} failed; retrying in {1}", _settings.ServiceName, _settings.LookupInterval);
            return;
        }

        // The node itself is always a contact point, whether or not the API lists it yet.
        var seen = resolved.Addresses
            .Select(target => new Address(_cluster.SelfAddress.Protocol, Context.System.Name,
                target.Address?.ToString() ?? target.Host, target.Port ?? _fallbackPort))
            .Append(_cluster.SelfAddress)
            .Distinct()
            .OrderBy(address => address.ToString(), StringComparer.Ordinal)
            .ToArray();

        if (seen.Length >= _settings.RequiredContactPoints && seen.SequenceEqual(_lastSeen))
        {
            _log.Info("Joining {0} through discovery: {1}", _settings.ServiceName, string.Join(", ", seen.Select(a => a.ToString())));
            _cluster.JoinSeedNodes(seen);
            Context.Stop(Self);
            return;
        }

        _lastSeen = seen;
    }

    private sealed class LookupTick
    {
        public static readonly LookupTick Instance = new();
    }
}
