using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Webhooks;

/// <summary>Tells every node that a store changed (disconnected, reconnected, secret rotated, deleted, edited).</summary>
public interface IStoreChangeAnnouncer
{
    void Changed(StoreRef store);
}

/// <summary>
/// Puts a store change on the cluster's pub-sub topic through this node's <see cref="StoreDirectoryInvalidationActor"/>.
/// Before the actor system has registered it (a host still starting) there is nothing to tell yet: no node can have
/// cached what this node has not served, and other nodes' caches still expire after their TTL.
/// </summary>
public sealed class ClusterStoreChangeAnnouncer(ActorRegistry registry) : IStoreChangeAnnouncer
{
    public void Changed(StoreRef store)
    {
        if (registry.TryGet<StoreDirectoryInvalidationActor>(out var actor))
        {
            actor.Tell(new StoreDirectoryInvalidationActor.Announce(store));
        }
    }
}

/// <summary>
/// One per node. A store's webhooks may reach any node, and each node keeps the stores it looked up in its
/// <see cref="StoreDirectoryCache"/>; a change made through another node (above all a deletion or a disconnection) must
/// reach them all at once, not when their copy expires. This actor publishes what its node changed and drops from its
/// node's cache whatever any node changed (its own included, harmlessly).
/// </summary>
public sealed class StoreDirectoryInvalidationActor : ReceiveActor
{
    public StoreDirectoryInvalidationActor(StoreDirectoryCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<Announce>(announce => mediator.Tell(new Publish(StoreDirectoryNotices.Topic, new StoreDirectoryNotices.StoreChanged(announce.Store))));
        Receive<StoreDirectoryNotices.StoreChanged>(changed => cache.Forget(changed.Store));
        Receive<SubscribeAck>(_ => { });
    }

    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(StoreDirectoryNotices.Topic, Self));

    /// <summary>From this node: publish the change to every node.</summary>
    public sealed record Announce(StoreRef Store);
}

/// <summary>Wires the per-node invalidation actor; its notice is on the wire through the engine's serializer.</summary>
public static class StoreDirectoryInvalidationHosting
{
    public static AkkaConfigurationBuilder AddStoreDirectoryInvalidation(this AkkaConfigurationBuilder builder) => builder
        .WithActors((system, registry, resolver) => registry.Register<StoreDirectoryInvalidationActor>(
            system.ActorOf(resolver.Props<StoreDirectoryInvalidationActor>(), "store-directory-invalidation")));
}
