using Akka.Cluster;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Tenants;
using SalesDash.Engine.Tests.Persistence.Postgres;
using SalesDash.Tests.Shared;
using static SalesDash.Engine.Tests.TestEvents;

namespace SalesDash.Engine.Tests.Clustering;

/// <summary>
/// Three engine nodes in one process sharing the PostgreSQL journal, webhook traffic spread over all of them, and
/// one node taken away mid-stream: the final tiles of every store equal the oracle, to the cent, and the journal
/// holds each event exactly once.
/// </summary>
[Collection(Support.MultiNodeClusterCollection.Name)]
public sealed class ThreeNodeClusterTests
{
    private static readonly DateTimeOffset Now = Utc(2026, 6, 10, 12, 0);

    /// <summary>How long a delivery or a tile query keeps being retried: detection, downing and recovery fit well inside.</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(40);

    [Fact]
    public Task Killing_a_node_mid_stream_loses_nothing_and_counts_nothing_twice() =>
        RunAsync(seed: 7, (node, _) => node.CrashAsync(), expectFailedDeliveries: true);

    [Fact]
    public Task A_node_leaving_mid_stream_hands_its_stores_over_without_losing_or_doubling_anything() =>
        RunAsync(seed: 11, (node, ct) => node.LeaveAsync(ct), expectFailedDeliveries: false);

    [Fact]
    public async Task A_rolling_restart_of_all_three_nodes_loses_no_accepted_event()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using var journal = await PostgresTestDatabase.CreateAsync(ct);
        var traffic = WebhookTraffic.Generate(storeCount: 9, ordersPerStore: 24, Now, seed: 23);
        var log = new NodeLog();
        var time = new FakeTimeProvider(Now);
        var running = new List<ClusterTestNode>();
        try
        {
            running.Add(await ClusterTestNode.StartAsync("node-a", data.Path, time, journal.ConnectionString, seed: null, log, ct));
            await new WebhookSender([running[0]], GiveUpAfter).DeliverAsync(
                Placed("warm-up", Now.AddMinutes(-1), 1m, store: new StoreRef("acme", "warm-up")), ct);
            running.Add(await ClusterTestNode.StartAsync("node-b", data.Path, time, journal.ConnectionString, running[0].Address.ToString(), log, ct));
            running.Add(await ClusterTestNode.StartAsync("node-c", data.Path, time, journal.ConnectionString, running[0].Address.ToString(), log, ct));
            // Every node sees all three Up before one leaves: a view still holding a Joining member can tip keep-majority.
            await WaitUntilAsync(() => running.All(n => UpMembers(n) == 3), "all three nodes Up as seen from each", ct);

            // A deployment replaces the pods one at a time, each leaving (coordinated shutdown) before its successor
            // joins, while webhooks keep arriving: a third of the traffic is sent around each restart.
            var sender = new WebhookSender(running, GiveUpAfter);
            var slices = traffic.Chains.Select((chain, i) => (chain, i)).GroupBy(c => c.i % 3, c => c.chain).Select(g => g.ToList()).ToList();
            for (var round = 0; round < 3; round++)
            {
                var sending = sender.SendAsync(slices[round], concurrency: 6, pace: TimeSpan.FromMilliseconds(30), ct);
                var victim = running[0];
                await victim.LeaveAsync(ct);
                running.RemoveAt(0);
                await WaitUntilAsync(() => running.All(n => UpMembers(n) == 2
                    && !Akka.Cluster.Cluster.Get(n.System).State.Members.Any(m => m.Address == victim.Address)), $"{victim.Name} gone", ct);
                await victim.DisposeAsync();
                var successor = await ClusterTestNode.StartAsync($"{victim.Name}-{round + 2}", data.Path, time, journal.ConnectionString,
                    running[0].Address.ToString(), log, ct);
                running.Add(successor);
                sender.Add(successor);
                await WaitUntilAsync(() => running.All(n => UpMembers(n) == 3), $"{successor.Name} Up", ct);
                await sending;
            }

            Assert.Equal(traffic.Deliveries, sender.Accepted + sender.Duplicates);
            foreach (var store in traffic.Stores)
            {
                var expected = traffic.ExpectedFor(store);
                var profile = new StoreProfile(store, store.StoreId, SalesChannel.Shopify, $"{store.StoreId}.myshopify.com", "GBP", "Europe/London", "s");
                var tiles = await new WebhookSender([running[^1]], GiveUpAfter).UntilAnsweredAsync(n => n.Tiles.GetTilesAsync(profile, ct), $"tiles of {store}", ct);
                Assert.True(expected.Gross == tiles.GrossRevenue.Value, $"{store.StoreId}: gross {tiles.GrossRevenue.Value} != {expected.Gross}");
                Assert.True(expected.Net == tiles.NetRevenue.Value, $"{store.StoreId}: net {tiles.NetRevenue.Value} != {expected.Net}");
                Assert.True(expected.Orders == tiles.Orders.Value, $"{store.StoreId}: orders {tiles.Orders.Value} != {expected.Orders}");
                Assert.True(expected.EventsApplied == tiles.EventsApplied, $"{store.StoreId}: events applied {tiles.EventsApplied} != {expected.EventsApplied}");
                Assert.Equal(expected.EventsApplied, await journal.CountJournalRowsAsync(TenantStoreIds.PersistenceIdFor(store), ct));
            }
        }
        catch
        {
            log.WriteTo(TestContext.Current.TestOutputHelper);
            throw;
        }
        finally
        {
            foreach (var node in running)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task RunAsync(int seed, Func<ClusterTestNode, CancellationToken, Task> takeDown, bool expectFailedDeliveries)
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using var journal = await PostgresTestDatabase.CreateAsync(ct);
        var traffic = WebhookTraffic.Generate(storeCount: 12, ordersPerStore: 30, Now, seed);
        var log = new NodeLog();
        try
        {
            await RunAsync(traffic, data.Path, journal, log, takeDown, expectFailedDeliveries, ct);
        }
        catch
        {
            log.WriteTo(TestContext.Current.TestOutputHelper);
            throw;
        }
    }

