using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Access;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;

namespace SalesDash.Engine.Persistence;

/// <summary>
/// JSON for everything SalesDash writes to the journal or sends between nodes. Manifests are stable names,
/// not CLR type names, so renaming or moving a class never orphans events already in the journal.
/// </summary>
public sealed class SalesDashSerializer : SerializerWithStringManifest
{
    /// <summary>Akka reserves 0-100 for its own serializers; this id is ours and must never change.</summary>
    public const int SerializerId = 4711;

    /// <summary>The name the serializer is registered under in Akka configuration.</summary>
    public const string SerializerName = "salesdash-json";

    /// <summary>
    /// The commerce events' manifests, which are also their "$type" names on the Kafka topic (see CommerceEventCodec),
    /// so a record on the topic and a row in the journal read the same.
    /// </summary>
    // Declared before Manifests, which includes them: static fields are set in the order they are written.
    internal static readonly (Type Type, string Manifest)[] CommerceEvents =
    [
        (typeof(OrderPlaced), "order-placed"),
        (typeof(OrderUpdated), "order-updated"),
        (typeof(OrderCancelled), "order-cancelled"),
        (typeof(RefundIssued), "refund-issued"),
        (typeof(SessionStarted), "session-started"),
        (typeof(AdSpendRecorded), "ad-spend-recorded"),
        (typeof(ShipmentUpdated), "shipment-updated"),
        (typeof(TrafficReported), "traffic-reported"),
    ];

    // Manifest names are persisted with every journal row: add new ones, never rename old ones.
    private static readonly (Type Type, string Manifest)[] Manifests =
    [
        .. CommerceEvents,
        (typeof(KpiSnapshot), "kpi-snapshot.v1"),
        (typeof(TenantStore.Record), "tenant-store.record"),
        (typeof(TenantStore.Recorded), "tenant-store.recorded"),
        (typeof(TenantStore.RecordBatch), "tenant-store.record-batch"),
        (typeof(TenantStore.BatchRecorded), "tenant-store.batch-recorded"),
        (typeof(TenantStore.Checkpoint), "tenant-store.checkpoint"),
        (typeof(TenantStore.Checkpointed), "tenant-store.checkpointed"),
        (typeof(TenantStore.GetTiles), "tenant-store.get-tiles"),
        (typeof(TenantStore.UseProfile), "tenant-store.use-profile"),
        (typeof(TenantStore.TilesPublished), "tenant-store.tiles-published"),
        (typeof(TenantStore.WatchTiles), "tenant-store.watch-tiles"),
        (typeof(TenantStore.UnwatchTiles), "tenant-store.unwatch-tiles"),
        (typeof(TenantStore.TilesWatchEnded), "tenant-store.tiles-watch-ended"),
        (typeof(TenantStore.Forget), "tenant-store.forget"),
        (typeof(TenantStore.Forgotten), "tenant-store.forgotten"),
        (typeof(DashboardTiles), "dashboard-tiles"),
        // Minutes carry figures only since the monitor moved to the watchers: new names, so a node of the old shape refuses them plainly.
        (typeof(StoreMinutes.Pull), "store-minutes.pull.v2"),
        (typeof(StoreMinutes.Pulled), "store-minutes.pulled"),
        (typeof(StoreMinutes.MinuteClosed), "store-minutes.minute-closed.v2"),
        (typeof(StoreMinutes.WentIdle), "store-minutes.went-idle"),
        (typeof(StoreMinutes.Woke), "store-minutes.woke"),
        (typeof(StoreQuarantine.EventQuarantined), "quarantine.event-quarantined"),
        (typeof(StoreQuarantine.EntryReleased), "quarantine.entry-released"),
        (typeof(StoreQuarantine.EntryDiscarded), "quarantine.entry-discarded"),
        (typeof(StoreQuarantine.List), "quarantine.list"),
        (typeof(StoreQuarantine.Listed), "quarantine.listed"),
        (typeof(StoreQuarantine.Retry), "quarantine.retry"),
        (typeof(StoreQuarantine.Retried), "quarantine.retried"),
        (typeof(StoreQuarantine.Discard), "quarantine.discard"),
        (typeof(StoreQuarantine.Discarded), "quarantine.discarded"),
        (typeof(AlertCoordinatorActor.RulesChanged), "alert-coordinator.rules-changed"),
        // Pub-sub notices, never persisted. Until this build they went through two Web serializers (ids 4712 and 4713)
        // under these same names; a notice between nodes of the two builds in a rolling upgrade is refused and logged.
        (typeof(StoreDirectoryNotices.StoreChanged), "store-directory.changed"),
        (typeof(LiveAccessNotices.AccessRevoked), "live-access.revoked"),
    ];

    private readonly Dictionary<Type, string> _manifestByType = Manifests.ToDictionary(m => m.Type, m => m.Manifest);
    private readonly Dictionary<string, Type> _typeByManifest = Manifests.ToDictionary(m => m.Manifest, m => m.Type, StringComparer.Ordinal);
    private readonly JsonSerializerOptions _json;

    public SalesDashSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _json = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            // Enum names survive reordering of enum members; numbers would not.
            Converters = { new JsonStringEnumConverter() },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DescribeCommerceEventSubtypes } },
        };
    }

    /// <summary>Every type this serializer must be bound to, for Akka.Hosting's WithCustomSerializer.</summary>
    public static IReadOnlyList<Type> BoundTypes { get; } = [typeof(CommerceEvent), .. Manifests.Select(m => m.Type)];

    public override int Identifier => SerializerId;

    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return _manifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{nameof(SalesDashSerializer)} has no manifest for {o.GetType()}.");
    }

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        _ = Manifest(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!_typeByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"{nameof(SalesDashSerializer)} does not know manifest '{manifest}'.");
        }

        return JsonSerializer.Deserialize(bytes, type, _json)
            ?? throw new SerializationException($"Manifest '{manifest}' deserialised to null.");
    }

    // Record carries the abstract CommerceEvent, so its JSON names the concrete subtype with the same manifest names.
    private static void DescribeCommerceEventSubtypes(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Type != typeof(CommerceEvent))
        {
            return;
        }

        var polymorphism = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$type" };
        foreach (var (type, manifest) in Manifests.Where(m => m.Type.IsSubclassOf(typeof(CommerceEvent))))
        {
            polymorphism.DerivedTypes.Add(new JsonDerivedType(type, manifest));
        }

        typeInfo.PolymorphismOptions = polymorphism;
    }
}
