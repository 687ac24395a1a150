using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Stores;
using SalesDash.Web.Alerts;
using SalesDash.Web.AppData;
using SalesDash.Web.Channels;
using SalesDash.Web.Identity;
using SalesDash.Web.Onboarding;
using SalesDash.Web.Tests.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Onboarding;

/// <summary>
/// The Shopify app install against a fake Shopify (the channels' HttpClient answered in memory): authorize URL, the
/// HMAC-checked callback, the token exchange, the five webhook subscriptions, the encrypted token, the first signed
/// order, and app/uninstalled disconnecting the store; and the checklist walked from sign-up to live.
/// </summary>
public sealed class ShopifyInstallTests : IAsyncLifetime
{
    private const string ClientId = "test-app-id";
    private const string ClientSecret = "test-app-secret-0123456789";
    private const string Shop = "onboard-test.myshopify.com";
    private const string Token = "shpat_fake_offline_token_123";
    private static readonly Uri PublicUrl = new("https://dash.example.com/");

    private readonly ConcurrentQueue<(string Path, string? AccessToken, string Body)> _calls = new();
    private readonly OnboardingHost _app;

    public ShopifyInstallTests()
    {
        _app = new OnboardingHost();
        _app.Upstream.On(Shop + "/admin/oauth/access_token", request => Record(request, FakeUpstream.Json($$"""{"access_token":"{{Token}}","scope":"read_orders"}""")));
        _app.Upstream.On(Shop + "/admin/api/", request => Record(request, FakeUpstream.Json(
            """{"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/1"},"userErrors":[]}}}""")));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Install_exchanges_the_code_subscribes_the_webhooks_and_keeps_the_token_encrypted()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-install");

        var (state, _) = await BeginAsync(client, "onb-install");
        using var callback = await client.GetAsync(Callback(state), Ct);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/onboarding/onb-install?installed=onboard-test", callback.Headers.Location!.ToString());

        // The code went to Shopify's token endpoint with the app's credentials.
        var exchange = JsonNode.Parse(Assert.Single(_calls, c => c.Path.EndsWith("/admin/oauth/access_token", StringComparison.Ordinal)).Body)!;
        Assert.Equal(ClientId, (string?)exchange["client_id"]);
        Assert.Equal(ClientSecret, (string?)exchange["client_secret"]);
        Assert.Equal("code-from-shopify", (string?)exchange["code"]);

        // Five subscriptions through the GraphQL Admin API, with the new token, to our addresses.
        var subscriptions = _calls.Where(c => c.Path.EndsWith("/graphql.json", StringComparison.Ordinal)).ToList();
        Assert.All(subscriptions, s => Assert.Equal(Token, s.AccessToken));
        Assert.All(subscriptions, s => Assert.Equal("/admin/api/2024-10/graphql.json", s.Path[Shop.Length..]));
        var topics = subscriptions.Select(s => JsonNode.Parse(s.Body)!["variables"]!).ToDictionary(v => (string)v["topic"]!, v => (string)v["webhookSubscription"]!["callbackUrl"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["ORDERS_CREATE"] = "https://dash.example.com/webhooks/shopify",
            ["ORDERS_UPDATED"] = "https://dash.example.com/webhooks/shopify",
            ["ORDERS_CANCELLED"] = "https://dash.example.com/webhooks/shopify",
            ["REFUNDS_CREATE"] = "https://dash.example.com/webhooks/shopify",
            ["APP_UNINSTALLED"] = "https://dash.example.com/webhooks/shopify/app-uninstalled",
        }, topics);

        // The store exists, its Shopify Admin connection carries the token, and the table does not show it.
        var store = await _app.Services.GetRequiredService<IStoreDirectory>().FindByShopDomainAsync(SalesChannel.Shopify, Shop, Ct);
        Assert.Equal(new StoreRef("onb-install", "onboard-test"), store!.Store);
        var connection = await _app.Services.GetRequiredService<IChannelConnectionStore>().GetAsync(store.Store, SalesChannel.Shopify, Ct);
        Assert.Equal(Token, connection!.Credentials["accessToken"]);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        var stored = await db.Set<ChannelConnectionRow>().AsNoTracking().SingleAsync(c => c.TenantId == "onb-install", Ct);
        Assert.DoesNotContain(Token, stored.Credentials, StringComparison.Ordinal);

        // Like a store added by hand, it starts with the default alert rules.
        var rules = await _app.Services.GetRequiredService<IAlertRuleStore>().ListRulesAsync("onb-install", Ct);
        Assert.Equal([DefaultAlertRules.NoOrdersName, DefaultAlertRules.AnomalyName],
            rules.Where(r => r.StoreId == "onboard-test").Select(r => r.Name).Order(StringComparer.Ordinal));

        // Shopify signs an installed app's webhooks with the client secret: the first order is accepted.
        using var order = await client.SendAsync(OrderWebhook(ClientSecret, 9001), Ct);
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);
        Assert.Equal("accepted", (await order.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Callback_with_a_bad_hmac_another_shop_or_another_browser_is_refused_before_calling_shopify()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-refused");
        var (state, _) = await BeginAsync(client, "onb-refused");

        var forged = Callback(state).Replace("code=code-from-shopify", "code=other-code", StringComparison.Ordinal);
        using var badHmac = await client.GetAsync(forged, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, badHmac.StatusCode);
        Assert.Equal("application/problem+json", badHmac.Content.Headers.ContentType?.MediaType);

        using var otherShop = await client.GetAsync(Callback(state, shop: "someone-else.myshopify.com"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, otherShop.StatusCode);

        // The same Admin signed in elsewhere has no nonce cookie: a link handed to them is not an install they started.
        var elsewhere = _app.CreateSignedInClient(OrgRole.Admin, "onb-refused");
        using var otherBrowser = await elsewhere.GetAsync(Callback(state), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, otherBrowser.StatusCode);

        Assert.Empty(_calls);
        Assert.Null(await _app.Services.GetRequiredService<IStoreDirectory>().FindByShopDomainAsync(SalesChannel.Shopify, Shop, Ct));
    }

    [Fact]
    public async Task App_uninstalled_disconnects_the_store_and_only_a_signed_delivery_does()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-uninstall");
        var (state, _) = await BeginAsync(client, "onb-uninstall");
        (await client.GetAsync(Callback(state), Ct)).Dispose();
        var store = new StoreRef("onb-uninstall", "onboard-test");
        var connections = _app.Services.GetRequiredService<IChannelConnectionStore>();
        Assert.NotNull(await connections.GetAsync(store, SalesChannel.Shopify, Ct));

        using var forged = await client.SendAsync(Uninstalled("wrong-secret"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.NotNull(await connections.GetAsync(store, SalesChannel.Shopify, Ct));

        using var uninstalled = await client.SendAsync(Uninstalled(ClientSecret), Ct);
        Assert.Equal(HttpStatusCode.OK, uninstalled.StatusCode);
        Assert.Null(await connections.GetAsync(store, SalesChannel.Shopify, Ct));
        var view = await client.GetFromJsonAsync<JsonElement>("/api/tenants/onb-uninstall/onboarding", Ct);
        var installation = Assert.Single(view.GetProperty("shopifyInstallations").EnumerateArray());
        Assert.Equal(JsonValueKind.String, installation.GetProperty("uninstalledAt").ValueKind);
    }

    [Fact]
    public async Task Install_is_refused_with_a_problem_when_the_shop_is_not_a_shopify_domain()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-domain");
        using var response = await client.PostAsJsonAsync("/api/tenants/onb-domain/onboarding/shopify/install", new { shopDomain = "evil.example.com" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Checklist_walks_from_sign_up_to_live_and_is_kept_in_the_app_database()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-walk");
        Assert.Equal("connect-channel", await NextAsync(client, "onb-walk"));

        var (state, _) = await BeginAsync(client, "onb-walk");
        (await client.GetAsync(Callback(state), Ct)).Dispose();
        Assert.Equal("choose-tracking", await NextAsync(client, "onb-walk"));

        using (var early = await client.PutAsJsonAsync("/api/tenants/onb-walk/onboarding/template", new { template = "essentials" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        using (var unknown = await client.PutAsJsonAsync("/api/tenants/onb-walk/onboarding/tracking", new { metrics = new[] { "orders", "visitors" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        (await client.PutAsJsonAsync("/api/tenants/onb-walk/onboarding/tracking", new { metrics = new[] { "orders", "gross-revenue" } }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal("pick-template", await NextAsync(client, "onb-walk"));

        using var picked = await client.PutAsJsonAsync("/api/tenants/onb-walk/onboarding/template", new { template = "focus" }, Ct);
        picked.EnsureSuccessStatusCode();
        var dashboardId = (await picked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        var dashboard = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/onb-walk/dashboards/{dashboardId}", Ct);
        Assert.Equal(new[] { "orders", "gross-revenue" }, dashboard.GetProperty("widgets").EnumerateArray().Select(w => w.GetProperty("settings").GetProperty("metric").GetString()));
        Assert.Equal("live", await NextAsync(client, "onb-walk"));

        // Picking again changes the same dashboard rather than adding one.
        (await client.PutAsJsonAsync("/api/tenants/onb-walk/onboarding/template", new { template = "essentials" }, Ct)).EnsureSuccessStatusCode();
        Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/tenants/onb-walk/dashboards", Ct)).EnumerateArray());

        (await client.SendAsync(OrderWebhook(ClientSecret, 9101), Ct)).EnsureSuccessStatusCode();
        var view = await client.GetFromJsonAsync<JsonElement>("/api/tenants/onb-walk/onboarding", Ct);
        Assert.True(view.GetProperty("checklist").GetProperty("complete").GetBoolean());
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<AppIdentityDbContext>>().CreateDbContextAsync(Ct);
        var row = await db.Set<OnboardingRow>().AsNoTracking().SingleAsync(o => o.TenantId == "onb-walk", Ct);
        Assert.NotNull(row.LiveAt);
        Assert.Equal("essentials", row.TemplateId);
    }

    [Fact]
    public async Task Manual_path_shows_our_exact_webhook_address_and_a_new_secret_each_time()
    {
        var client = _app.CreateSignedInClient(OrgRole.Admin, "onb-manual");
        var first = await client.GetFromJsonAsync<JsonElement>("/api/tenants/onb-manual/onboarding/shopify/manual", Ct);
        var second = await client.GetFromJsonAsync<JsonElement>("/api/tenants/onb-manual/onboarding/shopify/manual", Ct);

        Assert.Equal("https://dash.example.com/webhooks/shopify", first.GetProperty("webhookUrl").GetString());
        Assert.Equal(64, first.GetProperty("webhookSecret").GetString()!.Length);
        Assert.NotEqual(first.GetProperty("webhookSecret").GetString(), second.GetProperty("webhookSecret").GetString());
    }

    private static async Task<string?> NextAsync(HttpClient client, string tenant)
    {
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/onboarding", Ct);
        var next = view.GetProperty("checklist").GetProperty("next");
        return next.ValueKind == JsonValueKind.Null ? null : next.GetString();
    }

    private static async Task<(string State, Uri Authorize)> BeginAsync(HttpClient client, string tenant)
    {
        using var response = await client.PostAsJsonAsync($"/api/tenants/{tenant}/onboarding/shopify/install", new { shopDomain = Shop.ToUpperInvariant() }, Ct);
        response.EnsureSuccessStatusCode();
        var authorize = new Uri((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("authorizeUrl").GetString()!);
        Assert.Equal($"https://{Shop}/admin/oauth/authorize", authorize.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal(ClientId, query["client_id"]);
        // Products for the recommendations' catalogue; the variants' inventory_quantity comes with them, so no read_inventory.
        Assert.Equal("read_orders,read_products", query["scope"]);
        Assert.Equal("https://dash.example.com/api/shopify/callback", query["redirect_uri"]);
        return (query["state"]!, authorize);
    }

    /// <summary>What Shopify redirects the merchant to, signed as Shopify signs it (hex HMAC-SHA256 of the sorted parameters).</summary>
    private static string Callback(string state, string shop = Shop)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["code"] = "code-from-shopify",
            ["host"] = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvb25ib2FyZC10ZXN0",
            ["shop"] = shop,
            ["state"] = state,
            ["timestamp"] = "1764084600",
        };
        var message = string.Join('&', parameters.Select(p => $"{p.Key}={p.Value}"));
        var hmac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret), Encoding.UTF8.GetBytes(message)));
        return "/api/shopify/callback?" + string.Join('&', parameters.Append(new KeyValuePair<string, string>("hmac", hmac)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    private static HttpRequestMessage OrderWebhook(string secret, long id)
    {
        var placed = WebAppFactory.Now.AddMinutes(-5);
        var body = new TestOrder(id, placed, placed, 40m, 1, id, 1).ToJson("USD");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", Shop);
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Hmac-Sha256", ShopifyPayloads.Sign(secret, body));
        return request;
    }

    private static HttpRequestMessage Uninstalled(string secret)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":1,"name":"Onboard test","domain":"{{Shop}}","myshopify_domain":"{{Shop}}"}""");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify/app-uninstalled") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", ShopifyAppOAuth.AppUninstalledTopic);
        request.Headers.Add("X-Shopify-Shop-Domain", Shop);
        request.Headers.Add("X-Shopify-Hmac-Sha256", ShopifyPayloads.Sign(secret, body));
        return request;
    }

    private HttpResponseMessage Record(HttpRequestMessage request, HttpResponseMessage response)
    {
        var token = request.Headers.TryGetValues("X-Shopify-Access-Token", out var values) ? values.Single() : null;
        using var reader = new StreamReader(request.Content!.ReadAsStream());
        _calls.Enqueue((request.RequestUri!.Host + request.RequestUri.AbsolutePath, token, reader.ReadToEnd()));
        return response;
    }

    /// <summary>The shared host with a Shopify app configured, the scheduler off, and channel calls answered by <see cref="Upstream"/>.</summary>
    private sealed class OnboardingHost() : SalesDashHost(new SalesDashHostOptions
    {
        Settings = new Dictionary<string, string>
        {
            ["Channels:SchedulerEnabled"] = "false",
            ["ShopifyApp:ClientId"] = ClientId,
            ["ShopifyApp:ClientSecret"] = ClientSecret,
            ["ShopifyApp:PublicUrl"] = PublicUrl.ToString(),
        },
    })
    {
        public FakeUpstream Upstream { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Upstream);
    }
}
