using Akka.Actor;
using Akka.Cluster;

namespace SalesDash.Tests.Shared;

/// <summary>
/// The cluster as each node sees it, for the multi-node tests of Engine.Tests and Web.Tests (this file is linked into
/// both). One helper, so every such test waits for the same thing before it takes a node away.
/// </summary>
public static class ClusterViews
{
    /// <summary>Members this node sees Up.</summary>
    public static int UpMembers(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

    /// <summary>This node sees exactly <paramref name="count"/> members Up and none unreachable.</summary>
    public static bool SeesUp(ActorSystem system, int count)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        return state.Members.Count(m => m.Status == MemberStatus.Up) == count && state.Unreachable.Count == 0;
    }

    /// <summary>
    /// Waits until every node sees <paramref name="count"/> members Up and none unreachable. Take a node away only
    /// after this: a survivor that still sees a member as Joining counts one Up member fewer against the one that
    /// went, and keep-majority then downs the survivors. Waits on the test's token, not on a clock of its own.
    /// </summary>
    public static async Task EveryNodeSeesUpAsync(IEnumerable<ActorSystem> nodes, int count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var systems = nodes.ToList();
        while (!systems.All(s => SeesUp(s, count)))
        {
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Waits until every node in <paramref name="nodes"/> no longer lists <paramref name="gone"/> as a member.</summary>
    public static async Task EveryNodeForgotAsync(IEnumerable<ActorSystem> nodes, Address gone, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var systems = nodes.ToList();
        while (systems.Any(s => Akka.Cluster.Cluster.Get(s).State.Members.Any(m => m.Address == gone)))
        {
            await Task.Delay(50, ct);
        }
    }
}
