using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Contracts.Tiles;
using SalesDash.Web.Tests.Hosting;
using SalesDash.Web.Webhooks;

namespace SalesDash.Web.Tests.Webhooks;

/// <summary>
/// Webhook bodies are read into pooled arrays that go back to the pool once the delivery is answered. The pool here
/// spoils every array given back to it and hands the spoiled arrays out again first, so a body read after its return
/// would fail its signature or its parse, or count another delivery's order: every figure below would show it.
/// </summary>
public sealed class WebhookBodyPoolTests
{
    private static readonly DateTimeOffset Placed = WebAppFactory.Now.AddMinutes(-40);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_deliveries_each_count_their_own_body_and_every_array_goes_back_to_the_pool()
    {
        var pool = new SpoilingPool();
        await using var app = HostWith(pool);
        var client = app.CreateSignedInClient();
        var orders = Enumerable.Range(0, 96).Select(i => new TestOrder(8100 + i, Placed.AddSeconds(i), Placed.AddSeconds(i), 10.01m + i, 1, null, 0)).ToArray();

        // Two rounds of 48 at once: the second round's bodies land in arrays the first round gave back (and were spoiled).
        var answers = new List<HttpStatusCode>();
        foreach (var round in orders.Chunk(48))
        {
            answers.AddRange(await Task.WhenAll(round.Select(async order =>
            {
                using var response = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", order.ToJson("GBP")), Ct);
                return response.StatusCode;
            })));
        }

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        Assert.Equal(orders.Length, tiles!.Orders.Value);
        Assert.Equal(orders.Sum(o => o.TotalPrice), tiles.GrossRevenue.Value);
        Assert.Equal(orders.Length, pool.Rented);
        Assert.Equal(0, pool.Outstanding);
        Assert.True(pool.Reused > 0, "no array was handed out twice, so the test proved nothing");
    }

    [Fact]
    public async Task A_refused_delivery_gives_its_array_back_and_is_answered_with_a_problem()
    {
        var pool = new SpoilingPool();
        await using var app = HostWith(pool);
        var client = app.CreateSignedInClient();
        var body = new TestOrder(8300, Placed, Placed, 42.00m, 1, null, 0).ToJson("GBP");
        var malformed = Encoding.UTF8.GetBytes("{\"id\": 8301, \"total_price\": ");

        using var forged = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", body, signature: ShopifyPayloads.Sign("not-the-secret", body)), Ct);
        using var unparsable = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", malformed), Ct);
        using var unknown = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London with { ShopDomain = "nobody.myshopify.com" }, "orders/create", body), Ct);
        // The same body, correctly signed, after the refusals: it reads from an array a refused one gave back.
        using var good = await client.SendAsync(ShopifyPayloads.Webhook(TestStore.London, "orders/create", body), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unparsable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.All([forged, unparsable, unknown], r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(4, pool.Rented);
        Assert.Equal(0, pool.Outstanding);
        Assert.True(pool.Reused > 0);
        var tiles = await client.GetFromJsonAsync<DashboardTiles>("/api/tenants/acme/stores/uk-shop/tiles", Ct);
        Assert.Equal(1m, tiles!.Orders.Value);
        Assert.Equal(42.00m, tiles.GrossRevenue.Value);
    }

    [Fact]
    public async Task A_body_given_back_cannot_be_read_and_goes_back_once()
    {
        var pool = new SpoilingPool();
        var bytes = Encoding.UTF8.GetBytes("{\"id\": 1}");
        var http = new DefaultHttpContext();
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = bytes.Length;

        var body = await WebhookBody.ReadPooledAsync(http.Request, 1024, pool, Ct);

        Assert.NotNull(body);
        Assert.Equal(bytes, body.Bytes.ToArray());
        body.Dispose();
        body.Dispose();
        Assert.Throws<ObjectDisposedException>(() => body.Bytes);
        Assert.Equal(1, pool.Rented);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_chunked_body_past_the_limit_is_refused_and_its_arrays_go_back()
    {
        var pool = new SpoilingPool();
        var http = new DefaultHttpContext();
        http.Request.Body = new MemoryStream(new byte[40 * 1024]);

        var tooLarge = await WebhookBody.ReadPooledAsync(http.Request, 32 * 1024, pool, Ct);
        http.Request.Body = new MemoryStream(Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray());
        using var fits = await WebhookBody.ReadPooledAsync(http.Request, 32 * 1024, pool, Ct);

        Assert.Null(tooLarge);
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (byte)i), fits!.Bytes.ToArray());
        Assert.Equal(1, pool.Outstanding);
    }

    private static SalesDashHost HostWith(SpoilingPool pool) => new(new SalesDashHostOptions
    {
        Services = services =>
        {
            services.RemoveAll<WebhookBodyPool>();
            services.AddSingleton<WebhookBodyPool>(pool);
        },
    });

    /// <summary>Fills every array given back with '!' (neither JSON nor the signed bytes) and hands given-back arrays out first.</summary>
    private sealed class SpoilingPool : WebhookBodyPool
    {
        private readonly Lock _lock = new();
        private readonly List<byte[]> _free = [];
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }

        public int Reused { get; private set; }

        public int Outstanding
        {
            get
            {
                lock (_lock)
                {
                    return _out.Count;
                }
            }
        }

        public override byte[] Rent(int minimumLength)
        {
            lock (_lock)
            {
                Rented++;
                var index = _free.FindIndex(a => a.Length >= minimumLength);
                byte[] array;
                if (index >= 0)
                {
                    array = _free[index];
                    _free.RemoveAt(index);
                    Reused++;
                }
                else
                {
                    array = new byte[minimumLength + 64];
                }

                _out.Add(array);
                return array;
            }
        }

        public override void Return(byte[] array)
        {
            lock (_lock)
            {
                Assert.True(_out.Remove(array), "an array was given back that was not out (or was given back twice)");
                Array.Fill(array, (byte)'!');
                _free.Add(array);
            }
        }
    }
}
