namespace SalesDash.Engine.Tests.Support;

/// <summary>
/// Tests that run two or three engine nodes in this process and depend on their heartbeats. They run one at a time and
/// after the parallel tests, never beside them: the nodes share this process's thread pool with whatever else runs,
/// and next to CPU-bound tests (the ML.NET anomaly and forecast fits hold pool threads for minutes) the nodes'
/// heartbeats went out 2–5 s late, past the failure detector's pause, so keep-majority downed live nodes before the
/// test's own kill (ThreeNodeClusterTests in a loaded CI rehearsal). Separate machines in a deployment do not starve
/// each other's heartbeats that way.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiNodeClusterCollection
{
    public const string Name = "Multi-node clusters";
}
