using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SalesDash.Tests.Shared;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Chaos;

/// <summary>
/// Three app nodes (the whole web host each) in one cluster on one PostgreSQL journal. Signed Shopify order webhooks
/// and hostile deliveries (bad signatures, unknown shops, broken JSON, missing headers) are sent to all of them
/// concurrently while one node is killed mid-stream. No answer is a 5xx other than the documented 503 (which the
/// sender retries, as Shopify does), every store keeps answering, and each store's tiles equal an oracle computed
/// from the valid orders alone.
/// </summary>
public sealed class WebhookChaosTests
{
    private static readonly DateTimeOffset Now = WebAppFactory.Now;

    /// <summary>How long one delivery is retried: failure detection, downing and shard recovery fit well inside.</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hostile_and_valid_webhooks_while_a_node_is_killed_give_no_unexpected_5xx_and_the_oracles_figures()
    {
        await using var journal = await JournalDatabase.CreateAsync(Ct);
        await using var first = await ChaosNode.StartAsync("a", journal.ConnectionString, seed: null);
        var seed = Cluster.Get(first.System).SelfAddress.ToString();
        await using var second = await ChaosNode.StartAsync("b", journal.ConnectionString, seed);
        await using var third = await ChaosNode.StartAsync("c", journal.ConnectionString, seed);
        ChaosNode[] nodes = [first, second, third];
        // Each node must see all three Up before one is killed (see ClusterViews).
        await ClusterViews.EveryNodeSeesUpAsync(nodes.Select(n => n.System), 3, Ct);

        var traffic = Traffic.Generate(seed: 5);
        var sender = new Sender(nodes);
        var sending = sender.SendAsync(traffic.Deliveries, concurrency: 6);

        await WaitUntilAsync(() => sender.Completed >= traffic.Deliveries.Count / 3 || sending.IsCompleted, "a third of the traffic sent");
        Assert.False(sending.IsCompleted, "the traffic finished before the node was killed; the test would prove nothing");
        await third.KillAsync();
        await sending;

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{traffic.Deliveries.Count} deliveries ({traffic.Deliveries.Count(d => d.Hostile)} hostile): answers {string.Join(", ",
                sender.Statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(int)g.Key}×{g.Count()}"))}; {sender.Unanswered} unanswered attempts retried");
        Assert.Empty(sender.Violations);
        Assert.DoesNotContain(sender.Statuses, s => (int)s >= 500 && s != HttpStatusCode.ServiceUnavailable);

        // Every store answers on both survivors with exactly the valid orders' figures.
        foreach (var store in TestStore.All)
        {
            var expected = traffic.Valid.Where(o => o.Store == store).ToList();
            foreach (var node in new[] { first, second })
            {
                var tiles = await node.TilesAsync(store, expected.Count);
                Assert.Equal((expected.Sum(o => o.Order.TotalPrice), (decimal)expected.Count), (tiles.GrossRevenue.Value, tiles.Orders.Value));
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, Ct);
        }
    }

    /// <summary>One webhook to send; hostile ones must be refused with a 4xx, valid ones end in a 2xx.</summary>
    private sealed record Delivery(TestStore Store, string Topic, byte[] Body, string WebhookId, string? Signature, string? ShopDomain, bool Hostile);

    private sealed record ValidOrder(TestStore Store, TestOrder Order);

