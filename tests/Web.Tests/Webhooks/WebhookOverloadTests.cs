using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Tiles;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

public sealed class WebhookOverloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Webhooks_beyond_the_limit_get_503_with_Retry_After_and_every_accepted_one_is_counted()
    {
        await using var app = new StalledEngineAppFactory(maxConcurrent: 3, queueLimit: 2, retryAfterSeconds: 7);
        var client = app.CreateSignedInClient();
        var placed = WebAppFactory.Now.AddMinutes(-45);
        var orders = Enumerable.Range(0, 20).Select(i => new TestOrder(7000 + i, placed.AddMinutes(i), placed.AddMinutes(i), 10m + i, 1, null, 0)).ToArray();

        // The engine is stalled: three webhooks reach it and wait, two wait for a slot, the rest must be refused now.
        var sending = orders.Select(async order =>
        {
            using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", order.ToJson("GBP")), Ct);
            return (order, status: response.StatusCode, retryAfter: response.Headers.RetryAfter?.Delta,
                contentType: response.Content.Headers.ContentType?.MediaType);
        }).ToArray();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sending.Count(t => t.IsCompleted) < orders.Length - 5 || app.Engine.Entered < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{sending.Count(t => t.IsCompleted)} answered, {app.Engine.Entered} in the engine");
            await Task.Delay(20, Ct);
        }

        // A moment more: nothing else may be answered while the engine is stalled.
        await Task.Delay(300, Ct);
        var refused = sending.Where(t => t.IsCompleted).Select(t => t.Result).ToList();
        Assert.Equal(orders.Length - 5, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.status);
            Assert.Equal(TimeSpan.FromSeconds(7), r.retryAfter);
            Assert.Equal("application/problem+json", r.contentType);
        });
        Assert.Equal(3, app.Engine.Entered);

        // The engine catches up: the five held webhooks are answered and counted.
        app.Engine.Release();
        var all = await Task.WhenAll(sending);
        var accepted = all.Where(r => r.status == HttpStatusCode.OK).Select(r => r.order).ToArray();
        Assert.Equal(5, accepted.Length);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        Assert.Equal(5m, tiles!.Orders.Value);
        Assert.Equal(accepted.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);

        // The platform retries what was refused; now everything is in, once.
        foreach (var (order, _, _, _) in refused)
        {
            using var retry = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", order.ToJson("GBP")), Ct);
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }

        tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        Assert.Equal(orders.Length, tiles!.Orders.Value);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
    }

    /// <summary>The app with small webhook limits and an engine that holds every event until released.</summary>
    private sealed class StalledEngineAppFactory(int maxConcurrent, int queueLimit, int retryAfterSeconds) : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-web-overload-").FullName;

        public StalledIngest Engine { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Engine:DataDirectory", _dataDirectory);
            builder.UseSetting("Demo:Enabled", "false");
            // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
            builder.UseSetting("Plans:SelfHosted", "true");
            builder.UseSetting("Webhooks:MaxConcurrent", maxConcurrent.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Webhooks:QueueLimit", queueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Webhooks:RetryAfter", TimeSpan.FromSeconds(retryAfterSeconds).ToString());
            var store = TestStore.London;
            builder.UseSetting("Stores:0:TenantId", store.TenantId);
            builder.UseSetting("Stores:0:StoreId", store.StoreId);
            builder.UseSetting("Stores:0:Name", "London");
            builder.UseSetting("Stores:0:ShopDomain", store.ShopDomain);
            builder.UseSetting("Stores:0:Currency", store.Currency);
            builder.UseSetting("Stores:0:TimeZone", store.TimeZone);
            builder.UseSetting("Stores:0:WebhookSecret", store.WebhookSecret);

            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(new FakeTimeProvider(WebAppFactory.Now));

                // Whatever ingest the app composed (embedded, Kafka, decorated) still does the work, after the gate.
                var composed = services.Last(d => d.ServiceType == typeof(ICommerceEventIngest));
                services.Remove(composed);
                services.AddSingleton<ICommerceEventIngest>(sp => Engine.Wrap(Resolve(sp, composed)));
            });
        }

        private static ICommerceEventIngest Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
            (ICommerceEventIngest)(descriptor.ImplementationInstance
                ?? descriptor.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));

        public override async ValueTask DisposeAsync()
        {
            Engine.Release();
            await base.DisposeAsync();
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing store leaves a temp folder behind; the results stand.
            }
        }
    }

    /// <summary>An engine that has fallen behind: every event waits at the gate until <see cref="Release"/>.</summary>
    private sealed class StalledIngest
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;

        public int Entered => Volatile.Read(ref _entered);

        public void Release() => _gate.TrySetResult();

        public ICommerceEventIngest Wrap(ICommerceEventIngest inner) => new Gated(this, inner);

        private sealed class Gated(StalledIngest owner, ICommerceEventIngest inner) : ICommerceEventIngest
        {
            public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner._entered);
                await owner._gate.Task.WaitAsync(cancellationToken);
                return await inner.IngestAsync(commerceEvent, cancellationToken);
            }
        }
    }
}
