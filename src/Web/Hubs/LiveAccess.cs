using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Microsoft.AspNetCore.SignalR;
using SalesDash.Engine.Access;

namespace SalesDash.Web.Hubs;

/// <summary>
/// Names of what a live connection's access rests on. A connection holds every grant it subscribed with; revoking
/// any of them ends the connection.
/// </summary>
public static class LiveGrants
{
    public static string Member(string tenantId, string userId) => $"member:{tenantId}:{userId}";

    public static string ApiKey(string keyId) => $"api-key:{keyId.ToUpperInvariant()}";

    public static string ShareLink(string linkId) => $"share-link:{linkId}";

    /// <summary>Every share link of a dashboard, for when the dashboard itself is deleted.</summary>
    public static string Dashboard(string tenantId, string dashboardId) => $"dashboard:{tenantId}:{dashboardId}";
}

/// <summary>
/// This node's live connections by the grants they hold, so a revocation can end them. A connection whose grant is
/// revoked is aborted: SignalR drops it from every group, the relay stops feeding it, and a reconnect must pass the
/// hub's checks again, which it no longer can.
/// </summary>
public sealed class LiveConnections(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _byGrant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Held> _byConnection = new(StringComparer.Ordinal);

    /// <summary>Records that the connection holds the grants; with <paramref name="expiresAt"/>, it is also ended then.</summary>
    public void Hold(HubCallerContext connection, IEnumerable<string> grants, DateTimeOffset? expiresAt = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(grants);
        lock (_lock)
        {
            if (!_byConnection.TryGetValue(connection.ConnectionId, out var held))
            {
                _byConnection[connection.ConnectionId] = held = new Held(connection);
            }

            foreach (var grant in grants)
            {
                held.Grants.Add(grant);
                if (!_byGrant.TryGetValue(grant, out var connections))
                {
                    _byGrant[grant] = connections = new HashSet<string>(StringComparer.Ordinal);
                }

                connections.Add(connection.ConnectionId);
            }

            if (expiresAt is { } at)
            {
                var due = at - time.GetUtcNow();
                held.Expiries.Add(time.CreateTimer(static state => ((HubCallerContext)state!).Abort(), connection,
                    due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
            }
        }
    }

    /// <summary>Forgets a connection that closed.</summary>
    public void Release(string connectionId)
    {
        lock (_lock)
        {
            if (!_byConnection.Remove(connectionId, out var held))
            {
                return;
            }

            foreach (var grant in held.Grants)
            {
                if (_byGrant.TryGetValue(grant, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
                {
                    _byGrant.Remove(grant);
                }
            }

            foreach (var timer in held.Expiries)
            {
                timer.Dispose();
            }
        }
    }

    /// <summary>Ends every connection on this node that holds the grant; returns how many.</summary>
    public int End(string grant)
    {
        List<HubCallerContext> ending;
        lock (_lock)
        {
            if (!_byGrant.TryGetValue(grant, out var connections))
            {
                return 0;
            }

            ending = connections.Select(id => _byConnection[id].Connection).ToList();
        }

        // Every one forgotten before any is aborted, not after and not when SignalR gets round to OnDisconnectedAsync:
        // a client sees its connection close as soon as Abort runs, so whatever reacts to that close must already find
        // the grant released (the later Release in OnDisconnectedAsync finds nothing and does nothing).
        foreach (var connection in ending)
        {
            Release(connection.ConnectionId);
        }

        foreach (var connection in ending)
        {
            connection.Abort();
        }

        return ending.Count;
    }

    /// <summary>Connections on this node holding the grant (for tests and diagnostics).</summary>
    public int Holding(string grant)
    {
        lock (_lock)
        {
            return _byGrant.TryGetValue(grant, out var connections) ? connections.Count : 0;
        }
    }

    private sealed class Held(HubCallerContext connection)
    {
        public HubCallerContext Connection { get; } = connection;

        public HashSet<string> Grants { get; } = new(StringComparer.Ordinal);

        public List<ITimer> Expiries { get; } = [];
    }
}

/// <summary>Ends live access everywhere: on this node at once, and on every other node through cluster pub-sub.</summary>
public sealed class LiveAccessRevocations(LiveConnections connections, ActorSystem system)
{
    public void Revoke(string grant)
    {
        connections.End(grant);
        DistributedPubSub.Get(system).Mediator.Tell(new Publish(LiveAccessNotices.Topic, new LiveAccessNotices.AccessRevoked(grant)));
    }
}

/// <summary>
/// One per node: hears revocations made on any node and ends this node's connections that hold the grant. Exists because
/// SignalR connections live on the node a browser happens to reach, while the revocation happens where the admin's request went.
/// </summary>
public sealed class LiveAccessActor : ReceiveActor
{
    public LiveAccessActor(LiveConnections connections)
    {
        Receive<LiveAccessNotices.AccessRevoked>(m => connections.End(m.Grant));
        Receive<SubscribeAck>(_ => { });
    }

    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(LiveAccessNotices.Topic, Self));
}

/// <summary>Registration of live-access tracking: the per-node registry and revoker, and the actor (its notice is on the wire through the engine's serializer).</summary>
public static class LiveAccessHosting
{
    public static IServiceCollection AddLiveAccess(this IServiceCollection services)
    {
        services.AddSingleton<LiveConnections>();
        services.AddSingleton<LiveAccessRevocations>();
        return services;
    }

    public static AkkaConfigurationBuilder AddLiveAccess(this AkkaConfigurationBuilder builder) => builder
        .WithActors((system, registry, resolver) => registry.Register<LiveAccessActor>(system.ActorOf(resolver.Props<LiveAccessActor>(), "live-access")));
}