    private sealed record Traffic(IReadOnlyList<Delivery> Deliveries, IReadOnlyList<ValidOrder> Valid)
    {
        public static Traffic Generate(int seed)
        {
            var random = new Random(seed);
            var deliveries = new List<Delivery>();
            var valid = new List<ValidOrder>();
            long id = 5_000;
            foreach (var store in TestStore.All)
            {
                for (var i = 0; i < 25; i++)
                {
                    var created = Now.AddMinutes(-random.Next(1, 240));
                    var order = new TestOrder(++id, created, created, random.Next(500, 30_000) / 100m, random.Next(1, 4), null, 1);
                    var body = order.ToJson(store.Currency);
                    var webhookId = Guid.NewGuid().ToString();
                    valid.Add(new ValidOrder(store, order));
                    deliveries.Add(new Delivery(store, "orders/create", body, webhookId, null, null, Hostile: false));
                    if (random.Next(4) == 0)
                    {
                        // Shopify delivers the same webhook again now and then.
                        deliveries.Add(new Delivery(store, "orders/create", body, webhookId, null, null, Hostile: false));
                    }

                    // Hostile deliveries beside it: each must be refused and count for nothing.
                    var forged = new TestOrder(++id, created, created, 999_999m, 1, null, 1).ToJson(store.Currency);
                    deliveries.Add((i % 5) switch
                    {
                        0 => new Delivery(store, "orders/create", forged, Guid.NewGuid().ToString(), ShopifyPayloads.Sign("not-the-secret", forged), null, true),
                        1 => new Delivery(store, "orders/create", forged, Guid.NewGuid().ToString(), null, "nobody.myshopify.com", true),
                        2 => new Delivery(store, "orders/create", Encoding.UTF8.GetBytes("{\"id\": 1, \"total_price\": [}"), Guid.NewGuid().ToString(), null, null, true),
                        3 => new Delivery(store, "orders/create", Encoding.UTF8.GetBytes("{\"id\": \"x\", \"line_items\": 7}"), Guid.NewGuid().ToString(), null, null, true),
                        _ => new Delivery(store, "orders/create", forged, string.Empty, null, null, true),
                    });
                }
            }

            return new Traffic([.. deliveries.OrderBy(_ => random.Next())], valid);
        }
    }

    /// <summary>
    /// Sends like Shopify behind a load balancer: round-robin over serving nodes; a 503 or no answer is retried on the
    /// next node after a pause; anything else is final. Records every status and every answer that breaks the rules.
    /// </summary>
    private sealed class Sender(IReadOnlyList<ChaosNode> nodes)
    {
        private int _next;
        private int _completed;
        private int _unanswered;

        public ConcurrentBag<HttpStatusCode> Statuses { get; } = [];

        public ConcurrentBag<string> Violations { get; } = [];

        public int Completed => Volatile.Read(ref _completed);

        public int Unanswered => Volatile.Read(ref _unanswered);

