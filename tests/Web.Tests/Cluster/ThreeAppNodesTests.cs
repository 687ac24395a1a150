using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Tenants;
using SalesDash.Tests.Shared;
using SalesDash.Web.AppData;
using SalesDash.Web.Channels;
using SalesDash.Web.Dashboards;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Reports;
using SalesDash.Web.Stores;
using SalesDash.Web.Tests.Alerts;
using SalesDash.Web.Tests.AppData;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Clustering;

/// <summary>
/// Three whole app nodes in one Akka cluster on one PostgreSQL (the app database and the journal), as a deployment
/// runs them: a store created through one node takes webhooks through another, a dashboard saved on one opens on
/// another, and the real cluster jobs, a Shopify Admin poller against a fake shop and scheduled reports mailed to
/// the loopback SMTP server, run on one node; that node is killed with a poll and a send in flight, and the work
/// moves to a survivor. Every order is counted once (tiles and journal equal the oracle), and every report is mailed
/// exactly once: the send in flight on the killed node is taken over by a survivor once its lease has run out.
/// </summary>
public sealed class ThreeAppNodesTests
{
    /// <summary>Today's send time of the daily reports: 07:00 in London (GMT in November).</summary>
    private static readonly DateTimeOffset SendTime = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TestStore Shop = new("acme", "cluster-shop", "acme-cluster.myshopify.com", "GBP", "Europe/London", "acme-cluster-secret-0123456789");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stores_and_dashboards_are_shared_and_a_poller_and_scheduled_reports_run_once_while_the_node_running_them_is_killed()
    {
        var (smtpHost, smtpPort, maildir) = SmtpServer.Require();
        await using var appDb = await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct);
        // An empty database of its own: the nodes' journal creates its tables there.
        await using var journalDb = await TestAppDatabase.CreateAsync(AppDatabaseProvider.PostgreSQL, Ct, migrate: false);
        var clock = new FakeTimeProvider(WebAppFactory.Now);
        var shopify = new FakeShopifyAdmin(pageSize: 4);
        var branding = new BrandingGate();
        var settings = new Dictionary<string, string>(appDb.Settings)
        {
            ["Engine:Journal"] = "PostgreSql",
            ["Engine:JournalConnectionString"] = journalDb.ConnectionString,
            ["Engine:AskTimeout"] = "00:00:05",
            ["Cluster:Hostname"] = "127.0.0.1",
            ["Cluster:Port"] = "0",
            ["Cluster:DownUnreachableAfter"] = "00:00:03",
            // The jobs look for due work often; what is due comes from the database and the shared clock.
            ["Channels:SchedulerTick"] = "00:00:00.200",
            ["Reports:SchedulerTick"] = "00:00:00.200",
            ["Reports:RenderTimeout"] = "00:01:00",
            ["Alerts:Delivery:SmtpHost"] = smtpHost,
            ["Alerts:Delivery:SmtpPort"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Delivery:From"] = "Reports <reports@salesdash.test>",
        };

        await using var a = AppNode.Start("a", settings, seed: null, clock, shopify, branding);
        var seed = Akka.Cluster.Cluster.Get(a.System).SelfAddress.ToString();
        await using var b = AppNode.Start("b", settings, seed, clock, shopify, branding);
        await using var c = AppNode.Start("c", settings, seed, clock, shopify, branding);
        // Every node sees all three Up before one is killed (see ClusterViews).
        await WaitUntilAsync(() => new[] { a, b, c }.All(n => ClusterViews.SeesUp(n.System, 3)), "all three nodes Up as seen from each");

        var owner = await a.CreateMemberAsync(OrgRole.Owner, "acme");
        var atA = a.CreateClientSignedInAs(owner);
        var atB = b.CreateClientSignedInAs(owner);

        // A store created through A takes webhooks through C.
        using (var created = await atA.PostAsJsonAsync("/api/tenants/acme/stores",
            new StoreCreateRequest(Shop.StoreId, "Acme cluster", "Shopify", Shop.ShopDomain, Shop.Currency, Shop.TimeZone, Shop.WebhookSecret), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // A dashboard saved on B opens on A.
        var board = new DashboardInput("Cluster board", [new LayoutItem("revenue", 0, 0, 4, 3)],
            [new Widget("revenue", "kpi", "Revenue", new WidgetSettings("gross-revenue", "today", "none"))]);
        using (var saved = await atB.PostAsJsonAsync("/api/tenants/acme/dashboards", board, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            var id = (await saved.Content.ReadFromJsonAsync<Dashboard>(Json, Ct))!.Id;
            Assert.Equal("Cluster board", (await atA.GetFromJsonAsync<Dashboard>($"/api/tenants/acme/dashboards/{id}", Json, Ct))!.Name);
        }

        // Three daily reports saved through B before today's send time; each mails its own recipient.
        var markers = Enumerable.Range(1, 3).Select(i => $"cluster-{i}-{Guid.NewGuid():N}@example.test").ToArray();
        var reports = new List<string>();
        foreach (var marker in markers)
        {
            using var response = await atB.PostAsJsonAsync("/api/tenants/acme/reports",
                new ReportInput($"Morning {marker[..9]}", [Shop.StoreId], "daily", "07:00", "Europe/London", [marker]), Json, Ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            reports.Add((await response.Content.ReadFromJsonAsync<ReportView>(Json, Ct))!.Id);
        }

        // The second report send of the cluster waits, rendered but not mailed, until its node dies.
        branding.HoldCall(branding.Calls.Count + 2);
        clock.SetUtcNow(SendTime.AddSeconds(20));

        var webhookOrder = new TestOrder(7001, SendTime.AddMinutes(-5), SendTime.AddMinutes(-5), 41.50m, 2, null, 0);
        var webhookId = Guid.NewGuid().ToString();
        using var delivered = await UntilNotBusyAsync(() => c.CreateClient().SendAsync(
            ShopifyPayloads.Webhook(Shop, "orders/create", webhookOrder.ToJson(Shop.Currency), webhookId), Ct));
        Assert.True(delivered.IsSuccessStatusCode, $"C answered {delivered.StatusCode}");

        // The shop holds 14 orders of this morning: four pages of four. The poll's second page is held on its node.
        var random = new Random(12);
        var polled = Enumerable.Range(0, 14)
            .Select(i => new TestOrder(8000 + i, SendTime.AddMinutes(-400 + (i * 25)), SendTime.AddMinutes(-400 + (i * 25) + 3),
                random.Next(500, 20_000) / 100m, random.Next(1, 4), null, 0))
            .ToList();
        shopify.Serve(Shop.ShopDomain, polled);
        shopify.HoldPage(offset: 4);
        using (var connected = await atB.PutAsJsonAsync($"/api/tenants/acme/stores/{Shop.StoreId}/channels/shopify", new ChannelConnectionRequest(true,
            new() { ["since"] = SendTime.AddHours(-8).ToString("O") }, new() { ["accessToken"] = "shpat_cluster_test_token" }, 300), Ct))
        {
            Assert.True(connected.IsSuccessStatusCode, $"saving the connection answered {connected.StatusCode}: {await connected.Content.ReadAsStringAsync(Ct)}");
        }

        var pollHeldOn = await shopify.Held.Task.WaitAsync(TimeSpan.FromSeconds(120), Ct);
        var sendHeldOn = await branding.Held.Task.WaitAsync(TimeSpan.FromSeconds(180), Ct);
        // Both jobs run where the cluster-jobs singleton lives: the oldest node.
        Assert.Equal(("a", "a"), (pollHeldOn, sendHeldOn));
        var beforeKill = shopify.RequestCount;
        var senderA = a.Services.GetRequiredService<ReportSender>().Id.Name;
        await a.KillAsync();

        // The survivors down A and one of them takes the jobs over: the poll resumes from the saved cursor, the report
        // schedule sends what A had not started.
        await WaitUntilAsync(() => ClusterViews.SeesUp(b.System, 2) && ClusterViews.SeesUp(c.System, 2), "A downed and removed");
        var shopStore = new StoreRef(Shop.TenantId, Shop.StoreId);
        var connections = b.Services.GetRequiredService<IChannelConnectionStore>();
        await WaitUntilAsync(async () => (await connections.GetStatusAsync(shopStore, SalesChannel.Shopify, Ct)).State == SyncStates.Ok, "the poll finished on a survivor");
        var reportStore = b.Services.GetRequiredService<IReportStore>();
        await WaitUntilAsync(async () => (await SendsAsync(reportStore, reports)).Count(s => s.Status == ReportSendStatus.Sent) == 2, "two reports sent");

        // Time passes: the poller runs again (its interval is 300 s), and the lease of the send A held (2 minutes) runs
        // out, so the schedule on the survivor takes it over and sends it.
        var requestsSoFar = shopify.RequestCount;
        clock.Advance(TimeSpan.FromSeconds(301));
        await WaitUntilAsync(async () => (await SendsAsync(reportStore, reports)).Count(s => s.Status == ReportSendStatus.Sent) == 3, "the send A held sent by a survivor");
        await WaitUntilAsync(() => shopify.Requests.Any(r => r.Number > requestsSoFar && !r.Abandoned), "the next poll");
        await WaitUntilAsync(async () => (await connections.GetStatusAsync(shopStore, SalesChannel.Shopify, Ct)).LastSyncAt == clock.GetUtcNow(), "the next poll recorded");

        var served = shopify.Requests;
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(string.Join(Environment.NewLine, served.Select(r => $"#{r.Number} {r.Node} offset {r.Offset}: {r.Orders} orders{(r.HasNext ? ", next" : string.Empty)}{(r.Abandoned ? ", abandoned" : string.Empty)}")));
        output?.WriteLine(string.Join(Environment.NewLine, branding.Calls.Select(call => $"branding call {call.Number} on {call.Node}")));

        // The poll: one node at a time, A until it died (its held page abandoned), then one survivor for the rest.
        Assert.Equal(1, shopify.MostInFlight);
        Assert.All(served.Where(r => r.Number <= beforeKill), r => Assert.Equal("a", r.Node));
        Assert.Contains(served, r => r.Node == "a" && r.Abandoned);
        var afterKill = served.Where(r => r.Number > beforeKill).OrderBy(r => r.Number).ToList();
        var survivor = Assert.Single(afterKill.Select(r => r.Node).Distinct());
        Assert.NotEqual("a", survivor);
        // It carried on from A's cursor (the held page), not from the start.
        Assert.Equal(4, afterKill[0].Offset);

        // Every order exactly once: tiles on both survivors and the journal equal the oracle.
        var orders = polled.Append(webhookOrder).ToList();
        foreach (var node in new[] { b, c })
        {
            var tiles = await node.TilesAsync(owner, Shop, orders.Count);
            Assert.Equal((orders.Sum(o => o.TotalPrice), (decimal)orders.Count), (tiles.GrossRevenue.Value, tiles.Orders.Value));
        }

        Assert.Equal(orders.Count, await JournalRowsAsync(journalDb.ConnectionString, TenantStoreIds.PersistenceIdFor(shopStore)));

        // The reports: one scheduled send each for today's slot, each sent and mailed exactly once. The send A was
        // working on when it was killed (recorded, not yet mailed) was taken over by the survivor as its attempt 2.
        var sends = await SendsAsync(reportStore, reports);
        Assert.Equal(3, sends.Count);
        Assert.All(sends, s => Assert.Equal((ReportJob.ScheduledTrigger, new DateOnly(2026, 11, 25), ReportSendStatus.Sent), (s.Trigger, s.PeriodFrom, s.Status)));
        Assert.All(sends, s => Assert.False(string.IsNullOrWhiteSpace(s.SmtpReply), $"send {s.Id} has no recorded acceptance"));
        var interrupted = Assert.Single(sends, s => s.TakenOverFrom is not null);
        Assert.True(branding.HeldCallCancelled, "the held send was not cancelled when its node died");
        var survivorSender = (survivor == "b" ? b : c).Services.GetRequiredService<ReportSender>().Id.Name;
        Assert.Equal((2, senderA, survivorSender), (interrupted.Attempts, interrupted.TakenOverFrom, interrupted.Node));
        foreach (var marker in markers)
        {
            var mail = Assert.Single(SmtpServer.MessagesContaining(maildir, marker));
            Assert.Equal(Assert.Single(sends, s => s.Recipients.Contains(marker)).MessageId, mail.MessageId);
        }

        // The report the survivor sent was sent by the same survivor that polled.
        Assert.Equal(survivor, branding.Calls[^1].Node);
    }

    /// <summary>Sends again after a 503 (the store's entity still starting), as Shopify does, with the same webhook id.</summary>
    private static async Task<HttpResponseMessage> UntilNotBusyAsync(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<IReadOnlyList<ReportSend>> SendsAsync(IReportStore store, IEnumerable<string> reports)
    {
        var sends = new List<ReportSend>();
        foreach (var report in reports)
        {
            sends.AddRange(await store.ListSendsAsync("acme", report, 10, Ct));
        }

        return sends;
    }

    private static async Task<long> JournalRowsAsync(string connectionString, string persistenceId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @id AND deleted = false", connection);
        command.Parameters.AddWithValue("id", persistenceId);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>
    /// Stands in front of the real branding (read once per report send, after the send is recorded and before it is
    /// printed and mailed) to count sends by node and hold one open until its node dies.
    /// </summary>
    private sealed class BrandingGate
    {
        private readonly ConcurrentQueue<(int Number, string Node)> _calls = new();
        private int _count;
        private int _hold = -1;

        public TaskCompletionSource<string> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool HeldCallCancelled { get; private set; }

        public IReadOnlyList<(int Number, string Node)> Calls => [.. _calls.OrderBy(c => c.Number)];

        public void HoldCall(int number) => Volatile.Write(ref _hold, number);

        public async Task PassAsync(string node, CancellationToken cancellationToken)
        {
            var number = Interlocked.Increment(ref _count);
            _calls.Enqueue((number, node));
            if (number != Volatile.Read(ref _hold))
            {
                return;
            }

            Held.TrySetResult(node);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                HeldCallCancelled = true;
                throw;
            }
        }
    }

    private sealed class GatedBranding(IOrganisationBranding inner, BrandingGate gate, string node) : IOrganisationBranding
    {
        public async Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken)
        {
            await gate.PassAsync(node, cancellationToken);
            return await inner.GetAsync(tenantId, cancellationToken);
        }
    }

    /// <summary>One app node: the shared test host on the shared databases and clock, joined to the seed.</summary>
    private sealed class AppNode(string name, SalesDashHostOptions options) : SalesDashHost(options)
    {
        public string Name { get; } = name;

        public ActorSystem System => Services.GetRequiredService<ActorSystem>();

        public static AppNode Start(string name, IReadOnlyDictionary<string, string> shared, string? seed, FakeTimeProvider clock,
            FakeShopifyAdmin shopify, BrandingGate branding)
        {
            var settings = new Dictionary<string, string>(shared);
            if (seed is not null)
            {
                settings["Cluster:SeedNodes:0"] = seed;
            }

            var node = new AppNode(name, new SalesDashHostOptions
            {
                Settings = settings,
                Stores = [],
                Services = services =>
                {
                    services.RemoveAll<TimeProvider>();
                    services.AddSingleton<TimeProvider>(clock);
                    services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => shopify.For(name));
                    services.AddSingleton<IOrganisationBranding>(sp => new GatedBranding(ActivatorUtilities.CreateInstance<StoredBranding>(sp), branding, name));
                },
            });

            // Reading the services starts the host: the node has joined (or formed) the cluster by then.
            _ = node.Services;
            return node;
        }

        /// <summary>
        /// Kills the node's engine: the actor system stops from its last phase, so it neither leaves the cluster nor hands
        /// its singletons and stores over; the others only see it fall silent.
        /// </summary>
        public Task KillAsync() =>
            CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance, CoordinatedShutdown.PhaseActorSystemTerminate);

        /// <summary>The store's tiles, read again until they count <paramref name="orders"/> orders or time runs out.</summary>
        public async Task<TilesBody> TilesAsync(string email, TestStore store, int orders)
        {
            var client = this.CreateClientSignedInAs(email);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                using var response = await client.GetAsync($"/api/tenants/{store.TenantId}/stores/{store.StoreId}/tiles", Ct);
                if (response.IsSuccessStatusCode)
                {
                    var tiles = (await response.Content.ReadFromJsonAsync<TilesBody>(Ct))!;
                    if (tiles.Orders.Value == orders || DateTime.UtcNow > deadline)
                    {
                        return tiles;
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"{store.StoreId} on {Name} answered {(int)response.StatusCode} to the end");
                await Task.Delay(200, Ct);
            }
        }
    }

    internal sealed record TileBody(decimal Value);

    internal sealed record TilesBody(TileBody GrossRevenue, TileBody Orders);
}