    private static async Task RunAsync(WebhookTraffic traffic, string dataPath, PostgresTestDatabase journal, NodeLog log,
        Func<ClusterTestNode, CancellationToken, Task> takeDown, bool expectFailedDeliveries, CancellationToken ct)
    {
        var time = new FakeTimeProvider(Now);

        await using var first = await ClusterTestNode.StartAsync("node-a", dataPath, time, journal.ConnectionString, seed: null, log, ct);
        // One write before the others start, so the journal's tables are created once rather than raced by three nodes.
        var warmUp = Placed("warm-up", Now.AddMinutes(-1), 1m, store: new StoreRef("acme", "warm-up"));
        await new WebhookSender([first], GiveUpAfter).DeliverAsync(warmUp, ct);
        var seedAddress = first.Address.ToString();
        await using var second = await ClusterTestNode.StartAsync("node-b", dataPath, time, journal.ConnectionString, seedAddress, log, ct);
        await using var third = await ClusterTestNode.StartAsync("node-c", dataPath, time, journal.ConnectionString, seedAddress, log, ct);
        ClusterTestNode[] nodes = [first, second, third];
        // Every node sees all three Up before one is killed: a survivor that still sees the third as Joining counts one Up
        // member against the dead one, and keep-majority then downs the survivors.
        await WaitUntilAsync(() => nodes.All(n => UpMembers(n) == 3), "all three nodes Up as seen from each", ct);

        var sender = new WebhookSender(nodes, GiveUpAfter);
        var sending = sender.SendAsync(traffic.Chains, concurrency: 8, pace: TimeSpan.FromMilliseconds(40), ct);

        // Mid-stream: a third of the orders are through and the rest are in flight. No deadline of its own: how long a
        // third takes is the machine's speed, and a stream that stops making progress fails the sender (a delivery
        // unanswered for GiveUpAfter), which ends this wait too.
        if (await Task.WhenAny(sender.WhenChainsCompleted(traffic.Chains.Count / 3), sending) == sending)
        {
            await sending;
            Assert.Fail("the traffic finished before the node was taken down; the test would prove nothing");
        }

        var victim = third;
        var storesOnVictim = await victim.HostedStoresAsync(ct);
        Assert.NotEmpty(storesOnVictim.Intersect(traffic.Stores));
        foreach (var node in nodes.Where(n => n != victim))
        {
            Assert.NotEmpty((await node.HostedStoresAsync(ct)).Intersect(traffic.Stores));
        }

        await takeDown(victim, ct);
        await sending;

        // The victim is out of the cluster (downed by keep-majority, or removed after leaving), not merely unreachable.
        await WaitUntilAsync(() => UpMembers(first) == 2 && UpMembers(second) == 2
            && !Akka.Cluster.Cluster.Get(first.System).State.Members.Any(m => m.Address == victim.Address), "the victim removed", ct);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{traffic.Deliveries} deliveries of {traffic.DistinctEvents.Count} events: {sender.Accepted} accepted, {sender.Duplicates} duplicates, " +
            $"{sender.FailedAttempts} failed attempts retried; stores on the victim: {string.Join(", ", storesOnVictim.Select(s => s.StoreId).Order(StringComparer.Ordinal))}; " +
            $"heartbeats sent late: {log.Lines.Count(l => l.Contains("Scheduled sending of heartbeat was delayed", StringComparison.Ordinal))}, " +
            $"members marked unreachable: {log.Lines.Count(l => l.Contains("as UNREACHABLE", StringComparison.Ordinal))}");
        if (expectFailedDeliveries)
        {
            // Deliveries in flight to the crashed node, or to its stores before they moved, failed and were retried.
            Assert.True(sender.FailedAttempts > 0, "no delivery failed, so the crash hit nothing in flight");
        }

