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
}
