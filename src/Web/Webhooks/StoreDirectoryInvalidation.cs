using System.Text;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Serialization;
using SalesDash.Contracts.Commerce;

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
    /// <summary>The cluster pub-sub topic store changes travel on.</summary>
    public const string Topic = "store-directory-changed";

    public StoreDirectoryInvalidationActor(StoreDirectoryCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<Announce>(announce => mediator.Tell(new Publish(Topic, new StoreChanged(announce.Store))));
        Receive<StoreChanged>(changed => cache.Forget(changed.Store));
        Receive<SubscribeAck>(_ => { });
    }

    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topic, Self));

    /// <summary>From this node: publish the change to every node.</summary>
    public sealed record Announce(StoreRef Store);

    /// <summary>On the topic: drop the store from this node's cache; the next delivery for it reads the database.</summary>
    public sealed record StoreChanged(StoreRef Store);
}

/// <summary>Puts <see cref="StoreDirectoryInvalidationActor.StoreChanged"/> on the wire with a stable manifest.</summary>
public sealed class StoreDirectoryInvalidationSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const string SerializerName = "salesdash-store-directory";
    private const string ChangedManifest = "store-directory.changed";

    public override int Identifier => 4713;

    public override string Manifest(object o) => o is StoreDirectoryInvalidationActor.StoreChanged
        ? ChangedManifest
        : throw new ArgumentException($"{o.GetType()} is not a store-directory message.", nameof(o));

    // Tenant and store ids are slugs (no newline), so one line each is unambiguous.
    public override byte[] ToBinary(object obj) => obj is StoreDirectoryInvalidationActor.StoreChanged changed
        ? Encoding.UTF8.GetBytes(changed.Store.TenantId + "\n" + changed.Store.StoreId)
        : throw new ArgumentException($"{obj.GetType()} is not a store-directory message.", nameof(obj));

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest != ChangedManifest)
        {
            throw new System.Runtime.Serialization.SerializationException($"Unknown store-directory manifest '{manifest}'.");
        }

        var text = Encoding.UTF8.GetString(bytes);
        var split = text.IndexOf('\n', StringComparison.Ordinal);
        return split < 0
            ? throw new System.Runtime.Serialization.SerializationException("A store-directory change names no store.")
            : new StoreDirectoryInvalidationActor.StoreChanged(new StoreRef(text[..split], text[(split + 1)..]));
    }
}

/// <summary>Wires the per-node invalidation actor and its serializer.</summary>
public static class StoreDirectoryInvalidationHosting
{
    public static AkkaConfigurationBuilder AddStoreDirectoryInvalidation(this AkkaConfigurationBuilder builder) => builder
        .WithCustomSerializer(StoreDirectoryInvalidationSerializer.SerializerName, [typeof(StoreDirectoryInvalidationActor.StoreChanged)],
            system => new StoreDirectoryInvalidationSerializer(system))
        .WithActors((system, registry, resolver) => registry.Register<StoreDirectoryInvalidationActor>(
            system.ActorOf(resolver.Props<StoreDirectoryInvalidationActor>(), "store-directory-invalidation")));
}
