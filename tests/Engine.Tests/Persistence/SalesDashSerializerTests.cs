using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Access;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Engine.Ingestion;
using SalesDash.Engine.Persistence;
using SalesDash.Engine.Quarantine;
using SalesDash.Engine.Stores;
using SalesDash.Engine.Tenants;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Persistence;

public sealed class SalesDashSerializerTests : IDisposable
{
    private static readonly DateTimeOffset At = Utc(2026, 6, 10, 9, 30, 15);

    // Bound through the same HOCON Akka.Hosting's WithCustomSerializer writes, so lookups match production.
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.salesdash = "{{typeof(SalesDashSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            {{string.Join("\n", SalesDashSerializer.BoundTypes.Select(t => $"\"{t.AssemblyQualifiedName}\" = salesdash"))}}
          }
        }
        """));

    public void Dispose() => _system.Dispose();

    public static TheoryData<string> BoundMessages => new(Samples.Keys);

    private static Dictionary<string, object> Samples
    {
        get
        {
            var placed = Placed("o1", At, 123.45m, units: 3, returning: true) with
            {
                SubtotalPrice = 100m,
                TotalTax = 20.45m,
                TotalShipping = 3m,
                TotalDiscounts = 0.5m,
                SourceName = "web",
                CountryCode = "GB",
                Lines = [new OrderLine("MUG-1", "Mug", 2, 40m), new OrderLine("TEE-1", "T-shirt", 1, 20m)],
            };
            var state = new KpiState(Store);
            state.Apply(placed);
            state.Apply(Refund("r1", "o1", At.AddMinutes(3), 10m));
            state.Apply(Placed("o2", At, 23.45m) with { Channel = SalesChannel.Amazon });
            // A webhook id too long to be held exactly: the snapshot carries its fingerprint.
            state.Apply(Session("s1", At) with { EventId = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" });
            var tiles = state.Tiles(At.AddMinutes(5), "Europe/London", "GBP");
            var minute = new StoreMinutes.Minute(At, new MinuteFigures(123.45m, 1, 3),
                [new ChannelFigures(SalesChannel.Amazon, new MinuteFigures(23.45m, 1, 0)), new ChannelFigures(SalesChannel.Shopify, new MinuteFigures(100m, 0, 3))]);
            var held = new QuarantinedEvent("q1", placed with { Lines = [new OrderLine("BIG", "Big", 2_000_000_000, 1m)] }, "lines[0].quantity",
                "2000000000 is not between 1 and 1000000", At.AddMinutes(4));
            return new Dictionary<string, object>
            {
                ["order-placed"] = placed,
                ["order-updated"] = Updated(placed, At.AddMinutes(1), 99.99m),
                ["order-cancelled"] = Cancelled(placed, At.AddMinutes(2)),
                ["refund-issued"] = Refund("r1", "o1", At, 10.5m),
                ["session-started"] = Session("s1", At),
                ["ad-spend-recorded"] = AdSpend("c1", At, 12.34m) with { CampaignName = "Summer Sale" },
                ["shipment-updated"] = Shipment("easypost:evt_1", "9400100000000000000000", "in_transit", At),
                ["traffic-reported"] = Traffic(new DateOnly(2026, 11, 24), "google", 40, At),
                // A snapshot carries the store's quarantine, each entry with its event as held (of any type).
                ["kpi-snapshot.v1"] = state.ToSnapshot() with { Quarantine = [held, held with { Id = "j9", Event = Refund("r9", "o1", At, 1m) }] },
                ["quarantine.event-quarantined"] = new StoreQuarantine.EventQuarantined(held),
                ["quarantine.entry-released"] = new StoreQuarantine.EntryReleased("j7", At),
                ["quarantine.entry-discarded"] = new StoreQuarantine.EntryDiscarded("q1", At),
                ["quarantine.list"] = new StoreQuarantine.List(Store),
                ["quarantine.listed"] = new StoreQuarantine.Listed([held]),
                ["quarantine.retry"] = new StoreQuarantine.Retry(Store, "q1"),
                ["quarantine.retried"] = new StoreQuarantine.Retried("q1", RetryOutcome.StillInvalid, new GuardProblem("occurredAt", "ahead of now")),
                ["quarantine.discard"] = new StoreQuarantine.Discard(Store, "q1"),
                ["quarantine.discarded"] = new StoreQuarantine.Discarded("q1", true),
                ["tenant-store.record"] = new TenantStore.Record(Cancelled(placed, At.AddMinutes(2))),
                ["tenant-store.recorded"] = new TenantStore.Recorded("evt-1", IngestOutcome.Duplicate),
                ["tenant-store.record-batch"] = new TenantStore.RecordBatch(Store, "events/3", 41, [new TenantStore.PositionedEvent(42, Cancelled(placed, At.AddMinutes(2)))]),
                ["tenant-store.batch-recorded"] = new TenantStore.BatchRecorded([IngestOutcome.Accepted, IngestOutcome.Duplicate], 40),
                ["tenant-store.checkpoint"] = new TenantStore.Checkpoint(Store, "events/3"),
                ["tenant-store.checkpointed"] = new TenantStore.Checkpointed("events/3", 42),
                ["tenant-store.get-tiles"] = new TenantStore.GetTiles(Store, "GBP", "Europe/London"),
                ["tenant-store.use-profile"] = new TenantStore.UseProfile(Store, "USD", "America/New_York"),
                ["tenant-store.tiles-published"] = new TenantStore.TilesPublished(tiles),
                ["tenant-store.watch-tiles"] = new TenantStore.WatchTiles(Store, "EUR", "Asia/Tokyo"),
                ["tenant-store.unwatch-tiles"] = new TenantStore.UnwatchTiles(Store),
                ["tenant-store.tiles-watch-ended"] = new TenantStore.TilesWatchEnded(Store),
                ["tenant-store.forget"] = new TenantStore.Forget(Store),
                ["tenant-store.forgotten"] = new TenantStore.Forgotten(Store, "journal unreachable"),
                ["dashboard-tiles"] = tiles,
                ["store-minutes.pull.v2"] = new StoreMinutes.Pull(Store, At),
                ["store-minutes.pulled"] = new StoreMinutes.Pulled(Store, At.AddMinutes(5), "Europe/London", "GBP",
                    [minute, new StoreMinutes.Minute(At.AddMinutes(2), new MinuteFigures(0m, 0, 1), [])], At.AddMinutes(-30)),
                ["store-minutes.minute-closed.v2"] = new StoreMinutes.MinuteClosed(Store, "Europe/London", "GBP", minute),
                ["store-minutes.went-idle"] = new StoreMinutes.WentIdle(Store, "Europe/London", "GBP", minute, At.AddSeconds(42)),
                ["store-minutes.woke"] = new StoreMinutes.Woke(Store, At, At.AddSeconds(3)),
                ["alert-coordinator.rules-changed"] = AlertCoordinatorActor.RulesChanged.Instance,
                ["store-directory.changed"] = new StoreDirectoryNotices.StoreChanged(new StoreRef("acme", "uk-shop")),
                ["live-access.revoked"] = new LiveAccessNotices.AccessRevoked("api-key:0F8FAD5B-D9CB-469F-A165-70867728950E"),
            };
        }
    }

    [Theory]
    [MemberData(nameof(BoundMessages))]
    public void Every_bound_type_round_trips_through_its_stable_manifest(string manifest)
    {
        var original = Samples[manifest];
        var serializer = _system.Serialization.FindSerializerFor(original);

        var bytes = serializer.ToBinary(original);
        var copy = Akka.Serialization.Serialization.WithTransport((ExtendedActorSystem)_system, () =>
            _system.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, original)));

        Assert.IsType<SalesDashSerializer>(serializer);
        Assert.Equal(manifest, Akka.Serialization.Serialization.ManifestFor(serializer, original));
        Assert.IsType(original.GetType(), copy);
        Assert.Equivalent(original, copy, strict: true);
    }

    [Fact]
    public void Every_bound_type_has_a_sample_in_this_test()
    {
        var concrete = SalesDashSerializer.BoundTypes.Where(t => !t.IsAbstract).ToHashSet();
        Assert.Equal(concrete, Samples.Values.Select(v => v.GetType()).ToHashSet());
    }

    [Fact]
    public void A_command_keeps_the_concrete_event_type_it_carries()
    {
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);
        var record = new TenantStore.Record(Refund("r9", "o9", At, 7m));

        var copy = (TenantStore.Record)serializer.FromBinary(serializer.ToBinary(record), serializer.Manifest(record));

        var refund = Assert.IsType<RefundIssued>(copy.Event);
        Assert.Equal(7m, refund.Amount);
        Assert.Equal("r9", refund.RefundId);
    }

    [Fact]
    public void An_ad_spend_journalled_before_campaign_names_were_kept_still_loads_without_one()
    {
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);
        var spend = AdSpend("c1", At, 12.34m);
        // The journal row an older build wrote: the same JSON without the CampaignName property.
        var row = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToBinary(spend))!.AsObject();
        Assert.True(row.Remove("CampaignName"));

        var loaded = Assert.IsType<AdSpendRecorded>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(row.ToJsonString()), "ad-spend-recorded"));

        Assert.Null(loaded.CampaignName);
        Assert.Equal(("c1", 12.34m, 12L), (loaded.CampaignId, loaded.Spend, loaded.Clicks));
    }

    [Fact]
    public void Unknown_manifest_is_refused_rather_than_guessed()
    {
        var serializer = new SalesDashSerializer((ExtendedActorSystem)_system);

        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "order-teleported"));
        Assert.Throws<SerializationException>(() => serializer.Manifest(new KpiTile(1m, 2m)));
    }
}
