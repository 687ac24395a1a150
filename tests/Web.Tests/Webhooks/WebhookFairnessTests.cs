using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>One tenant's slow bodies and flood against another tenant's webhooks, on one node.</summary>
public sealed class WebhookFairnessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tenant_flooding_with_slow_bodies_and_webhooks_does_not_delay_another_tenants_webhooks()
    {
        await using var app = new FairnessAppFactory(maxConcurrent: 2, queueLimit: 0);
        // Real Kestrel on loopback: bodies stream over a socket as they would from a platform (or an attacker).
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var tenantA = TestStore.London;
        var tenantB = TestStore.Other;

        // Tenant A: four deliveries whose bodies trickle in and never finish...
        using var trickle = new TrickleGate();
        var slow = Enumerable.Range(0, 4).Select(_ => client.SendAsync(SlowWebhook(tenantA, trickle), Ct)).ToArray();

        // ... and a flood of ten real webhooks while the engine is stalled on A's store.
        var placed = WebAppFactory.Now.AddMinutes(-30);
        var flood = Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await client.SendAsync(ShopifyPayloads.Webhook(tenantA, "orders/create",
                new TestOrder(9100 + i, placed, placed, 20m, 1, null, 0).ToJson("GBP")), Ct);
            return (response.StatusCode, response.Headers.RetryAfter?.Delta);
        }).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (flood.Count(t => t.IsCompleted) + app.StalledStore.Entered < flood.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{flood.Count(t => t.IsCompleted)} of A's flood answered, {app.StalledStore.Entered} in the engine");
            await Task.Delay(20, Ct);
        }

        // Tenant B's webhook is answered, and counted, while all of that is going on.
        var order = new TestOrder(9900, placed, placed, 42.50m, 1, null, 0);
        using var b = await client.SendAsync(ShopifyPayloads.Webhook(tenantB, "orders/create", order.ToJson("EUR")), Ct);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);

        // A's flood was bounded by A's own slots: two in the engine, the rest refused with 503 + Retry-After.
        Assert.Equal(2, app.StalledStore.Entered);
        var refused = flood.Where(t => t.IsCompleted).Select(t => t.Result).ToList();
        Assert.Equal(8, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.NotNull(r.Delta);
        });

        // The trickling bodies hit their read deadline (on the app's clock) and are ended, never having held a slot: 408
        // problem+json, or, when the client is still writing as Kestrel answers and closes, the connection reset.
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (slow.Any(t => !t.IsCompleted))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{slow.Count(t => t.IsCompleted)} of A's slow deliveries answered");
            app.Clock.Advance(TimeSpan.FromSeconds(11));
            await Task.Delay(20, Ct);
        }

        foreach (var delivery in slow)
        {
            try
            {
                using var response = await delivery;
                Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            catch (HttpRequestException)
            {
                // Ended by the server while the body was still being sent.
            }
        }

        Assert.Equal(2, app.StalledStore.Entered);

        app.StalledStore.Release();
        var accepted = await Task.WhenAll(flood);
        Assert.Equal(2, accepted.Count(r => r.StatusCode == HttpStatusCode.OK));
    }

    private static HttpRequestMessage SlowWebhook(TestStore store, TrickleGate gate)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new TrickleContent(gate) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", store.ShopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Hmac-Sha256", "c2xvdw==");
        return request;
    }

    private sealed class TrickleGate : IDisposable
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        public void Dispose() => _done.TrySetResult();
    }

    /// <summary>A slow-loris body: a byte of JSON whitespace now and then, never the end, until the server stops reading or the test ends.</summary>
    private sealed class TrickleContent(TrickleGate gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("{"u8.ToArray());
            await stream.FlushAsync();
            while (!gate.Done.IsCompleted)
            {
                await Task.WhenAny(gate.Done, Task.Delay(100));
                await stream.WriteAsync(" "u8.ToArray());
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>The shared host with two tenants' stores, small per-store limits, and an engine stalled on London's store.</summary>
    private sealed class FairnessAppFactory(int maxConcurrent, int queueLimit) : SalesDashHost(new SalesDashHostOptions
    {
        SelfHosted = false,
        Stores = [TestStore.London.Hosted, TestStore.Other.Hosted],
        Settings = new Dictionary<string, string>
        {
            ["Webhooks:MaxConcurrent"] = maxConcurrent.ToString(CultureInfo.InvariantCulture),
            ["Webhooks:QueueLimit"] = queueLimit.ToString(CultureInfo.InvariantCulture),
            ["Webhooks:BodyReadTimeout"] = "00:00:10",
            // Below the trickle's rate, so the read deadline (on the fake clock) is what ends slow bodies, not Kestrel's floor.
            ["Webhooks:MinBodyBytesPerSecond"] = "1",
        },
    })
    {
        public StalledStoreIngest StalledStore { get; } = new(new StoreRef(TestStore.London.TenantId, TestStore.London.StoreId));

        protected override void ConfigureServices(IServiceCollection services) => WrapIngest(StalledStore.Wrap)(services);

        public override async ValueTask DisposeAsync()
        {
            StalledStore.Release();
            await base.DisposeAsync();
        }
    }

    /// <summary>An engine that has fallen behind on one store only: that store's events wait until <see cref="Release"/>.</summary>
    private sealed class StalledStoreIngest(StoreRef stalled)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;

        public int Entered => Volatile.Read(ref _entered);

        public void Release() => _gate.TrySetResult();

        public ICommerceEventIngest Wrap(ICommerceEventIngest inner) => new Gated(this, inner);

        private sealed class Gated(StalledStoreIngest owner, ICommerceEventIngest inner) : ICommerceEventIngest
        {
            public async Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
            {
                if (commerceEvent.Store == owner.Stalled)
                {
                    Interlocked.Increment(ref owner._entered);
                    await owner._gate.Task.WaitAsync(cancellationToken);
                }

                return await inner.IngestAsync(commerceEvent, cancellationToken);
            }
        }

        private StoreRef Stalled => stalled;
    }
}
