using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// The whole app as sold (trial, Free, Stripe billing against <see cref="FakeStripe"/>) with a fresh data folder, a
/// clock tests move, and the channel scheduler off; callers sign up (<see cref="SignUpAsync"/>), or sign in as members
/// of an organisation on an assigned tier (<see cref="NewOrganisationAsync"/>, <see cref="MemberAsync"/>) or with an
/// API key made through the API (<see cref="ApiKeyClientAsync"/>). Each test makes its own organisation, so counts
/// never collide.
/// </summary>
public sealed class PlansAppFactory() : SalesDashHost(new SalesDashHostOptions
{
    SelfHosted = false,
    Stores = [],
    // Notices run when a test asks (PlanNoticeJob.RunOnceAsync), through the loopback SMTP server when there is one.
    LoopbackSmtp = true,
    Settings = new Dictionary<string, string>
    {
        ["Channels:SchedulerEnabled"] = "false",
        ["Plans:Tenants:configured-starter"] = "Starter",
        // Alert rules are evaluated within a test's patience (AlertRulePlanTests): closed minutes pulled every 100 ms.
        ["Alerts:ClockInterval"] = "00:00:00.100",
        ["Engine:MinuteCheckInterval"] = "00:00:00.100",
        ["Alerts:RulesRefreshInterval"] = "00:00:00.200",
        ["Plans:NoticesEnabled"] = "false",
    },
}), IAsyncLifetime
{
    public FakeStripe Stripe { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Stripe = await FakeStripe.StartAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        FakeStripe.Configure(builder, Stripe.BaseAddress);
    }

    /// <summary>
    /// A person signing up through POST /api/auth/sign-up, with their new organisation (created now on the test clock,
    /// so on its trial) and its one store, and a client that keeps their sign-in cookie.
    /// </summary>
    public async Task<(HttpClient Owner, string TenantId, string Email)> SignUpAsync(CancellationToken cancellationToken)
    {
        var email = $"owner-{Guid.NewGuid():N}@test.salesdash";
        var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/sign-up",
            new SignUpRequest(email, TestUsers.Password, "Olive Owner", $"Shop {Guid.NewGuid():N}"[..13], "Europe/London", "GBP"), cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var me = (await response.Content.ReadFromJsonAsync<MeResponse>(cancellationToken))!;
        var tenant = me.Organisations.Single().Id;
        await AddStoreAsync(tenant, "shop", cancellationToken);
        return (client, tenant, email);
    }

    /// <summary>Moves the organisation's creation so its trial ends <paramref name="endsIn"/> from now (zero or less: it has ended).</summary>
    public async Task SetTrialEndAsync(string tenant, TimeSpan endsIn, CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        var org = await db.Organisations.FindAsync([tenant], cancellationToken);
        org!.CreatedAt = Clock.GetUtcNow().AddDays(-14) + endsIn;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>POSTs a Stripe event to the billing webhook, signed as Stripe signs it unless a header is given.</summary>
    public async Task<HttpResponseMessage> SendStripeEventAsync(string payload, CancellationToken cancellationToken, string? signature = null)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe-billing") { Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? FakeStripe.Signature(payload, Clock.GetUtcNow()));
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>A new organisation with one store, on <paramref name="tier"/> (assigned by the operator, as for an Enterprise contract).</summary>
    public async Task<string> NewOrganisationAsync(PlanTier tier, CancellationToken cancellationToken, string? prefix = null)
    {
        var tenant = $"{prefix ?? tier.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        await AddStoreAsync(tenant, "shop", cancellationToken);
        await Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, tier, Clock.GetUtcNow(), "test"), cancellationToken);
        return tenant;
    }

    public async Task AddStoreAsync(string tenant, string storeId, CancellationToken cancellationToken) =>
        await Services.GetRequiredService<IStoreDirectory>().UpsertAsync(
            new StoreProfile(new StoreRef(tenant, storeId), $"{tenant} {storeId}", SalesChannel.Shopify, $"{tenant}-{storeId}.myshopify.com", "EUR",
                "Europe/Berlin", "secret-0123456789-abcdef"),
            cancellationToken);

    /// <summary>A client signed in as a new member who is <paramref name="role"/> in <paramref name="tenant"/>.</summary>
    public HttpClient ClientFor(string tenant, OrgRole role = OrgRole.Owner) => this.CreateSignedInClient(role, tenant);

    /// <summary>A new member who is <paramref name="role"/> in <paramref name="tenant"/>, signed in, with the id the app knows them by.</summary>
    public async Task<SignedInMember> MemberAsync(string tenant, OrgRole role = OrgRole.Owner)
    {
        var email = await this.CreateMemberAsync(role, tenant);
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email);
        return new SignedInMember(this.CreateClientSignedInAs(email), user!.Id, email);
    }

    /// <summary>
    /// A client that authenticates only with a write-scoped API key of <paramref name="tenant"/>, created through
    /// POST /api/tenants/{tenant}/api-keys by an admin, and the key's id.
    /// </summary>
    public async Task<(HttpClient Client, string KeyId)> ApiKeyClientAsync(string tenant, CancellationToken cancellationToken)
    {
        using var admin = ClientFor(tenant, OrgRole.Admin);
        using var response = await admin.PostAsJsonAsync($"/api/tenants/{tenant}/api-keys", new { name = "ci", scopes = new[] { "read", "write" } }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Content.ReadFromJsonAsync<ApiKeyCreated>(cancellationToken))!;
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Key);
        return (client, key.Id.ToString());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

/// <summary>A signed-in member: their client, user id and e-mail.</summary>
public sealed record SignedInMember(HttpClient Client, string UserId, string Email);

internal static class ProblemReading
{
    public static async Task<Dictionary<string, System.Text.Json.JsonElement>> ProblemAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, System.Text.Json.JsonElement>>(cancellationToken))!;
    }
}