        Assert.Equal(traffic.Deliveries, sender.Accepted + sender.Duplicates);
        // A sender sees fewer "accepted" than there are events when a node journaled an event and died before
        // answering: the retry is then a duplicate. Each such event cost at least one failed attempt.
        Assert.InRange(sender.Accepted, traffic.DistinctEvents.Count - sender.FailedAttempts, traffic.DistinctEvents.Count);

        foreach (var store in traffic.Stores)
        {
            var expected = traffic.ExpectedFor(store);
            var profile = new StoreProfile(store, store.StoreId, SalesChannel.Shopify, $"{store.StoreId}.myshopify.com", "GBP", "Europe/London", "s");
            foreach (var node in new[] { first, second })
            {
                var tiles = await new WebhookSender([node], GiveUpAfter).UntilAnsweredAsync(n => n.Tiles.GetTilesAsync(profile, ct), $"tiles of {store}", ct);
                var where = $"{store.StoreId} read on {node.Name} (was on the victim: {storesOnVictim.Contains(store)})";
                Assert.True(expected.Gross == tiles.GrossRevenue.Value, $"{where}: gross {tiles.GrossRevenue.Value} != {expected.Gross}");
                Assert.True(expected.Refunds == tiles.Refunds.Value, $"{where}: refunds {tiles.Refunds.Value} != {expected.Refunds}");
                Assert.True(expected.Net == tiles.NetRevenue.Value, $"{where}: net {tiles.NetRevenue.Value} != {expected.Net}");
                Assert.True(expected.Orders == tiles.Orders.Value, $"{where}: orders {tiles.Orders.Value} != {expected.Orders}");
                Assert.True(expected.Units == tiles.UnitsSold.Value, $"{where}: units {tiles.UnitsSold.Value} != {expected.Units}");
                Assert.True(expected.NewCustomers == tiles.NewCustomers.Value, $"{where}: new customers {tiles.NewCustomers.Value} != {expected.NewCustomers}");
                Assert.True(expected.ReturningCustomers == tiles.ReturningCustomers.Value,
                    $"{where}: returning customers {tiles.ReturningCustomers.Value} != {expected.ReturningCustomers}");
                Assert.True(expected.EventsApplied == tiles.EventsApplied, $"{where}: events applied {tiles.EventsApplied} != {expected.EventsApplied}");
            }

            // Nothing was journaled twice: a retry of an event the crashed node had already persisted was a duplicate.
            Assert.Equal(expected.EventsApplied, await journal.CountJournalRowsAsync(TenantStoreIds.PersistenceIdFor(store), ct));
        }
    }

    private static int UpMembers(ClusterTestNode node) => ClusterViews.UpMembers(node.System);

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, ct);
        }
    }
}