        public async Task SendAsync(IReadOnlyList<Delivery> deliveries, int concurrency)
        {
            var queue = new ConcurrentQueue<Delivery>(deliveries);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var delivery))
                {
                    await DeliverAsync(delivery);
                    Interlocked.Increment(ref _completed);
                }
            }, Ct)));
        }

        private async Task DeliverAsync(Delivery d)
        {
            var deadline = DateTime.UtcNow + GiveUpAfter;
            while (true)
            {
                var serving = nodes.Where(n => n.Serving).ToArray();
                var node = serving[(int)((uint)Interlocked.Increment(ref _next) % serving.Length)];
                HttpStatusCode status;
                try
                {
                    var target = d.ShopDomain is null ? d.Store : d.Store with { ShopDomain = d.ShopDomain };
                    using var request = ShopifyPayloads.Webhook(target, d.Topic, d.Body, d.WebhookId, d.Signature);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(20));
                    using var response = await node.Client.SendAsync(request, timeout.Token);
                    status = response.StatusCode;
                }
                catch (Exception e) when (!Ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or ObjectDisposedException
                                              or InvalidOperationException)
                {
                    // A killed node's connection drops, as a real sender would see: retry elsewhere.
                    Interlocked.Increment(ref _unanswered);
                    Assert.True(DateTime.UtcNow < deadline, $"{d.WebhookId} was not answered within {GiveUpAfter}");
                    await Task.Delay(100, Ct);
                    continue;
                }

                if (!node.Serving)
                {
                    // Killed while this was in flight: a dead process sends no answer, so the sender saw the connection drop.
                    Interlocked.Increment(ref _unanswered);
                    await Task.Delay(100, Ct);
                    continue;
                }

                Statuses.Add(status);
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.True(DateTime.UtcNow < deadline, $"{d.WebhookId} kept getting 503 for {GiveUpAfter}");
                    await Task.Delay(100, Ct);
                    continue;
                }

                var ok = d.Hostile ? (int)status is >= 400 and < 500 : (int)status is >= 200 and < 300;
                if (!ok)
                {
                    Violations.Add($"{(d.Hostile ? "hostile" : "valid")} delivery {d.WebhookId} to {d.Store.StoreId} on {node.Name}: {(int)status}");
                }

                return;
            }
        }
    }

    /// <summary>A database of its own for the shared journal on the PostgreSQL server the test scripts run.</summary>
    private sealed class JournalDatabase : IAsyncDisposable
    {
        private readonly string _server;
        private readonly string _name;

        private JournalDatabase(string server, string name)
        {
            _server = server;
            _name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        }

        public string ConnectionString { get; }

        public static async Task<JournalDatabase> CreateAsync(CancellationToken ct)
        {
            var server = Environment.GetEnvironmentVariable("SALESDASH_POSTGRES");
            Assert.False(string.IsNullOrWhiteSpace(server), "SALESDASH_POSTGRES is not set: run scripts/services/postgres.sh and export its last line.");
            var name = $"salesdash_chaos_{Guid.NewGuid():N}";
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(ct);
            return new JournalDatabase(server!, name);
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>One app node: the whole web host with its own data folder, the shared journal, fast failure downing.</summary>
    private sealed class ChaosNode(string name, string journal, string? seed) : SalesDashHost(new SalesDashHostOptions { SelfHosted = false, Settings = Settings(journal, seed) })
    {
        private static Dictionary<string, string> Settings(string journal, string? seed)
        {
            var settings = new Dictionary<string, string>
            {
                ["Engine:Journal"] = "PostgreSql",
                ["Engine:JournalConnectionString"] = journal,
                ["Engine:AskTimeout"] = "00:00:05",
                ["Cluster:Hostname"] = "127.0.0.1",
                ["Cluster:Port"] = "0",
                ["Cluster:DownUnreachableAfter"] = "00:00:03",
            };
            if (seed is not null)
            {
                settings["Cluster:SeedNodes:0"] = seed;
            }

            return settings;
        }


        public string Name { get; } = name;

        public bool Serving { get; private set; } = true;

        public ActorSystem System => Services.GetRequiredService<ActorSystem>();

        public HttpClient Client { get; private set; } = null!;

        public static async Task<ChaosNode> StartAsync(string name, string journal, string? seed)
        {
            var node = new ChaosNode(name, journal, seed);
            node.Client = node.CreateClient();

            // The first request starts the host; the cluster is joined by then.
            using var health = await node.Client.GetAsync("/healthz", Ct);
            return node;
        }

        /// <summary>
        /// Kills the node's engine: the actor system stops from its last phase, so it neither leaves the cluster nor hands
        /// its stores off, and the others only see it fall silent; the load balancer stops sending to it.
        /// </summary>
        public async Task KillAsync()
        {
            Serving = false;
            await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance, CoordinatedShutdown.PhaseActorSystemTerminate);
        }

        /// <summary>The store's tiles, read again until they count <paramref name="orders"/> orders or time runs out.</summary>
        public async Task<TilesBody> TilesAsync(TestStore store, int orders)
        {
            var client = this.CreateSignedInClient(SalesDash.Web.Identity.OrgRole.Viewer, store.TenantId);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                TilesBody? tiles = null;
                using var response = await client.GetAsync($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/tiles", Ct);
                if (response.IsSuccessStatusCode)
                {
                    tiles = await response.Content.ReadFromJsonAsync<TilesBody>(Ct);
                    if (tiles!.Orders.Value == orders || DateTime.UtcNow > deadline)
                    {
                        return tiles;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"{store.StoreId} on {Name} answered {(int)response.StatusCode} to the end");
                await Task.Delay(200, Ct);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            Serving = false;
            await base.DisposeAsync();
        }
    }

    internal sealed record TileBody(decimal Value);

    internal sealed record TilesBody(TileBody GrossRevenue, TileBody Orders);
}
