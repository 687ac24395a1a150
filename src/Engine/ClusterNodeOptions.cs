using SalesDash.Engine.Clustering;

namespace SalesDash.Engine;

/// <summary>How this node joins the Akka cluster, bound from the "Cluster" configuration section.</summary>
public sealed class ClusterNodeOptions
{
    public const string Section = "Cluster";

    /// <summary>Address remoting binds to and advertises.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Address other nodes use to reach this one, when it differs from <see cref="Hostname"/> (e.g. behind NAT).</summary>
    public string? PublicHostname { get; set; }

    /// <summary>Remoting port; 0 picks a free one, so several nodes (or test hosts) can share a machine.</summary>
    public int Port { get; set; }

    /// <summary>Seed node addresses (akka.tcp://system@host:port); none means this node forms a cluster of its own.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>Cluster roles of this node; the tenant stores run on the first one when any is given.</summary>
    public string[] Roles { get; set; } = [];

    /// <summary>How the node finds the others: <see cref="SeedNodes"/> (Config) or the Kubernetes API (Kubernetes).</summary>
    public ClusterDiscovery Discovery { get; set; } = ClusterDiscovery.Config;

    /// <summary>
    /// How long the split-brain resolver waits for an unreachable member to come back before downing it (keep
    /// majority), after which its shards move to the survivors. Akka's default; shorter risks downing a node
    /// that was only paused (GC, a slow disk), longer leaves its stores unanswered for that long.
    /// </summary>
    public TimeSpan DownUnreachableAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How pods are looked up and joined when <see cref="Discovery"/> is Kubernetes.</summary>
    public ClusterBootstrapSettings Bootstrap { get; set; } = new();
}
