using System.Globalization;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;

// Not SalesDash.Engine.Cluster: a namespace named Cluster would hide Akka.Cluster.Cluster from every file under SalesDash.Engine.
namespace SalesDash.Engine.Clustering;

/// <summary>How a node finds the rest of its cluster.</summary>
public enum ClusterDiscovery
{
    /// <summary>The configured seed nodes; with none, the node forms a cluster of one (a laptop, a single container).</summary>
    Config,

    /// <summary>Akka.Management cluster bootstrap over the Kubernetes API: pods with the same label find each other.</summary>
    Kubernetes,
}

/// <summary>Akka.Management and cluster bootstrap settings, bound from "Cluster:Bootstrap".</summary>
public sealed class ClusterBootstrapSettings
{
    /// <summary>The name the pods are looked up by; with the default selector, their "app" label.</summary>
    public string ServiceName { get; set; } = "salesdash";

    /// <summary>
    /// Port of the Akka.Management HTTP endpoint that bootstrap probes; the pod spec must name a container port
    /// "management" with this number, because discovery looks the port up by that name.
    /// </summary>
    public int ManagementPort { get; set; } = 8558;

    /// <summary>Kubernetes label selector for the pods of this cluster; {0} is <see cref="ServiceName"/>.</summary>
    public string PodLabelSelector { get; set; } = "app={0}";

    /// <summary>Namespace to look pods up in; empty means the pod's own (read from its service account).</summary>
    public string? PodNamespace { get; set; }

    /// <summary>
    /// Pods that must be seen before the lowest-addressed one forms a new cluster. Below the replica count on
    /// purpose: a rolling start still forms one cluster, never two (each would need this many peers).
    /// </summary>
    public int RequiredContactPoints { get; set; } = 2;
}

/// <summary>
/// How this node joins: the split-brain resolver's patience, and either seed nodes / self-join or Akka.Management
/// bootstrap with Kubernetes discovery. The same image runs on a laptop and in a cluster, chosen by configuration.
/// </summary>
public static class ClusterFormation
{
    /// <summary>The name of the container port discovery resolves to reach a pod's management endpoint.</summary>
    public const string ManagementPortName = "management";

    /// <summary>Adds SBR timing and the configured way of joining; call after WithClustering.</summary>
    public static AkkaConfigurationBuilder AddClusterFormation(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(node);

        var stableAfter = ((long)node.DownUnreachableAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"akka.cluster.split-brain-resolver.stable-after = {stableAfter}ms", HoconAddMode.Prepend);

        return node.Discovery switch
        {
            ClusterDiscovery.Kubernetes => builder.AddKubernetesBootstrap(node),
            _ => builder.AddSeedNodeJoin(node),
        };
    }

    private static AkkaConfigurationBuilder AddSeedNodeJoin(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        if (node.SeedNodes.Length == 0)
        {
            // With no seeds the node would wait forever to join; forming a cluster of one makes a single command work.
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        return builder;
    }

    private static AkkaConfigurationBuilder AddKubernetesBootstrap(this AkkaConfigurationBuilder builder, ClusterNodeOptions node)
    {
        var bootstrap = node.Bootstrap;
        return builder
            .WithAkkaManagement(new AkkaManagementOptions
            {
                // Peers reach the endpoint at the address discovery returns (the pod IP), which is also what
                // remoting advertises; it binds on every interface so the kubelet's probes reach it too.
                HostName = node.PublicHostname ?? node.Hostname,
                Port = bootstrap.ManagementPort,
                BindHostName = "0.0.0.0",
                BindPort = bootstrap.ManagementPort,
            })
            .WithKubernetesDiscovery(new KubernetesDiscoveryOptions
            {
                PodLabelSelector = bootstrap.PodLabelSelector,
                PodNamespace = string.IsNullOrWhiteSpace(bootstrap.PodNamespace) ? null : bootstrap.PodNamespace,
            })
            .WithClusterBootstrap(
                serviceName: bootstrap.ServiceName,
                portName: ManagementPortName,
                requiredContactPoints: bootstrap.RequiredContactPoints,
                autoStart: true);
    }
}
